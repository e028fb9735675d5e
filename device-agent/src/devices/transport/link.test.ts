import { describe, expect, it, vi } from 'vitest';
import { InFlight, reasonOfOpenProblem, runPolledLink, Wakeup } from './link.ts';
import type { WriteResult } from './transport.ts';

const ok: WriteResult = { ok: true };

describe('link helpers for polled drivers', () => {
  it('settles the request in flight once: reply, then nothing; a late reply is dropped', async () => {
    const line = new InFlight<string, number>();
    const answer = line.start({ context: 7, write: () => Promise.resolve(ok), timeoutMs: 60_000, onTimeout: () => 'timeout', lost: 'lost' });
    expect(line.busy).toBe(true);
    expect(line.context).toBe(7);
    expect(() => line.start({ context: 8, write: () => Promise.resolve(ok), timeoutMs: 1, onTimeout: () => 'x', lost: 'x' })).toThrow(/in flight/);
    line.settle('reply');
    line.settle('second');
    expect(await answer).toBe('reply');
    expect(line.busy).toBe(false);
    line.settle('late'); // nobody waits: no throw, nothing happens
  });

  it('ends a request as lost when the write fails, and by its timeout when nothing answers', async () => {
    vi.useFakeTimers();
    try {
      const line = new InFlight<string>();
      const lost = line.start({ context: undefined, write: () => Promise.resolve({ ok: false, fault: { code: 'disconnected' } }), timeoutMs: 1_000, onTimeout: () => 'timeout', lost: 'lost' });
      expect(await lost).toBe('lost');
      const timedOut = line.start({ context: undefined, write: () => Promise.resolve(ok), timeoutMs: 1_000, onTimeout: () => 'timeout', lost: 'lost' });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await timedOut).toBe('timeout');
    } finally {
      vi.useRealTimers();
    }
  });

  it('remembers a nudge given while the loop is busy, so the next sleep returns at once', async () => {
    vi.useFakeTimers();
    try {
      const wakeup = new Wakeup();
      wakeup.nudge();
      await wakeup.sleep(60_000); // returns without any timer advancing
      let woke = false;
      const sleeping = wakeup.sleep(60_000).then(() => {
        woke = true;
      });
      await vi.advanceTimersByTimeAsync(10);
      expect(woke).toBe(false);
      wakeup.nudge();
      await sleeping;
      expect(woke).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reopens with the backoff delays while unlinked and polls once linked', async () => {
    vi.useFakeTimers();
    try {
      const wakeup = new Wakeup();
      const events: string[] = [];
      let opens = 0;
      let linked = false;
      let running = true;
      const loop = runPolledLink(
        {
          running: () => running,
          linked: () => linked,
          connect: () => {
            opens += 1;
            events.push(`open@${Date.now()}`);
            linked = opens >= 3;
            return Promise.resolve(linked);
          },
          onLinked: () => events.push('linked'),
          poll: () => {
            events.push('poll');
            running = false;
            return Promise.resolve();
          },
          wakeup,
          reopenBackoffMs: [100, 500],
          pollIntervalMs: 50,
        },
        0,
      );
      await vi.advanceTimersByTimeAsync(1_000);
      await loop;
      const start = Number(events[0]?.slice(5));
      expect(events.map((e) => (e.startsWith('open@') ? `open+${Number(e.slice(5)) - start}` : e))).toEqual(['open+0', 'open+100', 'open+600', 'linked', 'poll']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows an unplugged device as disconnected and a permission problem as not configured', () => {
    expect(reasonOfOpenProblem('notFound')).toBe('disconnected');
    expect(reasonOfOpenProblem('permission')).toBe('notConfigured');
  });
});
