import { describe, expect, it } from 'vitest';
import { installNavigationGuard } from './navigation-guard.ts';

/** A window stand-in: the guard only adds listeners and replaces open. */
function fakeWindow() {
  const target = new EventTarget();
  const win = {
    addEventListener: target.addEventListener.bind(target),
    open: (() => ({}) as Window) as Window['open'],
    location: { origin: 'http://127.0.0.1:5846' },
  };
  const fire = (type: string, eventTarget?: unknown): Event => {
    const event = new Event(type, { cancelable: true });
    if (eventTarget !== undefined) Object.defineProperty(event, 'target', { value: eventTarget });
    target.dispatchEvent(event);
    return event;
  };
  return { win, fire };
}

const link = (href: string, linkTarget = '') => ({ closest: () => ({ href, target: linkTarget }) });

describe('the navigation guard (issue 11)', () => {
  it('refuses window.open, dropped files, links and forms to elsewhere; keeps links within the page', () => {
    const { win, fire } = fakeWindow();
    installNavigationGuard(win);
    expect(win.open('https://example.com/')).toBeNull();
    expect(fire('dragover').defaultPrevented).toBe(true);
    expect(fire('drop').defaultPrevented).toBe(true);
    expect(fire('click', link('https://example.com/')).defaultPrevented).toBe(true);
    expect(fire('click', link('file:///etc/passwd')).defaultPrevented).toBe(true);
    expect(fire('click', link('http://127.0.0.1:5846/x', '_blank')).defaultPrevented).toBe(true);
    expect(fire('click', link('http://127.0.0.1:5846/#home')).defaultPrevented).toBe(false);
    expect(fire('submit', { action: 'http://127.0.0.1:9/steal' }).defaultPrevented).toBe(true);
  });
});
