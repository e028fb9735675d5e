import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { DeviceStatus } from '@onevisit/protocol';
import type { CardEvent, ReadStage } from './driver.ts';
import { findSampleIdentity } from './sample-identities.ts';
import { IdCardSimulator } from './simulator.ts';

const standard = findSampleIdentity('standard')?.identity;
if (!standard) throw new Error('sample missing');

async function fresh(): Promise<IdCardSimulator> {
  const sim = new IdCardSimulator({ clock: new ManualClock(Date.parse('2026-11-23T01:00:00Z')) });
  await sim.start();
  return sim;
}

describe('IdCardSimulator', () => {
  it('reads a card that is already on the reader, reporting stages', async () => {
    const sim = await fresh();
    sim.insertCard(standard);
    const stages: ReadStage[] = [];
    const result = await sim.readCard({ signal: new AbortController().signal, onStage: (s) => stages.push(s) });
    expect(result).toEqual({ kind: 'read', identity: standard });
    expect(stages).toEqual(['cardFound', 'reading']);
  });

  it('waits for a card, then reads it', async () => {
    const sim = await fresh();
    const stages: ReadStage[] = [];
    const pending = sim.readCard({ signal: new AbortController().signal, onStage: (s) => stages.push(s) });
    await Promise.resolve();
    expect(stages).toEqual(['waitingForCard']);
    sim.insertCard(standard);
    const result = await pending;
    expect(result.kind).toBe('read');
    expect(stages).toEqual(['waitingForCard', 'cardFound', 'reading']);
  });

  it('reads once per placement', async () => {
    const sim = await fresh();
    sim.insertCard(standard);
    expect((await sim.readCard({ signal: new AbortController().signal })).kind).toBe('read');
    const controller = new AbortController();
    const second = sim.readCard({ signal: controller.signal });
    let settled = false;
    void second.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    sim.removeCard();
    sim.insertCard(standard);
    expect((await second).kind).toBe('read');
  });

  it('honours the abort signal', async () => {
    const sim = await fresh();
    const controller = new AbortController();
    const pending = sim.readCard({ signal: controller.signal });
    controller.abort('canceled');
    expect(await pending).toEqual({ kind: 'canceled' });
    const already = new AbortController();
    already.abort('timeOut');
    sim.insertCard(standard);
    expect(await sim.readCard({ signal: already.signal })).toEqual({ kind: 'canceled' });
  });

  it('reports deviceNotReady when offline or in fault, also to a waiting read', async () => {
    const sim = await fresh();
    const pending = sim.readCard({ signal: new AbortController().signal });
    sim.setState('offline');
    expect(await pending).toEqual({ kind: 'deviceNotReady' });
    sim.setState('fault');
    expect(await sim.readCard({ signal: new AbortController().signal })).toEqual({ kind: 'deviceNotReady' });
    sim.setState('online');
    sim.insertCard(standard);
    expect((await sim.readCard({ signal: new AbortController().signal })).kind).toBe('read');
  });

  it('pushes status changes and card events', async () => {
    const sim = new IdCardSimulator({ clock: new ManualClock(0) });
    const statuses: DeviceStatus[] = [];
    const cards: CardEvent[] = [];
    sim.onStatus((s) => statuses.push(s));
    const off = sim.onCard((e) => cards.push(e));
    await sim.start();
    expect(sim.setSimulatedState('offline')).toBe(true);
    expect(sim.setSimulatedState('paperOut')).toBe(false);
    expect(statuses.map((s) => [s.state, s.reason, s.attention])).toEqual([
      ['online', 'ok', 'none'],
      ['offline', 'simulatedOffline', 'maintenance'],
    ]);
    sim.setState('online');
    sim.insertCard(standard);
    await sim.readCard({ signal: new AbortController().signal });
    sim.removeCard();
    expect(cards).toEqual(['placed', 'read', 'removed']);
    off();
    sim.insertCard(standard);
    expect(cards).toHaveLength(3);
  });

  it('fails a slow read when the card is lifted during it', async () => {
    vi.useFakeTimers();
    try {
      const sim = new IdCardSimulator({ clock: new ManualClock(0), readDelayMs: 500 });
      await sim.start();
      sim.insertCard(standard);
      const pending = sim.readCard({ signal: new AbortController().signal });
      await Promise.resolve();
      sim.removeCard();
      await vi.advanceTimersByTimeAsync(500);
      expect(await pending).toEqual({ kind: 'readFailed', reason: 'unreadable' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('returns a copy, so callers cannot change the card', async () => {
    const sim = await fresh();
    sim.insertCard(standard);
    const result = await sim.readCard({ signal: new AbortController().signal });
    if (result.kind !== 'read') throw new Error('expected a read');
    result.identity.name = 'changed';
    expect(standard.name).toBe('王小明');
  });
});
