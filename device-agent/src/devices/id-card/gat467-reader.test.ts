import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceStatus, Identity } from '@onevisit/protocol';
import type { CardEvent, CardReadResult, ReadStage } from './driver.ts';
import { ReaderEmulator } from './emulator.ts';
import { Gat467Reader, type Gat467ReaderOptions } from './gat467-reader.ts';
import { findSampleIdentity } from './sample-identities.ts';
import { createMemoryTransportPair, type MemoryTransport } from '../transport/memory.ts';
import type { OpenProblem } from '../transport/transport.ts';

function sample(key: string): Identity {
  const s = findSampleIdentity(key);
  if (s === undefined) throw new Error(`no sample ${key}`);
  return structuredClone(s.identity);
}

/**
 * A reader "on a cable": each open makes a fresh in-memory link with a fresh emulator, the card
 * and the fault settings carried over, as when the same reader is plugged back in.
 */
class Bench {
  plugged = true;
  openProblem: OpenProblem = 'notFound';
  host: MemoryTransport | undefined;
  emulator: ReaderEmulator | undefined;
  opens = 0;
  card: Identity | undefined;
  readonly statuses: DeviceStatus[] = [];
  readonly cards: CardEvent[] = [];
  readonly reader: Gat467Reader;

  constructor(options: Partial<Gat467ReaderOptions> = {}) {
    this.reader = new Gat467Reader({
      transport: {
        kind: 'serial',
        open: () => {
          this.opens += 1;
          if (!this.plugged) return Promise.resolve({ ok: false, problem: this.openProblem });
          const { host, device } = createMemoryTransportPair();
          this.host = host;
          this.emulator = new ReaderEmulator(device, { haltAfterRead: true });
          if (this.card !== undefined) this.emulator.placeCard(this.card);
          return Promise.resolve({ ok: true, transport: host });
        },
      },
      ...options,
    });
    this.reader.onStatus((s) => this.statuses.push(s));
    this.reader.onCard((e) => this.cards.push(e));
  }

  get emu(): ReaderEmulator {
    if (this.emulator === undefined) throw new Error('not plugged');
    return this.emulator;
  }

  place(identity: Identity): void {
    this.card = identity;
    this.emu.placeCard(identity);
  }

  lift(): void {
    this.card = undefined;
    this.emu.removeCard();
  }

  unplug(): void {
    this.plugged = false;
    this.host?.unplug();
  }
}

type Pending = { result: CardReadResult | undefined; stages: ReadStage[]; controller: AbortController };

function read(reader: Gat467Reader): Pending {
  const controller = new AbortController();
  const pending: Pending = { result: undefined, stages: [], controller };
  void reader
    .readCard({ signal: controller.signal, onStage: (s) => pending.stages.push(s) })
    .then((r) => {
      pending.result = r;
    });
  return pending;
}

const tick = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

describe('Gat467Reader (in-memory link, fake timers)', () => {
  let bench: Bench;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-11-23T01:00:00Z'));
  });

  afterEach(async () => {
    await bench.reader.stop();
    vi.useRealTimers();
  });

  it('comes online after asking the SAM its status', async () => {
    bench = new Bench();
    await bench.reader.start();
    expect(bench.reader.status()).toMatchObject({ device: 'idCard', state: 'online', reason: 'ok', attention: 'none', driver: 'serial' });
    expect(bench.emu.received[0]).toBe('samStatus');
  });

  it('waits for a card, then finds, selects and reads it once', async () => {
    bench = new Bench();
    await bench.reader.start();
    const first = read(bench.reader);
    await tick(1_000);
    expect(first.result).toBeUndefined();
    expect(first.stages).toEqual(['waitingForCard']);

    bench.place(sample('minority'));
    await tick(300);
    expect(first.result).toEqual({ kind: 'read', identity: sample('minority') });
    expect(first.stages).toEqual(['waitingForCard', 'cardFound', 'reading']);
    expect(bench.cards).toEqual(['placed', 'read']);
    expect(bench.emu.received.slice(-3)).toEqual(['findCard', 'selectCard', 'readTextPhoto']);
    expect(bench.statuses.map((s) => s.state)).toEqual(['online', 'busy', 'online']);
  });

  it('does not read the same placement twice: the card must be lifted first', async () => {
    bench = new Bench();
    await bench.reader.start();
    bench.place(sample('standard'));
    const first = read(bench.reader);
    await tick(300);
    expect(first.result?.kind).toBe('read');

    const second = read(bench.reader);
    // The emulated SAM halts the card after a read: one failed find although it still lies there.
    await tick(5_000);
    expect(second.result).toBeUndefined();
    expect(bench.cards).toEqual(['placed', 'read']);

    bench.lift();
    await tick(3 * 300 + 300);
    expect(bench.cards).toEqual(['placed', 'read', 'removed']);
    expect(second.result).toBeUndefined();

    bench.place(sample('checkX'));
    await tick(600);
    expect(second.result).toEqual({ kind: 'read', identity: sample('checkX') });
    expect(bench.cards).toEqual(['placed', 'read', 'removed', 'placed', 'read']);
  });

  it('reads a card that was already lying there when the read began', async () => {
    bench = new Bench();
    await bench.reader.start();
    bench.place(sample('longTerm'));
    await tick(900);
    expect(bench.cards).toEqual(['placed']);
    const r = read(bench.reader);
    await tick(0);
    expect(r.result).toEqual({ kind: 'read', identity: sample('longTerm') });
  });

  it('resends after a reply with a bad checksum', async () => {
    bench = new Bench();
    await bench.reader.start();
    bench.place(sample('standard'));
    const r = read(bench.reader);
    await tick(0);
    // find, select are done; corrupt the reply to the read.
    bench.emu.corruptNextReplies(1);
    await tick(2_000);
    expect(r.result?.kind).toBe('read');
    expect(bench.emu.received.filter((c) => c === 'readTextPhoto').length).toBeGreaterThanOrEqual(1);
  });

  it('resends a find whose reply came back damaged or cut short', async () => {
    bench = new Bench();
    await bench.reader.start();
    await tick(0); // the first find (no card) is answered
    bench.emu.corruptNextReplies(1);
    bench.place(sample('standard'));
    const r = read(bench.reader);
    await tick(0);
    expect(r.result?.kind).toBe('read');
    expect(bench.emu.received.slice(0, 5)).toEqual(['samStatus', 'findCard', 'findCard', 'findCard', 'selectCard']);

    bench.lift();
    await tick(1_500);
    bench.emu.truncateNextReplies(1);
    bench.place(sample('checkX'));
    const again = read(bench.reader);
    await tick(300);
    expect(again.result).toBeUndefined(); // waiting out the command timeout of the half frame
    await tick(1_000);
    expect(again.result).toEqual({ kind: 'read', identity: sample('checkX') });
    expect(bench.reader.status().state).toBe('online');
  });

  it('gives up on a damaged card after the attempts per placement, and waits for it to be lifted', async () => {
    bench = new Bench();
    await bench.reader.start();
    bench.place(sample('standard'));
    bench.emu.failNextReads(10);
    const r = read(bench.reader);
    await tick(1_000);
    expect(r.result).toEqual({ kind: 'readFailed', reason: 'unreadable' });
    expect(bench.emu.received.filter((c) => c === 'readTextPhoto')).toHaveLength(2);

    const again = read(bench.reader);
    await tick(2_000);
    expect(again.result).toBeUndefined();
    again.controller.abort();
    await tick(0);
    expect(again.result).toEqual({ kind: 'canceled' });
  });

  it('calls an unknown card type unsupported', async () => {
    bench = new Bench();
    await bench.reader.start();
    bench.place(sample('standard'));
    bench.emu.failNextReads(10, 0x40);
    const r = read(bench.reader);
    await tick(1_000);
    expect(r.result).toEqual({ kind: 'readFailed', reason: 'unsupportedCard' });
  });

  it('answers canceled when the signal fires, and then still reads the card for the next caller', async () => {
    bench = new Bench();
    await bench.reader.start();
    const r = read(bench.reader);
    await tick(300);
    r.controller.abort();
    await tick(0);
    expect(r.result).toEqual({ kind: 'canceled' });
    bench.place(sample('standard'));
    await tick(600);
    expect(bench.cards).toEqual(['placed']);
    const next = read(bench.reader);
    await tick(0);
    expect(next.result?.kind).toBe('read');
  });

  it('goes offline when unplugged, fails a waiting read, and comes back when plugged in', async () => {
    bench = new Bench();
    await bench.reader.start();
    const r = read(bench.reader);
    await tick(300);
    bench.unplug();
    await tick(0);
    expect(r.result).toEqual({ kind: 'deviceNotReady' });
    expect(bench.reader.status()).toMatchObject({ state: 'offline', reason: 'disconnected', attention: 'maintenance' });
    const whileOffline = read(bench.reader);
    await tick(0);
    expect(whileOffline.result).toEqual({ kind: 'deviceNotReady' });

    const opensBefore = bench.opens;
    await tick(2_000);
    expect(bench.opens).toBeGreaterThan(opensBefore); // kept trying, with backoff
    bench.plugged = true;
    await tick(6_000);
    expect(bench.reader.status()).toMatchObject({ state: 'online', reason: 'ok' });
    bench.place(sample('standard'));
    const after = read(bench.reader);
    await tick(300);
    expect(after.result?.kind).toBe('read');
  });

  it('backs off between reopen attempts', async () => {
    bench = new Bench({ reopenBackoffMs: [100, 1_000] });
    bench.plugged = false;
    await bench.reader.start();
    expect(bench.opens).toBe(1);
    await tick(100);
    expect(bench.opens).toBe(2);
    await tick(999);
    expect(bench.opens).toBe(2);
    await tick(1);
    expect(bench.opens).toBe(3);
    await tick(1_000);
    expect(bench.opens).toBe(4);
  });

  it('starts without a reader and reports it offline instead of throwing', async () => {
    bench = new Bench();
    bench.plugged = false;
    await bench.reader.start();
    expect(bench.reader.status()).toMatchObject({ state: 'offline', reason: 'disconnected' });
    bench.plugged = true;
    await tick(1_000);
    expect(bench.reader.status().state).toBe('online');
  });

  it('reports a missing native library as not configured', async () => {
    bench = new Bench();
    bench.plugged = false;
    bench.openProblem = 'libraryUnavailable';
    await bench.reader.start();
    expect(bench.reader.status()).toMatchObject({ state: 'offline', reason: 'notConfigured' });
  });

  it('reports a SAM that failed its self-check as a fault needing maintenance', async () => {
    bench = new Bench();
    await bench.reader.start();
    bench.emu.samFault = true;
    await tick(300);
    expect(bench.reader.status()).toMatchObject({ state: 'fault', reason: 'samError', attention: 'maintenance' });
    const r = read(bench.reader);
    await tick(0);
    expect(r.result).toEqual({ kind: 'deviceNotReady' });
    bench.emu.samFault = false;
    await tick(300);
    expect(bench.reader.status().state).toBe('online');
  });

  it('reports a reader that stops answering as offline (no response), and recovers', async () => {
    bench = new Bench({ commandTimeoutMs: 500, maxRetries: 1 });
    await bench.reader.start();
    bench.emu.setSilent(true);
    await tick(300 + 2 * 500);
    expect(bench.reader.status()).toMatchObject({ state: 'offline', reason: 'noResponse' });
    bench.emu.setSilent(false);
    await tick(300 + 500);
    expect(bench.reader.status()).toMatchObject({ state: 'online', reason: 'ok' });
  });

  it('stops promptly and answers waiting reads', async () => {
    bench = new Bench();
    await bench.reader.start();
    const r = read(bench.reader);
    await tick(0);
    await bench.reader.stop();
    expect(r.result).toEqual({ kind: 'deviceNotReady' });
    expect(bench.reader.status().state).toBe('offline');
    expect(bench.host?.isOpen).toBe(false);
  });
});
