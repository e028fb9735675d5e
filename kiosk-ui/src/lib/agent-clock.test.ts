import { describe, expect, it } from 'vitest';
import { AgentClock } from './agent-clock.ts';

describe('AgentClock', () => {
  it("takes today from the agent's clock, not from the browser's", () => {
    let localMs = Date.parse('2031-12-31T23:00:00Z'); // the browser thinks it is 2032-01-01 in Shanghai
    const clock = new AgentClock(() => localMs);
    expect(clock.sync('2026-06-01T10:00:00+08:00')).toBe(true);
    expect(clock.today()).toBe('2026-06-01');
    expect(clock.nowMs()).toBe(Date.parse('2026-06-01T02:00:00Z'));

    // Time goes on at the browser's pace: 14 h later it is the next day on the agent's calendar.
    localMs += 14 * 3_600_000;
    expect(clock.today()).toBe('2026-06-02');
  });

  it('reads an agent time in any offset as a Shanghai day', () => {
    const clock = new AgentClock(() => 0);
    clock.sync('2026-05-31T16:30:00Z');
    expect(clock.today()).toBe('2026-06-01');
  });

  it('keeps the last good offset when the agent time cannot be read', () => {
    const clock = new AgentClock(() => 0);
    clock.sync('2026-06-01T10:00:00+08:00');
    expect(clock.sync('not a time')).toBe(false);
    expect(clock.sync('2026-06-05T10:00:00')).toBe(false); // no offset: refused
    expect(clock.today()).toBe('2026-06-01');
  });
});
