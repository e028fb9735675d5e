/**
 * One behaviour suite for every booking store (issue 14): the terminal's SQLite store
 * (booking-sqlite-store.test.ts) and the hall's PostgreSQL store (booking-pg-store.test.ts)
 * must pass the very same tests, races across processes included.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { at, silentLog, testBookingService, testPerson } from '../services/booking/booking-test-support.ts';
import { BookingService } from '../services/booking/booking-service.ts';
import type { BookingRecord, BookingStore } from './booking-store.ts';
import { BookingCodeTakenError } from './booking-store.ts';
import type { RaceTarget } from './booking-race-worker.ts';

const NOW = '2026-11-21T12:00:00+08:00';
const SLOT = '2026-11-23T09:00:00+08:00'; // hukou: capacity 3
const SLOTS = ['2026-11-23T09:00:00+08:00', '2026-11-23T09:30:00+08:00', '2026-11-23T10:00:00+08:00'];

export interface SharedStoreTarget {
  /** Another connection (another terminal) to the same database. */
  open(): BookingStore;
  /** How a worker process reaches it. */
  readonly worker: RaceTarget;
}

export interface BookingStoreHarness {
  /** A new, empty store. */
  fresh(): BookingStore;
  /** A new, empty database that several connections and processes share. */
  shared(): Promise<SharedStoreTarget>;
}

export function bookingRecord(code: string, overrides: Partial<BookingRecord> = {}): BookingRecord {
  const startMs = at(SLOT);
  return {
    code,
    serviceId: 'hukou',
    windowId: 'w1',
    personKey: 'k',
    maskedName: '张*',
    startMs,
    endMs: startMs + 1_800_000,
    date: '2026-11-23',
    checkInOpenMs: startMs - 1_800_000,
    checkInCloseMs: startMs + 900_000,
    status: 'booked',
    createdMs: 1,
    updatedMs: 1,
    checkedInMs: null,
    cancelledMs: null,
    rescheduleCount: 0,
    terminalId: 'T',
    ...overrides,
  };
}

interface RaceOptions {
  readonly processes: number;
  readonly perProcess: number;
  readonly starts: readonly string[];
  readonly people: 'distinct' | 'shared';
}

/** Runs worker processes that all start at once; returns every outcome (`won:CODE` or an error code). */
async function race(target: RaceTarget, options: RaceOptions): Promise<string[]> {
  const workerPath = join(import.meta.dirname, 'booking-race-worker.ts');
  return runRacingProcesses(
    workerPath,
    Array.from({ length: options.processes }, (_, i) => [JSON.stringify(target), String(i), String(options.perProcess), NOW, options.starts.join(','), options.people]),
  );
}

/**
 * Starts one `node --import tsx workerPath …args` per entry, waits until each printed `ready`, writes
 * `go` to all at once, and returns the `outcomes` every worker prints as its last JSON line. Shared by
 * the store races (booking-race-worker.ts) and the whole-agent race (test/integration/hall-race-client.ts).
 */
export async function runRacingProcesses(workerPath: string, argsPerProcess: readonly (readonly string[])[]): Promise<string[]> {
  const children = argsPerProcess.map((args) => spawn(process.execPath, ['--import', 'tsx', workerPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const handles = children.map((child) => {
    const lines = createInterface({ input: child.stdout });
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((r) => {
      markReady = r;
    });
    const done = new Promise<string[]>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line === 'ready') markReady();
        else resolve((JSON.parse(line) as { outcomes: string[] }).outcomes);
      });
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`worker exited with ${code}`));
      });
    });
    return { ready, done };
  });
  await Promise.all(handles.map((h) => h.ready));
  for (const child of children) child.stdin.write('go\n');
  return (await Promise.all(handles.map((h) => h.done))).flat();
}

export function describeBookingStore(name: string, harness: () => BookingStoreHarness): void {
  describe(`${name}: booking store behaviour`, () => {
    it('writes nothing when the plan throws', async () => {
      const store = harness().fresh();
      await expect(
        store.atomically({ personSinceMs: 0 }, () => {
          throw new Error('bug');
        }),
      ).rejects.toThrow('bug');
      await expect(
        store.atomically({ personSinceMs: 0 }, () => ({
          writes: [
            { kind: 'insert', record: bookingRecord('AAAAAA') },
            { kind: 'update', code: 'NOSUCH', change: { status: 'cancelled', updatedMs: 2 } },
          ],
          result: 1,
        })),
      ).rejects.toThrow();
      expect(await store.get('AAAAAA')).toBeUndefined();
    });

    it('reports a duplicate code as BookingCodeTakenError', async () => {
      const store = harness().fresh();
      await store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: bookingRecord('AAAAAA') }], result: 1 }));
      await expect(
        store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: bookingRecord('AAAAAA') }], result: 1 })),
      ).rejects.toBeInstanceOf(BookingCodeTakenError);
    });

    it('retries with another code when a generated code is taken', async () => {
      const codes = ['KKKKKK', 'KKKKKK', 'MMMMMM'];
      const { service, store } = testBookingService(NOW, { store: harness().fresh() });
      const withCodes = new BookingService({
        calendar: service.calendar,
        store,
        clock: { now: () => at(NOW) },
        log: silentLog,
        personSecret: Buffer.from('s'.repeat(32)),
        terminalId: 'T',
        newCode: () => codes.shift() ?? 'XXXXXX',
      });
      const a = await withCodes.reserve(testPerson(1), 'hukou', SLOT);
      const b = await withCodes.reserve(testPerson(2), 'hukou', SLOT);
      expect([a.ok && a.value.code, b.ok && b.value.code]).toEqual(['KKKKKK', 'MMMMMM']);
    });

    it('never sells a seat twice across connections of one process', async () => {
      const shared = await harness().shared();
      const terminals = Array.from({ length: 4 }, () => testBookingService(NOW, { store: shared.open() }).service);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const terminal = terminals[i % terminals.length];
          if (!terminal) throw new Error('no terminal');
          return terminal.reserve(testPerson(i + 1), 'hukou', SLOT);
        }),
      );
      expect(outcomes.filter((o) => o.ok).length).toBe(3);
      expect(outcomes.filter((o) => !o.ok && o.error === 'slotFull').length).toBe(17);
    });

    it('lets exactly 3 of 90 reservations from 6 racing processes win a slot of capacity 3', async () => {
      const shared = await harness().shared();
      const PROCESSES = 6;
      const PER_PROCESS = 15;
      const outcomes = await race(shared.worker, { processes: PROCESSES, perProcess: PER_PROCESS, starts: [SLOT], people: 'distinct' });
      expect(outcomes).toHaveLength(PROCESSES * PER_PROCESS);
      const wins = outcomes.filter((o) => o.startsWith('won:'));
      expect(wins).toHaveLength(3);
      expect(outcomes.filter((o) => o === 'slotFull')).toHaveLength(PROCESSES * PER_PROCESS - 3);
      const store = shared.open();
      expect((await store.countTaken('hukou', at(SLOT), at(SLOT) + 1)).get(at(SLOT))).toBe(3);
      expect((await store.listByDate('2026-11-23')).map((r) => r.code).sort()).toEqual(wins.map((w) => w.slice(4)).sort());
    }, 120_000);

    it('never lets one person hold two bookings of a service when the same people race from 6 processes', async () => {
      const shared = await harness().shared();
      // 15 people, each trying from every process, spread over 3 slots of 3 seats.
      const outcomes = await race(shared.worker, { processes: 6, perProcess: 15, starts: SLOTS, people: 'shared' });
      expect(outcomes.filter((o) => o.startsWith('won:'))).toHaveLength(9);
      expect(outcomes.filter((o) => !o.startsWith('won:') && o !== 'slotFull' && o !== 'alreadyBooked')).toEqual([]);
      const booked = (await shared.open().listByDate('2026-11-23')).filter((r) => r.status === 'booked');
      expect(booked).toHaveLength(9);
      expect(new Set(booked.map((r) => `${r.personKey}/${r.serviceId}`)).size).toBe(9);
      for (const start of SLOTS) expect(booked.filter((r) => r.startMs === at(start))).toHaveLength(3);
    }, 120_000);

    it('numbers queue tickets per service and day, check-ins and walk-ins in one sequence', async () => {
      const store = harness().fresh();
      const day = '2026-11-23';
      const walkIn = (serviceId: string) => store.takeTicket({ serviceId, date: day, terminalId: 'T', issuedMs: 5 }, (n) => (n % 2 === 1 ? 'w1' : 'w2'));
      await store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: bookingRecord('AAAAAA') }], result: 1 }));
      const first = await walkIn('hukou');
      await store.atomically({ code: 'AAAAAA', personSinceMs: 0 }, () => ({
        writes: [
          { kind: 'update', code: 'AAAAAA', change: { status: 'checkedIn', checkedInMs: 6, updatedMs: 6 } },
          { kind: 'ticket', request: { serviceId: 'hukou', date: day, windowId: 'w2', bookingCode: 'AAAAAA', terminalId: 'T', issuedMs: 6 } },
        ],
        result: 1,
      }));
      const other = await walkIn('shebao');
      const third = await walkIn('hukou');
      expect([first.number, first.windowId, first.peopleAhead, first.bookingCode]).toEqual([1, 'w1', 0, null]);
      expect(await store.ticketOf('AAAAAA')).toMatchObject({ number: 2, windowId: 'w2', peopleAhead: 1, bookingCode: 'AAAAAA', date: day });
      expect([third.number, third.peopleAhead]).toEqual([3, 2]);
      expect([other.number, other.peopleAhead]).toEqual([1, 0]);
      const nextDay = await store.takeTicket({ serviceId: 'hukou', date: '2026-11-24', terminalId: 'T', issuedMs: 7 }, () => 'w1');
      expect(nextDay.number).toBe(1);
      expect(await store.ticketOf('NOSUCH')).toBeUndefined();
    });

    it('issues unique increasing ticket numbers to terminals taking them at once', async () => {
      const shared = await harness().shared();
      const terminals = Array.from({ length: 3 }, () => shared.open());
      const tickets = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (terminals[i % 3] ?? shared.open()).takeTicket({ serviceId: 'hukou', date: '2026-11-23', terminalId: `T${i % 3}`, issuedMs: i }, () => 'w1'),
        ),
      );
      expect(tickets.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });
  });
}
