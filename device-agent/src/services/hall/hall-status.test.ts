import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TerminalReport } from '@onevisit/protocol';
import { ManualClock, type Scheduler } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { openStore } from '../../store/db.ts';
import { migrateHallDb } from '../../store/hall-db.ts';
import { PgTestHall } from '../../store/pg-test-hall.ts';
import { heartbeatMigrations, PgHeartbeatStore, SqliteHeartbeatStore, type HeartbeatStore } from '../../store/terminal-heartbeat.ts';
import { HallStatusService, type HallStatusOptions } from './hall-status.ts';

const NOW_MS = Date.parse('2026-11-23T09:00:00+08:00');

function report(backlog: number): TerminalReport {
  return { agentVersion: '0.1.0', devices: [], supplies: [], warnings: [], outboxBacklog: backlog, forms: ['hukou@1.0.0'] };
}

function terminal(store: HeartbeatStore, clock: ManualClock, terminalId: string, instanceId: string, backlog = 0, more: Partial<HallStatusOptions> = {}): HallStatusService {
  return new HallStatusService({ terminalId, instanceId, store, clock, log: silentLogger(), report: () => report(backlog), ...more });
}

/** Timers that fire only when the test says so. */
class FakeScheduler implements Scheduler {
  readonly pending: { ms: number; fn: () => void }[] = [];
  after(ms: number, fn: () => void): () => void {
    const entry = { ms, fn };
    this.pending.push(entry);
    return () => {
      const i = this.pending.indexOf(entry);
      if (i >= 0) this.pending.splice(i, 1);
    };
  }
  fire(): number {
    const entry = this.pending.shift();
    if (!entry) throw new Error('no timer pending');
    entry.fn();
    return entry.ms;
  }
}

let hall: PgTestHall | undefined;
const dirs: string[] = [];
beforeAll(async () => {
  hall = await PgTestHall.start();
});
afterAll(async () => {
  await hall?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function started(): PgTestHall {
  if (!hall) throw new Error('the test cluster is not started');
  return hall;
}

async function pgStore(): Promise<PgHeartbeatStore> {
  const schema = started().cluster.newSchema();
  const pool = started().pool(schema);
  await migrateHallDb(pool, { schema });
  return new PgHeartbeatStore(pool);
}

describe('HallStatusService', () => {
  it('lists every terminal of the hall on PostgreSQL, silent after 60 s without a heartbeat', async () => {
    const store = await pgStore();
    const clock = new ManualClock(NOW_MS);
    const a = terminal(store, clock, 'T0001', 'install-a', 2);
    const b = terminal(store, clock, 'T0002', 'install-b');
    expect(await a.beat()).toBe(true);
    expect(await b.beat()).toBe(true);
    clock.advance(45_000);
    expect(await a.beat()).toBe(true);
    clock.advance(30_000);
    const status = await b.status();
    expect(status.ok && status.terminals.map((t) => [t.terminalId, t.silent, t.report.outboxBacklog])).toEqual([
      ['T0001', false, 2],
      ['T0002', true, 0],
    ]);
  });

  it('sees a second installation using a terminal id that reported recently, but not a restart of the same one', async () => {
    const store = await pgStore();
    const clock = new ManualClock(NOW_MS);
    await terminal(store, clock, 'T0001', 'install-a').beat();
    expect(await terminal(store, clock, 'T0001', 'install-a').idTakenByAnother()).toBe(false);
    expect(await terminal(store, clock, 'T0001', 'install-b').idTakenByAnother()).toBe(true);
    expect(await terminal(store, clock, 'T0002', 'install-b').idTakenByAnother()).toBe(false);
    clock.advance(61_000);
    expect(await terminal(store, clock, 'T0001', 'install-b').idTakenByAnother()).toBe(false);
  });

  it('never overwrites the heartbeat of another live installation under the same id; a restart of the same one takes it at once', async () => {
    const store = await pgStore();
    const clock = new ManualClock(NOW_MS);
    expect(await terminal(store, clock, 'T0001', 'install-a', 1).beatOutcome()).toBe('written');
    const copy = terminal(store, clock, 'T0001', 'install-b', 9);
    // Two claims at the same moment: the conditional upsert lets exactly the live owner win.
    const outcomes = await Promise.all([copy.beatOutcome(), terminal(store, clock, 'T0001', 'install-a', 2).beatOutcome()]);
    expect(outcomes).toEqual(['idTaken', 'written']);
    expect(copy.terminalIdTaken()).toBe(true);
    let status = await copy.status();
    expect(status.ok && status.terminals[0]?.report.outboxBacklog).toBe(2);
    clock.advance(61_000);
    expect(await copy.beatOutcome()).toBe('written');
    status = await copy.status();
    expect(status.ok && status.terminals[0]?.report.outboxBacklog).toBe(9);
  });

  it('beats at once and then every 15 s on its scheduler, and stops', async () => {
    const store = await pgStore();
    const clock = new ManualClock(NOW_MS);
    const scheduler = new FakeScheduler();
    const a = terminal(store, clock, 'T0001', 'install-a', 0, { scheduler });
    a.start();
    // The first beat is a real round trip to the cluster; the next is scheduled when it has ended.
    await vi.waitFor(() => expect(scheduler.pending.map((p) => p.ms)).toEqual([15_000]));
    clock.advance(15_000);
    scheduler.fire();
    await vi.waitFor(async () => {
      const status = await a.status();
      expect(status.ok && status.terminals[0]?.reportedAt).toBe('2026-11-23T09:00:15+08:00');
    });
    await vi.waitFor(() => expect(scheduler.pending).toHaveLength(1));
    a.stop();
    expect(scheduler.pending).toHaveLength(0);
  });

  it('reports the hall database unreachable (for the staff warning) only with --hall-db, until a heartbeat gets through', async () => {
    const store = await pgStore();
    const clock = new ManualClock(NOW_MS);
    let ready = false;
    const a = terminal(store, clock, 'T0001', 'install-a', 0, { hallDbReady: () => ready });
    expect(a.hallDbUnreachable()).toBe(true);
    ready = true;
    expect(a.hallDbUnreachable()).toBe(false);
    await started().cluster.stopServer();
    try {
      expect(await a.beatOutcome()).toBe('unreachable');
      expect(a.hallDbUnreachable()).toBe(true);
    } finally {
      await started().cluster.startServer();
    }
    expect(await a.beatOutcome()).toBe('written');
    expect(a.hallDbUnreachable()).toBe(false);
    expect(terminal(store, clock, 'T0002', 'install-b').hallDbUnreachable()).toBe(false);
  });

  it('answers hallDbUnavailable while the server is stopped, and beats again when it is back', async () => {
    const store = await pgStore();
    const clock = new ManualClock(NOW_MS);
    const a = terminal(store, clock, 'T0001', 'install-a');
    await started().cluster.stopServer();
    try {
      expect(await a.beat()).toBe(false);
      expect(await a.status()).toEqual({ ok: false, error: 'hallDbUnavailable' });
    } finally {
      await started().cluster.startServer();
    }
    expect(await a.beat()).toBe(true);
    const status = await a.status();
    expect(status.ok && status.terminals.map((t) => t.terminalId)).toEqual(['T0001']);
  });

  it('keeps the one terminal\'s heartbeat in its SQLite store without --hall-db', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-heartbeat-'));
    dirs.push(dataDir);
    const sqlite = openStore({ dataDir, migrations: [heartbeatMigrations] });
    try {
      const clock = new ManualClock(NOW_MS);
      const a = terminal(new SqliteHeartbeatStore(sqlite.db), clock, 'T0001', 'install-a', 3);
      await a.beat();
      clock.advance(15_000);
      await a.beat();
      const status = await a.status();
      expect(status).toEqual({ ok: true, terminals: [{ terminalId: 'T0001', reportedAt: '2026-11-23T09:00:15+08:00', silent: false, report: report(3) }] });
      expect(await terminal(new SqliteHeartbeatStore(sqlite.db), clock, 'T0001', 'install-b').beatOutcome()).toBe('idTaken');
    } finally {
      sqlite.close();
    }
  });
});
