import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { createAgent, type Agent, type StartedAgent } from '../../device-agent/src/app.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { startPgTestCluster, type PgTestCluster } from '../../device-agent/src/store/pg-test-cluster.ts';
import { successPayload, TestClient } from './client.ts';
import { signInStaff } from './staff-sign-in.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { runStaffCli } from '../../device-agent/src/services/staff/cli.ts';
import { DEFAULT_CALENDAR_PATH } from '../../device-agent/src/services/booking/calendar-config.ts';
import { runRacingProcesses } from '../../device-agent/src/store/booking-store-suite.ts';

/** Whole agents of one hall (issue 14): two terminals on one private PostgreSQL, over the WebSocket API. */

// Saturday 21 November 2026, noon in Shanghai: bookable are Monday 23 to Friday 27 November.
const NOW_MS = Date.parse('2026-11-21T12:00:00+08:00');

let cluster: PgTestCluster | undefined;
const running: Agent[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  cluster = await startPgTestCluster();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(running.map((a) => a.stop()));
  await cluster?.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function hallUrl(): string {
  if (!cluster) throw new Error('the test cluster is not started');
  return cluster.url;
}

/** A new empty database in the test cluster; its URL. */
async function emptyDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: hallUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return hallUrl().replace(/\/onevisit$/, `/${name}`);
}

type Terminal = { agent: Agent; started: StartedAgent; client: TestClient; dataDir: string };

async function startTerminal(terminalId: string, clock: ManualClock, options: { hallDb?: string; dataDir?: string } = {}): Promise<Terminal> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), `onevisit-hall-${terminalId}-`));
  const distDir = mkdtempSync(path.join(tmpdir(), 'onevisit-dist-'));
  dirs.push(dataDir, distDir);
  const agent = createAgent(defaultConfig({ port: 0, dev: true, dataDir, terminalId, hallDb: options.hallDb ?? hallUrl() }), { log: silentLogger(), distDir, clock });
  running.push(agent);
  const started: StartedAgent = await agent.start();
  const client = await TestClient.authenticated(started.url, started.token);
  clients.push(client);
  return { agent, started, client, dataDir };
}

async function terminal(terminalId: string, clock: ManualClock, hallDb = hallUrl()): Promise<TestClient> {
  return (await startTerminal(terminalId, clock, { hallDb })).client;
}

async function readCard(client: TestClient): Promise<void> {
  await client.send('Dev.InsertCard', { identity: 'standard' });
  expect((await client.send('IdCard.Read')).completion.header.completionCode).toBe('success');
}

describe('a hall of two agents on one PostgreSQL', () => {
  it('a booking made at A is found, rescheduled and checked in at B; PostgreSQL away: bookingUnavailable, then it recovers', async () => {
    const clock = new ManualClock(NOW_MS);
    const a = await terminal('T0001', clock);
    const b = await terminal('T0002', clock);
    const { services } = successPayload('Booking.ListServices', await a.send('Booking.ListServices', {}));
    const service = services[0];
    if (!service) throw new Error('no service');

    await readCard(a);
    const reserved = successPayload('Booking.Reserve', await a.send('Booking.Reserve', { serviceId: service.id, start: '2026-11-23T09:00:00+08:00' }));

    // The same card at B: the person key is hall-wide, so B finds A's booking.
    await readCard(b);
    const found = successPayload('Booking.Find', await b.send('Booking.Find', {}));
    expect(found.bookings.map((x) => x.code)).toEqual([reserved.code]);
    const moved = successPayload('Booking.Reschedule', await b.send('Booking.Reschedule', { code: reserved.code, start: '2026-11-24T09:00:00+08:00' }));
    expect(moved.booking.start).toBe('2026-11-24T09:00:00+08:00');
    // A sees the move at once: one calendar.
    const atA = successPayload('Booking.Find', await a.send('Booking.Find', { code: reserved.code }));
    expect(atA.bookings[0]?.start).toBe('2026-11-24T09:00:00+08:00');

    clock.set(Date.parse('2026-11-24T08:50:00+08:00'));
    const checkedIn = successPayload('Booking.CheckIn', await b.send('Booking.CheckIn', { code: moved.code }));
    expect(checkedIn.booking.status).toBe('checkedIn');
    const walkIn = successPayload('Queue.Take', await a.send('Queue.Take', { serviceId: service.id }));
    expect(walkIn.ticket.number).toBeGreaterThan(checkedIn.ticket.number);
    expect(walkIn.ticket.peopleAhead).toBe(1);

    await cluster?.stopServer();
    try {
      const during = await a.send('Booking.ListSlots', { serviceId: service.id, from: '2026-11-24', to: '2026-11-27' });
      expect(during.completion.header).toMatchObject({ completionCode: 'deviceNotReady', errorCode: 'bookingUnavailable' });
      // Applications are local: the forms still answer.
      expect((await a.send('Forms.List', {})).completion.header.completionCode).toBe('success');
    } finally {
      await cluster?.startServer();
    }
    const after = await a.send('Booking.ListSlots', { serviceId: service.id, from: '2026-11-24', to: '2026-11-27' });
    expect(after.completion.header.completionCode).toBe('success');
    expect(successPayload('Booking.Find', await b.send('Booking.Find', { code: reserved.code })).bookings[0]?.status).toBe('checkedIn');
  });

  it('two agents starting at once on an empty hall database: the migrations run once (one row each, one hall secret), both agents answer booking', async () => {
    const fresh = await emptyDatabase('hall_fresh');
    const clock = new ManualClock(NOW_MS);
    const [c, d] = await Promise.all([terminal('T0003', clock, fresh), terminal('T0004', clock, fresh)]);
    const check = new pg.Client({ connectionString: fresh });
    await check.connect();
    try {
      const applied = await check.query<{ id: string; n: string }>('SELECT id, count(*) AS n FROM hall_migration GROUP BY id ORDER BY id');
      expect(applied.rows.length).toBeGreaterThan(0);
      expect(applied.rows.every((r) => r.n === '1')).toBe(true);
      expect((await check.query<{ n: string }>('SELECT count(*) AS n FROM hall_secret')).rows[0]?.n).toBe('1');
    } finally {
      await check.end();
    }
    for (const client of [c, d]) {
      const slots = await client.send('Booking.ListSlots', { serviceId: 'household-registration', from: '2026-11-23', to: '2026-11-27' });
      expect(slots.completion.header.completionCode).toBe('success');
    }
  });

  it('Hall.Status: staff at B see every terminal, A silent 60 s after it stopped; a second machine cannot take a live id, a restart of the same one can; the staff warning while PostgreSQL is away', async () => {
    const clock = new ManualClock(NOW_MS);
    const a = await startTerminal('T0011', clock);
    const b = await startTerminal('T0012', clock);
    const staff = await signInStaff(b.agent, b.started);
    clients.push(staff);
    const listed = successPayload('Hall.Status', await staff.send('Hall.Status', {}));
    const ours = listed.terminals.filter((t) => t.terminalId === 'T0011' || t.terminalId === 'T0012');
    expect(ours.map((t) => [t.terminalId, t.silent])).toEqual([
      ['T0011', false],
      ['T0012', false],
    ]);
    expect(ours[0]?.report.forms.length).toBeGreaterThan(0);
    expect(ours[0]?.report.devices.map((d) => d.device)).toContain('idCard');
    // Not for a citizen page.
    expect((await a.client.send('Hall.Status', {})).completion.header.errorCode).toBe('staffOnly');

    // Another installation (its own data folder) configured with A's id while A runs: refused, clearly.
    const copyDir = mkdtempSync(path.join(tmpdir(), 'onevisit-hall-copy-'));
    dirs.push(copyDir);
    const copy = createAgent(defaultConfig({ port: 0, dev: true, dataDir: copyDir, terminalId: 'T0011', hallDb: hallUrl() }), {
      log: silentLogger(),
      distDir: b.dataDir,
      clock,
    });
    running.push(copy);
    await expect(copy.start()).rejects.toThrow(/Another terminal of this hall is running with the terminal id T0011/);
    await copy.stop();

    // A restarts on its own machine (same data folder, same instance id) at once: it starts.
    await a.agent.stop();
    const again = await startTerminal('T0011', clock, { dataDir: a.dataDir });
    await again.agent.stop();

    // A is gone: 61 s later, while B keeps beating, staff see it silent.
    clock.advance(61_000);
    expect(await b.agent.services.hallStatus.beat()).toBe(true);
    const later = successPayload('Hall.Status', await staff.send('Hall.Status', {}));
    expect(later.terminals.filter((t) => t.terminalId === 'T0011' || t.terminalId === 'T0012').map((t) => [t.terminalId, t.silent])).toEqual([
      ['T0011', true],
      ['T0012', false],
    ]);

    const warningsOf = async (client: TestClient): Promise<string[]> => successPayload('Common.Status', await client.send('Common.Status', {})).warnings.map((w) => w.code);
    expect(await warningsOf(staff)).not.toContain('hallDatabaseUnreachable');
    await cluster?.stopServer();
    try {
      expect(await b.agent.services.hallStatus.beat()).toBe(false);
      expect(await warningsOf(staff)).toContain('hallDatabaseUnreachable');
      expect((await staff.send('Hall.Status', {})).completion.header).toMatchObject({ completionCode: 'deviceNotReady', errorCode: 'hallDbUnavailable' });
    } finally {
      await cluster?.startServer();
    }
    expect(await b.agent.services.hallStatus.beat()).toBe(true);
    expect(await warningsOf(staff)).not.toContain('hallDatabaseUnreachable');
  });

  it('one staff register for the hall: npm run staff -- add --hall-db registers once, the card signs in at both terminals, a wrong PIN at A counts at B', async () => {
    const technician = findSampleIdentity('technician');
    if (!technician) throw new Error('no sample technician');
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const idNumber = technician.identity.idNumber;
    await runStaffCli(['remove', '--id-number', idNumber, '--hall-db', hallUrl()], io);
    expect(await runStaffCli(['add', '--id-number', idNumber, '--name', technician.identity.name, '--role', 'technician', '--pin', '246810', '--hall-db', hallUrl()], io)).toBe(0);
    expect(await runStaffCli(['list', '--hall-db', hallUrl()], io)).toBe(0);
    expect(out.join('')).toContain(technician.identity.name);
    expect(out.join('')).not.toContain(idNumber);
    expect(await runStaffCli(['list', '--hall-db', 'mysql://x'], io)).toBe(2);

    const clock = new ManualClock(NOW_MS);
    const a = await startTerminal('T0021', clock);
    const b = await startTerminal('T0022', clock);
    const cardAt = async (client: TestClient, pin: string) => {
      client.clear();
      await client.send('Dev.InsertCard', { identity: 'technician' });
      await client.unsolicited('Staff.CardRecognisedEvent');
      const signIn = await client.send('Staff.SignIn', { pin });
      await client.send('Dev.RemoveCard', {});
      return signIn;
    };
    expect((await cardAt(a.client, '111111')).completion).toMatchObject({ header: { errorCode: 'wrongPin' }, payload: { attemptsLeft: 4 } });
    // The same register at B: the wrong PIN made at A counts.
    expect((await cardAt(b.client, '222222')).completion).toMatchObject({ header: { errorCode: 'wrongPin' }, payload: { attemptsLeft: 3 } });
    const signedIn = successPayload('Staff.SignIn', await cardAt(b.client, '246810'));
    expect(signedIn.session).toMatchObject({ state: 'signedIn', role: 'technician' });
  });

  it('three agents, six client processes over the WebSocket API: 90 reservations of one slot of capacity 3 → exactly 3 booked; one person racing at three terminals holds one booking', async () => {
    const raceDb = await emptyDatabase('hall_race');
    // The hall's calendar with household registration at 3 seats a slot, in each terminal's data folder.
    const calendar = JSON.parse(readFileSync(DEFAULT_CALENDAR_PATH, 'utf8')) as { services: { id: string; capacityPerSlot: number }[] };
    for (const service of calendar.services) if (service.id === 'household-registration') service.capacityPerSlot = 3;
    const clock = new ManualClock(NOW_MS);
    const agents = await Promise.all(
      ['T0031', 'T0032', 'T0033'].map((id) => {
        const dataDir = mkdtempSync(path.join(tmpdir(), `onevisit-hall-${id}-`));
        mkdirSync(path.join(dataDir, 'booking'));
        writeFileSync(path.join(dataDir, 'booking', 'hall-calendar.json'), JSON.stringify(calendar));
        return startTerminal(id, clock, { hallDb: raceDb, dataDir });
      }),
    );
    const clientPath = path.join(import.meta.dirname, 'hall-race-client.ts');
    // Two client processes (two pages queueing for the terminal's one citizen session) per agent, 15 people each.
    const slot = '2026-11-25T10:00:00+08:00';
    const outcomes = await runRacingProcesses(
      clientPath,
      Array.from({ length: 6 }, (_, i) => {
        const agent = agents[i % 3];
        if (!agent) throw new Error('no agent');
        return [agent.started.url, agent.started.token, String(i), '15', 'household-registration', slot, 'distinct'];
      }),
    );
    expect(outcomes).toHaveLength(90);
    const won = outcomes.filter((o) => o.startsWith('won:'));
    expect(won).toHaveLength(3);
    expect(new Set(won).size).toBe(3);
    expect(outcomes.filter((o) => !o.startsWith('won:')).every((o) => o === 'slotFull')).toBe(true);
    const check = new pg.Client({ connectionString: raceDb });
    await check.connect();
    try {
      const rows = await check.query<{ n: string }>("SELECT count(*) AS n FROM booking WHERE service_id = 'household-registration' AND status <> 'cancelled'");
      expect(rows.rows[0]?.n).toBe('3');

      // The same three people at all three terminals at once, each terminal on another slot: each person ends with one booking.
      const shared = await runRacingProcesses(
        clientPath,
        agents.map((agent, i) => [agent.started.url, agent.started.token, String(i), '3', 'household-registration', '2026-11-26T09:00:00+08:00,2026-11-26T10:00:00+08:00,2026-11-26T11:00:00+08:00', 'shared']),
      );
      expect(shared.filter((o) => o.startsWith('won:')), shared.join(' ')).toHaveLength(3);
      const perPerson = await check.query<{ n: string }>(
        "SELECT count(*) AS n FROM booking WHERE service_id = 'household-registration' AND status <> 'cancelled' AND start_ms >= $1 GROUP BY person_key",
        [Date.parse('2026-11-26T00:00:00+08:00')],
      );
      expect(perPerson.rows.map((r) => r.n)).toEqual(['1', '1', '1']);
    } finally {
      await check.end();
    }
    // Nine processes start tsx and reserve one after another on a shared 2-core machine: a generous limit, not a timing.
  }, 300_000);
});
