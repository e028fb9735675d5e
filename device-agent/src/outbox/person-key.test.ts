/**
 * The hall person key with a submission (issue 15): kept on the outbox row until the sealed bytes are
 * purged, handed to the delivery target with the row; rows without it deliver as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { DeliveryWorker, type DeliveryOutcome, type DeliveryTarget } from './delivery.ts';
import { Outbox } from './outbox.ts';
import { citizenSubmission, makeKeys, openTestStore } from './testing/fixtures.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

const PERSON = 'e'.repeat(64);

class RecordingTarget implements DeliveryTarget {
  readonly kind = 'http';
  readonly calls: unknown[][] = [];
  deliver(...args: [string, Buffer, AbortSignal, string?, string?]): Promise<DeliveryOutcome> {
    const [reference, , , route, personKey] = args;
    this.calls.push(args.length > 3 ? [reference, route, personKey] : [reference]);
    return Promise.resolve({ kind: 'delivered' });
  }
}

function setup() {
  const store = openTestStore();
  cleanup.push(() => store.close());
  const clock = new ManualClock(Date.parse('2026-12-04T02:00:00Z'));
  const outbox = new Outbox({ db: store.db, dataDir: store.dataDir, clock, terminalId: 'T0001', keys: [makeKeys().pub], freeBytes: () => 1e12 });
  return { outbox, clock };
}

describe('outbox: the person key', () => {
  it('goes to the target with its row; a row without one is delivered as before; the purge clears it', async () => {
    const { outbox, clock } = setup();
    const withKey = outbox.accept(citizenSubmission('pk-1', { personKey: PERSON }));
    const without = outbox.accept(citizenSubmission('pk-2'));
    if (!withKey.ok || !without.ok) throw new Error('not accepted');
    const target = new RecordingTarget();
    const worker = new DeliveryWorker({ outbox, target, clock, concurrency: 1 });
    await worker.tick();
    expect(target.calls).toEqual(expect.arrayContaining([[withKey.reference, undefined, PERSON], [without.reference]]));
    expect(target.calls).toHaveLength(2);
    expect(outbox.get(withKey.reference)?.personKey).toBe(PERSON);
    clock.advance(60_000);
    expect(outbox.purgeDelivered(0).sort()).toEqual([withKey.reference, without.reference].sort());
    expect(outbox.get(withKey.reference)?.personKey).toBeNull();
  });

  it('refuses a person key that is not the hall HMAC (a bug, never an ID number)', () => {
    const { outbox } = setup();
    expect(() => outbox.accept(citizenSubmission('pk-3', { personKey: '110105199003070017' }))).toThrow(/64 lower-case hex/);
  });
});
