import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { at, silentLog, testBookingService, testPerson } from '../services/booking/booking-test-support.ts';
import { BookingService } from '../services/booking/booking-service.ts';
import { openBookingTestDatabase } from './booking-test-db.ts';
import { SqliteBookingStore } from './booking-sqlite-store.ts';
import type { BookingRecord } from './booking-store.ts';
import { BookingCodeTakenError } from './booking-store.ts';

const NOW = '2026-11-21T12:00:00+08:00';
const SLOT = '2026-11-23T09:00:00+08:00'; // hukou: capacity 3

function record(code: string): BookingRecord {
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
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'booking-race-'));
  dirs.push(dir);
  return join(dir, 'agent.db');
}

describe('SqliteBookingStore', () => {
  it('writes nothing when the plan throws', async () => {
    const store = new SqliteBookingStore(openBookingTestDatabase());
    await expect(
      store.atomically({ personSinceMs: 0 }, () => {
        throw new Error('bug');
      }),
    ).rejects.toThrow('bug');
    await expect(
      store.atomically({ personSinceMs: 0 }, () => ({
        writes: [
          { kind: 'insert', record: record('AAAAAA') },
          { kind: 'update', code: 'NOSUCH', change: { status: 'cancelled', updatedMs: 2 } },
        ],
        result: 1,
      })),
    ).rejects.toThrow();
    expect(await store.get('AAAAAA')).toBeUndefined();
  });

  it('reports a duplicate code as BookingCodeTakenError', async () => {
    const store = new SqliteBookingStore(openBookingTestDatabase());
    await store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: record('AAAAAA') }], result: 1 }));
    await expect(store.atomically({ personSinceMs: 0 }, () => ({ writes: [{ kind: 'insert', record: record('AAAAAA') }], result: 1 }))).rejects.toBeInstanceOf(
      BookingCodeTakenError,
    );
  });

  it('retries with another code when a generated code is taken', async () => {
    const codes = ['KKKKKK', 'KKKKKK', 'MMMMMM'];
    const { service, store } = testBookingService(NOW);
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
    const path = tempDb();
    openBookingTestDatabase(path).close();
    const terminals = Array.from({ length: 4 }, () => testBookingService(NOW, { dbPath: path, migrate: false }).service);
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

  it('lets exactly 3 of many racing processes win a slot of capacity 3', async () => {
    const path = tempDb();
    openBookingTestDatabase(path).close();
    const workerPath = join(import.meta.dirname, 'booking-race-worker.ts');
    const PROCESSES = 4;
    const PER_PROCESS = 10;
    const children = Array.from({ length: PROCESSES }, (_, i) =>
      spawn(process.execPath, ['--import', 'tsx', workerPath, path, String(i), String(PER_PROCESS), NOW, SLOT], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const results = children.map(
      (child) =>
        new Promise<{ ready: Promise<void>; done: Promise<string[]> }>((resolveOuter) => {
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
          resolveOuter({ ready, done });
        }),
    );
    const handles = await Promise.all(results);
    await Promise.all(handles.map((h) => h.ready));
    for (const child of children) child.stdin.write('go\n');
    const outcomes = (await Promise.all(handles.map((h) => h.done))).flat();
    expect(outcomes).toHaveLength(PROCESSES * PER_PROCESS);
    const wins = outcomes.filter((o) => o.startsWith('won:'));
    expect(wins).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'slotFull')).toHaveLength(PROCESSES * PER_PROCESS - 3);
    const store = new SqliteBookingStore(openBookingTestDatabase(path, { migrate: false }));
    expect((await store.countTaken('hukou', at(SLOT), at(SLOT) + 1)).get(at(SLOT))).toBe(3);
    expect((await store.listByDate('2026-11-23')).map((r) => r.code).sort()).toEqual(wins.map((w) => w.slice(4)).sort());
  }, 60_000);
});
