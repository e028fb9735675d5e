/**
 * Runs `run` once the page has been quiet for `settleMs` after the last `poke`, but never later
 * than `maxWaitMs` after the first poke since it last ran: a screen whose DOM keeps changing (a
 * live countdown, a progress line, the on-screen keyboard under a typing finger) is still read,
 * where a plain debounce would wait for ever.
 */
export type Settle = { poke: () => void; cancel: () => void };

export function settle(run: () => void, settleMs: number, maxWaitMs: number, now: () => number = () => performance.now()): Settle {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let deadline: number | undefined;
  const fire = (): void => {
    timer = undefined;
    deadline = undefined;
    run();
  };
  return {
    poke: () => {
      const at = now();
      deadline ??= at + maxWaitMs;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(fire, Math.max(0, Math.min(settleMs, deadline - at)));
    },
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      deadline = undefined;
    },
  };
}
