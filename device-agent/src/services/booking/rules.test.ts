import { describe, expect, it } from 'vitest';
import type { BookingRecord } from '../../store/booking-store.ts';
import { RulesSchema } from './calendar-config.ts';
import { changeDeadlineMs, checkPersonRules, effectiveStatus, pickWindow, suspendedUntil } from './rules.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, shanghaiDate } from '@onevisit/protocol';
import { at } from './booking-test-support.ts';

const rules = RulesSchema.parse({});
let seq = 0;

function rec(startIso: string, over: Partial<BookingRecord> = {}): BookingRecord {
  const startMs = at(startIso);
  seq += 1;
  return {
    code: `C${seq}`,
    serviceId: 'hukou',
    windowId: 'w1',
    personKey: 'p',
    maskedName: '王*明',
    startMs,
    endMs: startMs + 30 * MINUTE_MS,
    date: shanghaiDate(startMs),
    checkInOpenMs: startMs - 30 * MINUTE_MS,
    checkInCloseMs: startMs + 15 * MINUTE_MS,
    status: 'booked',
    createdMs: startMs - 2 * DAY_MS,
    updatedMs: startMs - 2 * DAY_MS,
    checkedInMs: null,
    cancelledMs: null,
    rescheduleCount: 0,
    terminalId: 'T',
    ...over,
  };
}

describe('booking rules', () => {
  it('derives no-show from a booked booking whose check-in closed', () => {
    const r = rec('2026-11-23T09:00:00+08:00');
    expect(effectiveStatus(r, at('2026-11-23T09:15:00+08:00'))).toBe('booked');
    expect(effectiveStatus(r, at('2026-11-23T09:15:01+08:00'))).toBe('noShow');
    expect(effectiveStatus({ ...r, status: 'checkedIn' }, at('2026-11-24T00:00:00+08:00'))).toBe('checkedIn');
  });

  it('suspends after 3 no-shows within 90 days, for 30 days after the last', () => {
    const person = [rec('2026-08-03T09:00:00+08:00'), rec('2026-09-07T09:00:00+08:00'), rec('2026-10-26T09:00:00+08:00')];
    const lastClose = at('2026-10-26T09:15:00+08:00');
    expect(suspendedUntil(person, at('2026-11-01T00:00:00+08:00'), rules)).toBe(lastClose + 30 * DAY_MS);
    expect(suspendedUntil(person, lastClose + 30 * DAY_MS + 1, rules)).toBeUndefined();
    expect(suspendedUntil(person.slice(0, 2), at('2026-11-01T00:00:00+08:00'), rules)).toBeUndefined();
  });

  it('does not suspend when the no-shows are spread over more than the window', () => {
    const person = [rec('2026-06-01T09:00:00+08:00'), rec('2026-08-03T09:00:00+08:00'), rec('2026-10-26T09:00:00+08:00')];
    expect(suspendedUntil(person, at('2026-11-01T00:00:00+08:00'), rules)).toBeUndefined();
    // Checked-in and cancelled bookings are never no-shows.
    const mixed = [rec('2026-10-05T09:00:00+08:00', { status: 'checkedIn' }), rec('2026-10-12T09:00:00+08:00'), rec('2026-10-19T09:00:00+08:00')];
    expect(suspendedUntil(mixed, at('2026-11-01T00:00:00+08:00'), rules)).toBeUndefined();
  });

  it('never suspends when suspendDays is 0', () => {
    const off = RulesSchema.parse({ noShow: { suspendDays: 0 } });
    const person = [rec('2026-10-05T09:00:00+08:00'), rec('2026-10-12T09:00:00+08:00'), rec('2026-10-19T09:00:00+08:00')];
    expect(suspendedUntil(person, at('2026-11-01T00:00:00+08:00'), off)).toBeUndefined();
  });

  it('allows one active booking per service, and a past one does not count', () => {
    const now = at('2026-11-21T12:00:00+08:00');
    const active = rec('2026-11-24T09:00:00+08:00');
    expect(checkPersonRules([active], { serviceId: 'hukou', date: '2026-11-25' }, now, rules)).toEqual({ ok: false, problem: 'alreadyBooked' });
    expect(checkPersonRules([active], { serviceId: 'shebao', date: '2026-11-25' }, now, rules)).toEqual({ ok: true });
    expect(checkPersonRules([active], { serviceId: 'hukou', date: '2026-11-25', movingCode: active.code }, now, rules)).toEqual({ ok: true });
    const past = rec('2026-11-20T09:00:00+08:00', { status: 'checkedIn' });
    expect(checkPersonRules([past], { serviceId: 'hukou', date: '2026-11-25' }, now, rules)).toEqual({ ok: true });
    const loose = RulesSchema.parse({ oneActivePerService: false });
    expect(checkPersonRules([active], { serviceId: 'hukou', date: '2026-11-25' }, now, loose)).toEqual({ ok: true });
  });

  it('caps the bookings of one person on one day', () => {
    const now = at('2026-11-21T12:00:00+08:00');
    const person = [rec('2026-11-24T09:00:00+08:00', { serviceId: 'a' }), rec('2026-11-24T10:00:00+08:00', { serviceId: 'b' })];
    expect(checkPersonRules(person, { serviceId: 'c', date: '2026-11-24' }, now, rules)).toEqual({ ok: false, problem: 'dailyCapReached' });
    expect(checkPersonRules(person, { serviceId: 'c', date: '2026-11-25' }, now, rules)).toEqual({ ok: true });
    const cancelledOne = [person[0], rec('2026-11-24T10:00:00+08:00', { serviceId: 'b', status: 'cancelled' })].filter((r) => r !== undefined);
    expect(checkPersonRules(cancelledOne, { serviceId: 'c', date: '2026-11-24' }, now, rules)).toEqual({ ok: true });
  });

  it('puts the change deadline N hours before the start', () => {
    const r = rec('2026-11-24T09:00:00+08:00');
    expect(changeDeadlineMs(r, rules)).toBe(r.startMs - 2 * HOUR_MS);
  });

  it('spreads a slot over the windows that serve the service', () => {
    expect(pickWindow(['w1', 'w2'], [])).toBe('w1');
    expect(pickWindow(['w1', 'w2'], [rec('2026-11-24T09:00:00+08:00', { windowId: 'w1' })])).toBe('w2');
    expect(pickWindow(['w1', 'w2'], [rec('2026-11-24T09:00:00+08:00', { windowId: 'w1' }), rec('2026-11-24T09:00:00+08:00', { windowId: 'w2' })])).toBe('w1');
  });
});
