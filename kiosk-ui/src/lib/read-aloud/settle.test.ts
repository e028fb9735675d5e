import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settle } from './settle.ts';

describe('settle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once the page has been quiet for the settle time', () => {
    const run = vi.fn();
    const s = settle(run, 250, 750, () => Date.now());
    s.poke();
    vi.advanceTimersByTime(200);
    s.poke();
    vi.advanceTimersByTime(200);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(50);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs by the longest wait even when the page never goes quiet (a live countdown)', () => {
    const run = vi.fn();
    const s = settle(run, 250, 750, () => Date.now());
    for (let t = 0; t < 740; t += 100) {
      s.poke();
      vi.advanceTimersByTime(100);
    }
    expect(run).toHaveBeenCalledTimes(1);
    // The next change starts a new wait: a later title is read too, not swallowed.
    for (let t = 0; t < 1600; t += 100) {
      s.poke();
      vi.advanceTimersByTime(100);
    }
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('runs nothing after cancel', () => {
    const run = vi.fn();
    const s = settle(run, 250, 750, () => Date.now());
    s.poke();
    s.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).not.toHaveBeenCalled();
  });
});
