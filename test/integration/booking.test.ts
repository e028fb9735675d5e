import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { createAgent, type Agent, type StartedAgent } from '../../device-agent/src/app.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { successPayload, TestClient } from './client.ts';
import { signInStaff, signOutStaff } from './staff-sign-in.ts';

const running: Agent[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((a) => a.stop()));
  agents.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Saturday 21 November 2026, noon in Shanghai: bookable are Monday 23 to Friday 27 November.
const NOW_MS = Date.parse('2026-11-21T12:00:00+08:00');

async function startAgent(clock: ManualClock): Promise<StartedAgent> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-booking-'));
  dirs.push(dataDir);
  const distDir = mkdtempSync(path.join(tmpdir(), 'onevisit-dist-'));
  dirs.push(distDir);
  const agent = createAgent(defaultConfig({ port: 0, dev: true, dataDir }), { log: silentLogger(), distDir, clock });
  running.push(agent);
  const started = await agent.start();
  agents.set(started, agent);
  return started;
}

const agents = new Map<StartedAgent, Agent>();
function agentOf(started: StartedAgent): Agent {
  const agent = agents.get(started);
  if (!agent) throw new Error('not started here');
  return agent;
}

async function connect(started: StartedAgent): Promise<TestClient> {
  const client = await TestClient.authenticated(started.url, started.token);
  clients.push(client);
  return client;
}

describe('Booking over the WebSocket', () => {
  it('lists, books with the card of the session, finds, reschedules, prints, exports and cancels', async () => {
    const clock = new ManualClock(NOW_MS);
    const started = await startAgent(clock);
    const kiosk = await connect(started);

    const { services } = successPayload('Booking.ListServices', await kiosk.send('Booking.ListServices', {}));
    expect(services.length).toBeGreaterThan(0);
    const service = services[0];
    if (!service) throw new Error('no service');
    expect(service.name).toMatch(/[\u4e00-\u9fff]/);

    const slots = successPayload('Booking.ListSlots', await kiosk.send('Booking.ListSlots', { serviceId: service.id, from: '2026-11-21', to: '2026-11-30' }));
    expect(slots.days.map((d) => d.date)).toHaveLength(10);
    expect(slots.days.find((d) => d.date === '2026-11-22')?.workday).toBe(false);
    const first = slots.slots[0];
    if (!first) throw new Error('no slot');
    expect(first.start).toBe('2026-11-23T09:00:00+08:00');
    expect(slots.slots.every((s) => s.start >= '2026-11-23' && s.start < '2026-11-28')).toBe(true);

    // Without a card read in this session there is no identity.
    const anonymous = await kiosk.send('Booking.Reserve', { serviceId: service.id, start: first.start });
    expect(anonymous.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'identityRequired' });

    await kiosk.send('Dev.InsertCard', { identity: 'standard' });
    expect((await kiosk.send('IdCard.Read')).completion.header.completionCode).toBe('success');
    const reserved = successPayload('Booking.Reserve', await kiosk.send('Booking.Reserve', { serviceId: service.id, start: first.start }));
    expect(reserved.code).toMatch(/^[0-9A-Z]{6}$/);
    expect(reserved.slip.lines).toContainEqual(expect.objectContaining({ kind: 'qr', payload: reserved.code }));

    const again = await kiosk.send('Booking.Reserve', { serviceId: service.id, start: slots.slots[1]?.start ?? first.start });
    expect(again.completion.header.errorCode).toBe('alreadyBooked');

    const mine = successPayload('Booking.Find', await kiosk.send('Booking.Find', {}));
    expect(mine.bookings.map((b) => b.code)).toEqual([reserved.code]);

    // Another connection (another person at the kiosk later) finds it by code only.
    // One page owns the citizen session (issue 11): the kiosk ends its session before another page starts one.
    await kiosk.send('Session.End', {});
    const other = await connect(started);
    const byCode = successPayload('Booking.Find', await other.send('Booking.Find', { code: reserved.code.toLowerCase() }));
    expect(byCode.bookings[0]?.maskedName).toContain('*');

    // The code alone does not change a booking (issue 9); someone else's card does not either; the card of the person who booked does.
    const codeOnly = await other.send('Booking.Reschedule', { code: reserved.code, start: '2026-11-24T14:00:00+08:00' });
    expect(codeOnly.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'identityRequired' });
    await other.send('Dev.InsertCard', { identity: 'checkX' });
    expect((await other.send('IdCard.Read')).completion.header.completionCode).toBe('success');
    const notTheirs = await other.send('Booking.Cancel', { code: reserved.code });
    expect(notTheirs.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'notYourBooking' });
    await other.send('Dev.InsertCard', { identity: 'standard' });
    expect((await other.send('IdCard.Read')).completion.header.completionCode).toBe('success');

    const moved = successPayload('Booking.Reschedule', await other.send('Booking.Reschedule', { code: reserved.code, start: '2026-11-24T14:00:00+08:00' }));
    expect(moved.start).toBe('2026-11-24T14:00:00+08:00');

    const slip = successPayload('Booking.Slip', await other.send('Booking.Slip', { code: reserved.code }));
    expect(slip.slip.lines).toContainEqual(expect.objectContaining({ kind: 'field', label: '时间', value: '14:00–14:30' }));

    // Booking.Export is for staff (issue 12): the citizens step away, a staff member signs in with card
    // and PIN for the export and signs out, then the citizens read their card again.
    await kiosk.send('Session.End', {});
    await other.send('Session.End', {});
    const staff = await signInStaff(agentOf(started), started);
    const csv = successPayload('Booking.Export', await staff.send('Booking.Export', { date: '2026-11-24', format: 'csv' }));
    expect(csv.count).toBe(1);
    expect(csv.content).toContain(reserved.code);
    const ics = successPayload('Booking.Export', await staff.send('Booking.Export', { date: '2026-11-24', format: 'ics' }));
    expect(ics.content).toContain('DTSTART;TZID=Asia/Shanghai:20261124T140000');
    await signOutStaff(staff);
    for (const client of [kiosk, other]) {
      await client.send('Dev.InsertCard', { identity: 'standard' });
      expect((await client.send('IdCard.Read')).completion.header.completionCode).toBe('success');
      if (client === kiosk) await kiosk.send('Session.End', {});
    }

    const status = successPayload('Booking.CalendarStatus', await other.send('Booking.CalendarStatus', {}));
    expect(status).toMatchObject({ earliest: '2026-11-23', latest: '2026-11-27' });
    expect(status.holidayData.missingYears).toEqual([2027]);

    const cancelled = successPayload('Booking.Cancel', await other.send('Booking.Cancel', { code: reserved.code }));
    expect(cancelled.booking.status).toBe('cancelled');
    const gone = await other.send('Booking.Cancel', { code: reserved.code });
    expect(gone.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'alreadyCancelled' });
    const missing = await other.send('Booking.Find', { code: 'XXXXXX' });
    expect(missing.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'notFound' });

    // Check-in on the day. The pages take turns owning the citizen session (issue 11).
    await other.send('Session.End', {});
    await kiosk.send('Dev.InsertCard', { identity: 'standard' });
    await kiosk.send('IdCard.Read');
    const rebooked = successPayload('Booking.Reserve', await kiosk.send('Booking.Reserve', { serviceId: service.id, start: first.start }));
    await kiosk.send('Session.End', {});
    await other.send('Dev.InsertCard', { identity: 'standard' });
    await other.send('IdCard.Read');
    expect((await other.send('Booking.CheckIn', { code: rebooked.code })).completion.header.errorCode).toBe('notToday');
    clock.set(Date.parse('2026-11-23T08:50:00+08:00'));
    const checkedIn = successPayload('Booking.CheckIn', await other.send('Booking.CheckIn', { code: rebooked.code }));
    expect(checkedIn.booking.status).toBe('checkedIn');
  });

  it('refuses malformed payloads as invalidData', async () => {
    const started = await startAgent(new ManualClock(NOW_MS));
    const kiosk = await connect(started);
    const bad = await kiosk.send('Booking.ListSlots', { serviceId: 'x', from: '2026-13-01', to: '2026-11-30' });
    expect(bad.completion.header.completionCode).toBe('invalidData');
    const unknown = await kiosk.send('Booking.ListSlots', { serviceId: 'nope', from: '2026-11-23', to: '2026-11-30' });
    expect(unknown.completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'unknownService' });
  });

  it('Queue.Take: walk-in tickets share the sequence of check-ins, closed on a weekend, no card needed', async () => {
    const clock = new ManualClock(NOW_MS);
    const started = await startAgent(clock);
    const kiosk = await connect(started);
    const { services } = successPayload('Booking.ListServices', await kiosk.send('Booking.ListServices', {}));
    const service = services[0];
    if (!service) throw new Error('no service');
    // Saturday: the hall's services are closed.
    expect((await kiosk.send('Queue.Take', { serviceId: service.id })).completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'closed' });
    expect((await kiosk.send('Queue.Take', { serviceId: 'nope' })).completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'unknownService' });

    await kiosk.send('Dev.InsertCard', { identity: 'standard' });
    expect((await kiosk.send('IdCard.Read')).completion.header.completionCode).toBe('success');
    const reserved = successPayload('Booking.Reserve', await kiosk.send('Booking.Reserve', { serviceId: service.id, start: '2026-11-23T09:00:00+08:00' }));
    await kiosk.send('Dev.RemoveCard', {});
    clock.set(Date.parse('2026-11-23T08:50:00+08:00'));
    // No card needed for a walk-in ticket, and it carries no booking.
    const first = successPayload('Queue.Take', await kiosk.send('Queue.Take', { serviceId: service.id }));
    expect(first.ticket).toMatchObject({ serviceId: service.id, date: '2026-11-23', peopleAhead: 0 });
    expect(first.ticket.bookingCode).toBeUndefined();
    expect(first.ticket.slip.kind).toBe('queueTicket');
    const checkedIn = successPayload('Booking.CheckIn', await kiosk.send('Booking.CheckIn', { code: reserved.code }));
    expect(checkedIn.ticket.number).toBeGreaterThan(first.ticket.number);
    expect(checkedIn.ticket.peopleAhead).toBe(1);
    const second = successPayload('Queue.Take', await kiosk.send('Queue.Take', { serviceId: service.id }));
    expect(second.ticket.number).toBeGreaterThan(checkedIn.ticket.number);
    expect(second.ticket.peopleAhead).toBe(2);
  });
});
