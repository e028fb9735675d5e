import { controlName, MAX_SPOKEN_CHARS, screenText } from './screen-text.ts';
import { settle } from './settle.ts';

export type ScreenWatch = {
  /** A new screen or step: its title changed. */
  onScreen: (text: string) => void;
  /** Focus moved by keyboard or switch to a control. */
  onFocus: (name: string) => void;
  /** An alert appeared (an error or a reminder the citizen must notice), with its words to speak. */
  onAlert: (text: string) => void;
  /** A screen asked for a cue (`data-cue="success|attention"`, e.g. a cabinet door that opened). */
  onCue: (kind: 'success' | 'attention') => void;
};

/**
 * Watches the kiosk's main region for a new title (every journey's steps share `#screen-title`),
 * for alerts, and for keyboard focus, so read-aloud follows every screen without each screen
 * calling it. Returns the function that stops watching.
 */
export function watchScreen(main: HTMLElement, kiosk: HTMLElement, watch: ScreenWatch): () => void {
  let lastTitle: string | undefined;
  const check = (): void => {
    const title = main.querySelector('#screen-title')?.textContent?.trim() ?? '';
    if (title === lastTitle) return;
    lastTitle = title;
    watch.onScreen(screenText(main));
  };
  // The DOM settles over a few frames after a step changes: read once it has, or after 750 ms at the
  // latest (a screen that never goes quiet, such as one with a live countdown, is read as well).
  const later = settle(check, 250, 750);
  const observer = new MutationObserver((records) => {
    later.poke();
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        const alert = selfOrInside(node, '[role="alert"]');
        if (alert !== null) watch.onAlert(spokenAlert(alert));
        const cue = selfOrInside(node, '[data-cue]')?.getAttribute('data-cue');
        if (cue === 'success' || cue === 'attention') watch.onCue(cue);
      }
    }
  });
  observer.observe(main, { childList: true, subtree: true, characterData: true });
  const onFocusIn = (event: FocusEvent): void => {
    const target = event.target;
    if (!(target instanceof HTMLElement) || !target.matches(':focus-visible')) return;
    const name = controlName(target);
    if (name !== '') watch.onFocus(name);
  };
  kiosk.addEventListener('focusin', onFocusIn);
  later.poke();
  return () => {
    observer.disconnect();
    kiosk.removeEventListener('focusin', onFocusIn);
    later.cancel();
  };
}

/**
 * With read-aloud off, the alerts that must be heard by everyone all the same (`data-speak="always"` beside
 * `role="alert"`: a cabinet door left open) are still spoken. Returns the function that stops watching.
 */
export function watchAlwaysSpoken(main: HTMLElement, onAlert: (text: string) => void): () => void {
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        const alert = selfOrInside(node, '[role="alert"][data-speak="always"]');
        if (alert !== null) onAlert(spokenAlert(alert));
      }
    }
  });
  observer.observe(main, { childList: true, subtree: true });
  return () => observer.disconnect();
}

/** An added node that is, or holds, what `selector` finds. */
function selfOrInside(node: Element, selector: string): Element | null {
  return node.matches(selector) ? node : node.querySelector(selector);
}

function spokenAlert(alert: Element): string {
  return (alert.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_SPOKEN_CHARS);
}

/**
 * Two-switch and keyboard access (issue 17): arrow keys move the focus through the screen's
 * controls in order (a two-switch device maps "move" to ArrowRight and "select" to Enter). Enter
 * and Space activate as always. In a text field the arrows move the caret while there is text to
 * move through: ArrowRight at the end of the text (ArrowLeft at its start) and ArrowUp/ArrowDown
 * move on, so that a switch user who entered a field can always leave it. The kiosk's choices are
 * buttons with role radio (they hold no arrow behaviour of their own), so they are moved through
 * like any control; a native select or radio input keeps its own arrows.
 */
export function moveFocusByArrows(event: KeyboardEvent, root: HTMLElement): void {
  const forward = event.key === 'ArrowRight' || event.key === 'ArrowDown';
  const back = event.key === 'ArrowLeft' || event.key === 'ArrowUp';
  if (!forward && !back) return;
  const active = document.activeElement;
  if (active instanceof HTMLSelectElement || active instanceof HTMLTextAreaElement) return;
  if (active instanceof HTMLInputElement) {
    if (active.type === 'radio' || active.type === 'range' || active.type === 'checkbox') return;
    const vertical = event.key === 'ArrowUp' || event.key === 'ArrowDown';
    const atEnd = active.selectionStart === active.value.length && active.selectionEnd === active.value.length;
    const atStart = active.selectionStart === 0 && active.selectionEnd === 0;
    if (!vertical && ((forward && !atEnd) || (back && !atStart))) return;
  }
  const controls = [...root.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter(
    (el) => !el.matches(':disabled') && el.closest('[inert]') === null && el.getClientRects().length > 0,
  );
  if (controls.length === 0) return;
  const index = active instanceof HTMLElement ? controls.indexOf(active) : -1;
  const next = index === -1 ? (forward ? 0 : controls.length - 1) : (index + (forward ? 1 : -1) + controls.length) % controls.length;
  controls[next]?.focus();
  event.preventDefault();
}
