import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '@onevisit/protocol';
import { at, testBookingService, testPerson } from './booking-test-support.ts';
import { BOOKING_CODE_ALPHABET } from './booking-code.ts';
import type { BookingResult } from './booking-service.ts';

// Saturday 21 November 2026, noon: bookable are Monday 23 to Friday 27 November.
const NOW = '2026-11-21T12:00:00+08:00';
const MON_9 = '2026-11-23T09:00:00+08:00';

function value<T>(r: BookingResult<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${r.error}`);
  return r.value;
}
function errorOf<T>(r: BookingResult<T>): string {
  return r.ok ? 'ok' : r.error;
}

describe('BookingService.listSlots', () => {
  it('lists days with holiday marks and only slots within notice and horizon', async () => {
    const { service } = testBookingService(NOW);
    const r = value(await service.listSlots('hukou', '2026-11-21', '2026-12-01'));
    expect(r.days.map((d) => d.date)).toHaveLength(11);
    expect(r.days.find((d) => d.date === '2026-11-21')).toMatchObject({ workday: false, bookable: false });
    expect(r.days.find((d) => d.date === '2026-11-23')).toMatchObject({ workday: true, bookable: true, remaining: 13 * 3 });
    expect(r.days.find((d) => d.date === '2026-11-30')).toMatchObject({ workday: true, bookable: false }); // beyond the horizon
    const dates = new Set(r.slots.map((s) => s.start.slice(0, 10)));
    expect([...dates]).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']);
    expect(r.slots[0]).toEqual({ start: MON_9, end: '2026-11-23T09:30:00+08:00', capacity: 3, remaining: 3 });
    expect(r.slots.every((s) => s.start.endsWith('+08:00') && s.end.endsWith('+08:00'))).toBe(true);
  });

  it('marks holidays and make-up days', async () => {
    const { service } = testBookingService('2026-09-29T10:00:00+08:00');
    const r = value(await service.listSlots('hukou', '2026-09-30', '2026-10-12'));
    expect(r.days.find((d) => d.date === '2026-10-01')).toMatchObject({ workday: false, holiday: '国庆节', holidayEn: 'National Day', bookable: false });
    expect(r.days.find((d) => d.date === '2026-10-10')).toMatchObject({ workday: true, makeupWorkday: '国庆节', bookable: true });
    expect(r.slots.some((s) => s.start.startsWith('2026-10-0') && s.start < '2026-10-08')).toBe(false);
  });

  it('shows a full slot with remaining 0 and counts seats taken', async () => {
    const { service } = testBookingService(NOW);
    for (let i = 1; i <= 3; i += 1) value(await service.reserve(testPerson(i), 'hukou', MON_9));
    const r = value(await service.listSlots('hukou', '2026-11-23', '2026-11-23'));
    expect(r.slots[0]).toMatchObject({ start: MON_9, remaining: 0 });
    expect(r.days[0]?.remaining).toBe(12 * 3);
  });

  it('refuses an unknown service and a bad range', async () => {
    const { service } = testBookingService(NOW);
    expect(errorOf(await service.listSlots('nope', '2026-11-23', '2026-11-24'))).toBe('unknownService');
    expect(errorOf(await service.listSlots('hukou', '2026-11-24', '2026-11-23'))).toBe('invalidRange');
    expect(errorOf(await service.listSlots('hukou', '2026-11-01', '2027-03-01'))).toBe('invalidRange');
  });
});

describe('BookingService.reserve', () => {
  it('books a slot and returns a code, a window and a slip', async () => {
    const { service } = testBookingService(NOW);
    const r = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    expect(r.code).toMatch(new RegExp(`^[${BOOKING_CODE_ALPHABET}]{6}$`));
    expect(r.start).toBe(MON_9);
    expect(r.end).toBe('2026-11-23T09:30:00+08:00');
    expect(r.window).toEqual({ id: 'w1', name: '1号窗口', nameEn: 'Window 1' });
    expect(r.booking).toMatchObject({ status: 'booked', maskedName: '王*明', checkInFrom: '2026-11-23T08:30:00+08:00', checkInUntil: '2026-11-23T09:15:00+08:00' });
    const slip = r.slip;
    expect(slip.code).toBe(r.code);
    expect(slip.lines[0]).toMatchObject({ kind: 'title', text: '预约凭条' });
    expect(slip.lines).toContainEqual(expect.objectContaining({ kind: 'qr', payload: r.code }));
    expect(slip.lines).toContainEqual(expect.objectContaining({ kind: 'field', label: '办理事项', value: '户籍业务' }));
    expect(slip.lines).toContainEqual(expect.objectContaining({ kind: 'field', label: '时间', value: '09:00–09:30' }));
    expect(slip.lines).toContainEqual(expect.objectContaining({ kind: 'field', label: '姓名', value: '王*明' }));
    expect(slip.lines).toContainEqual(expect.objectContaining({ kind: 'list', items: ['居民身份证原件', '户口簿（1份）'] }));
    // No personal data beyond the masked name.
    expect(JSON.stringify(r)).not.toContain(testPerson(1).idNumber);
    expect(JSON.stringify(r)).not.toContain('王小明');
  });

  it('needs the ID card of this session', async () => {
    const { service } = testBookingService(NOW);
    expect(errorOf(await service.reserve(undefined, 'hukou', MON_9))).toBe('identityRequired');
  });

  it('refuses times outside the calendar, the notice and the horizon', async () => {
    const { service } = testBookingService(NOW);
    const p = testPerson(1);
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-23T09:00:00'))).toBe('invalidTime');
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-23T09:10:00+08:00'))).toBe('notASlot');
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-23T12:00:00+08:00'))).toBe('notASlot');
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-22T09:00:00+08:00'))).toBe('closed');
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-20T09:00:00+08:00'))).toBe('tooSoon');
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-30T09:00:00+08:00'))).toBe('outsideHorizon');
    expect(errorOf(await service.reserve(p, 'hukou', '2027-01-04T09:00:00+08:00'))).toBe('holidayDataMissing');
    // The same instant written in UTC is the same slot.
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-23T01:00:00Z'))).toBe('ok');
  });

  it('refuses a statutory holiday', async () => {
    const { service } = testBookingService('2026-09-29T10:00:00+08:00');
    expect(errorOf(await service.reserve(testPerson(1), 'hukou', '2026-10-08T09:00:00+08:00'))).toBe('ok');
    expect(errorOf(await service.reserve(testPerson(2), 'hukou', '2026-10-02T09:00:00+08:00'))).toBe('holiday');
    expect(errorOf(await service.reserve(testPerson(3), 'hukou', '2026-10-10T09:00:00+08:00'))).toBe('ok'); // make-up Saturday
  });

  it('fills a slot at its capacity', async () => {
    const { service } = testBookingService(NOW);
    const wins = [];
    for (let i = 1; i <= 4; i += 1) wins.push(errorOf(await service.reserve(testPerson(i), 'hukou', MON_9)));
    expect(wins).toEqual(['ok', 'ok', 'ok', 'slotFull']);
  });

  it('allows one active booking per service, and a daily cap over services', async () => {
    const { service } = testBookingService(NOW);
    const p = testPerson(7);
    expect(errorOf(await service.reserve(p, 'hukou', MON_9))).toBe('ok');
    expect(errorOf(await service.reserve(p, 'hukou', '2026-11-24T09:00:00+08:00'))).toBe('alreadyBooked');
    expect(errorOf(await service.reserve(p, 'shebao', '2026-11-23T10:00:00+08:00'))).toBe('ok');
    expect(errorOf(await service.reserve(p, 'gongjijin', '2026-11-23T14:30:00+08:00'))).toBe('dailyCapReached');
    expect(errorOf(await service.reserve(p, 'gongjijin', '2026-11-24T14:30:00+08:00'))).toBe('ok');
  });

  it('suspends booking after three no-shows within 90 days', async () => {
    const { service, clock } = testBookingService('2026-11-20T12:00:00+08:00');
    const p = testPerson(9);
    for (const day of ['23', '24', '25']) {
      expect(errorOf(await service.reserve(p, 'hukou', `2026-11-${day}T09:00:00+08:00`))).toBe('ok');
      clock.set(at(`2026-11-${day}T10:00:00+08:00`)); // the check-in window closed at 09:15: a no-show
    }
    const found = value(await service.findByIdentity(p));
    expect(found.map((b) => b.status)).toEqual(['noShow']); // from today on: this morning's missed booking
    const r = await service.reserve(p, 'hukou', '2026-11-27T09:00:00+08:00');
    expect(errorOf(r)).toBe('suspended');
    expect(r.ok ? '' : r.message).toContain('2026-12-25T09:15:00+08:00');
    // Somebody else is not affected.
    expect(errorOf(await service.reserve(testPerson(10), 'hukou', '2026-11-27T09:00:00+08:00'))).toBe('ok');
    clock.set(at('2026-12-25T10:00:00+08:00'));
    expect(errorOf(await service.reserve(p, 'hukou', '2026-12-28T09:00:00+08:00'))).toBe('ok');
  });
});

describe('BookingService find, cancel, reschedule, check-in', () => {
  it('finds by code (spaces and lower case accepted) and by ID card', async () => {
    const { service } = testBookingService(NOW);
    const p = testPerson(1);
    const { code } = value(await service.reserve(p, 'hukou', MON_9));
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`.toLowerCase();
    expect(value(await service.findByCode(spaced))[0]?.code).toBe(code);
    expect(value(await service.findByIdentity(p)).map((b) => b.code)).toEqual([code]);
    expect(value(await service.findByIdentity(testPerson(2)))).toEqual([]);
    expect(errorOf(await service.findByCode('AAAAAA'))).toBe('notFound');
    expect(errorOf(await service.findByIdentity(undefined))).toBe('identityRequired');
  });

  it('cancels until the deadline, and frees the seat', async () => {
    const { service, clock } = testBookingService(NOW);
    const a = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    expect(value(await service.cancel(testPerson(1), a.code)).status).toBe('cancelled');
    expect(errorOf(await service.cancel(testPerson(1), a.code))).toBe('alreadyCancelled');
    expect(value(await service.findByIdentity(testPerson(1)))).toEqual([]);
    // The person may book the service again.
    const b = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    clock.set(at(MON_9) - 2 * HOUR_MS + 1);
    expect(errorOf(await service.cancel(testPerson(1), b.code))).toBe('tooLateToCancel');
    expect(errorOf(await service.cancel(testPerson(1), 'AAAAAA'))).toBe('notFound');
  });

  it('changes a booking only for the card of the person who booked, never for the code alone', async () => {
    const { service } = testBookingService(NOW);
    const a = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    expect(errorOf(await service.cancel(undefined, a.code))).toBe('identityRequired');
    expect(errorOf(await service.cancel(testPerson(2), a.code))).toBe('notYourBooking');
    expect(errorOf(await service.reschedule(undefined, a.code, '2026-11-25T14:00:00+08:00'))).toBe('identityRequired');
    expect(errorOf(await service.reschedule(testPerson(2), a.code, '2026-11-25T14:00:00+08:00'))).toBe('notYourBooking');
    expect(value(await service.findByCode(a.code))[0]).toMatchObject({ status: 'booked', start: MON_9 });
    expect(value(await service.cancel(testPerson(1), a.code)).status).toBe('cancelled');
  });

  it('reschedules to another slot and keeps the code', async () => {
    const { service } = testBookingService(NOW);
    const a = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    const moved = value(await service.reschedule(testPerson(1), a.code, '2026-11-25T14:00:00+08:00'));
    expect(moved.code).toBe(a.code);
    expect(moved.start).toBe('2026-11-25T14:00:00+08:00');
    expect(moved.booking.checkInFrom).toBe('2026-11-25T13:30:00+08:00');
    const slots = value(await service.listSlots('hukou', '2026-11-23', '2026-11-25')).slots;
    expect(slots.find((s) => s.start === MON_9)?.remaining).toBe(3);
    expect(slots.find((s) => s.start === '2026-11-25T14:00:00+08:00')?.remaining).toBe(2);
  });

  it('keeps the old slot when the target fills in between', async () => {
    const { service } = testBookingService(NOW);
    const mine = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    const target = '2026-11-24T10:00:00+08:00';
    // The target had room when the person looked…
    const before = value(await service.listSlots('hukou', '2026-11-24', '2026-11-24')).slots.find((s) => s.start === target);
    expect(before?.remaining).toBe(3);
    // …then three others took it.
    for (let i = 2; i <= 4; i += 1) value(await service.reserve(testPerson(i), 'hukou', target));
    expect(errorOf(await service.reschedule(testPerson(1), mine.code, target))).toBe('slotFull');
    const still = value(await service.findByCode(mine.code))[0];
    expect(still).toMatchObject({ status: 'booked', start: MON_9 });
    const monday = value(await service.listSlots('hukou', '2026-11-23', '2026-11-23')).slots.find((s) => s.start === MON_9);
    expect(monday?.remaining).toBe(2);
  });

  it('applies notice and the daily cap when rescheduling', async () => {
    const { service } = testBookingService(NOW);
    const p = testPerson(1);
    const a = value(await service.reserve(p, 'hukou', MON_9));
    value(await service.reserve(p, 'shebao', '2026-11-24T09:00:00+08:00'));
    value(await service.reserve(p, 'gongjijin', '2026-11-24T10:00:00+08:00'));
    expect(errorOf(await service.reschedule(p, a.code, '2026-11-24T14:00:00+08:00'))).toBe('dailyCapReached');
    expect(errorOf(await service.reschedule(p, a.code, '2026-11-30T09:00:00+08:00'))).toBe('outsideHorizon');
    expect(errorOf(await service.reschedule(p, a.code, '2026-11-23T09:30:00+08:00'))).toBe('ok');
  });

  it('checks in on the day within the check-in window only', async () => {
    const { service, clock } = testBookingService(NOW);
    const a = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    expect(errorOf(await service.checkIn(a.code))).toBe('notToday');
    clock.set(at('2026-11-23T08:29:00+08:00'));
    expect(errorOf(await service.checkIn(a.code))).toBe('checkInNotYetOpen');
    clock.set(at('2026-11-23T08:45:00+08:00'));
    // Another card holder cannot check in with a code seen on someone's slip.
    expect(errorOf(await service.checkIn(a.code, testPerson(2)))).toBe('notYourBooking');
    expect(value(await service.checkIn(a.code, testPerson(1))).status).toBe('checkedIn');
    expect(errorOf(await service.checkIn(a.code))).toBe('alreadyCheckedIn');
    expect(errorOf(await service.cancel(testPerson(1), a.code))).toBe('alreadyCheckedIn');

    const b = value(await service.reserve(testPerson(2), 'hukou', '2026-11-24T09:00:00+08:00'));
    const c = value(await service.reserve(testPerson(3), 'hukou', '2026-11-24T10:00:00+08:00'));
    clock.set(at('2026-11-24T09:40:00+08:00'));
    // The slip's code alone (no card read) is enough.
    expect(value(await service.checkIn(c.code)).status).toBe('checkedIn');
    clock.set(at('2026-11-24T09:15:00+08:00') + MINUTE_MS);
    expect(errorOf(await service.checkIn(b.code))).toBe('checkInClosed');
    expect(value(await service.findByCode(b.code))[0]?.status).toBe('noShow');
    clock.set(at('2026-11-25T09:00:00+08:00'));
    expect(errorOf(await service.checkIn(b.code))).toBe('notToday');
  });
});

describe('BookingService.exportDay', () => {
  it('exports the day as CSV with masked names only', async () => {
    const { service } = testBookingService(NOW);
    const a = value(await service.reserve(testPerson(1, '王小明'), 'hukou', MON_9));
    const b = value(await service.reserve(testPerson(2, '欧阳娜娜'), 'shebao', '2026-11-23T10:00:00+08:00'));
    const c = value(await service.reserve(testPerson(3, '李四'), 'hukou', '2026-11-23T09:30:00+08:00'));
    value(await service.cancel(testPerson(3, '李四'), c.code));
    value(await service.reserve(testPerson(4), 'hukou', '2026-11-24T09:00:00+08:00'));
    const csv = value(await service.exportDay('2026-11-23', 'csv'));
    expect(csv).toMatchObject({ count: 2, filename: 'bookings-2026-11-23.csv', });
    expect(csv.contentType).toContain('text/csv');
    const lines = csv.content.split('\r\n');
    expect(lines[0]).toBe('code,date,start,end,service_id,service_name,window_id,window_name,masked_name,status');
    expect(lines[1]).toBe(`${a.code},2026-11-23,2026-11-23T09:00:00+08:00,2026-11-23T09:30:00+08:00,hukou,户籍业务,w1,1号窗口,王*明,booked`);
    expect(lines[2]).toContain(`${b.code},`);
    expect(lines[2]).toContain('欧**娜');
    expect(lines[3]).toBe('');
    expect(csv.content).not.toMatch(/[^\r]\n/);
    expect(csv.content).not.toContain('王小明');
    expect(csv.content).not.toContain(testPerson(1).idNumber);
  });

  it('exports the day as iCalendar (RFC 5545)', async () => {
    const { service } = testBookingService(NOW);
    const a = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    const ics = value(await service.exportDay('2026-11-23', 'ics'));
    expect(ics.count).toBe(1);
    const text = ics.content;
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain(`UID:${a.code}@T-TEST.onevisit`);
    expect(unfolded).toContain('DTSTART;TZID=Asia/Shanghai:20261123T090000');
    expect(unfolded).toContain('DTEND;TZID=Asia/Shanghai:20261123T093000');
    expect(unfolded).toContain('TZID:Asia/Shanghai');
    expect(unfolded).toMatch(/DTSTAMP:\d{8}T\d{6}Z/);
    expect(unfolded).toContain('王*明');
    expect(value(await service.exportDay('2026-11-25', 'ics')).count).toBe(0);
  });
});

describe('BookingService.holidayStatus', () => {
  it('warns when next year has no holiday data (2027 on 21 November 2026)', () => {
    const { service } = testBookingService(NOW);
    const status = service.holidayStatus();
    expect(status.coveredThrough).toBe('2026-12-31');
    expect(status.missingYears).toEqual([2027]);
    expect(status.warning).toBe(true);
  });

  it('does not warn in the middle of a covered year', () => {
    const { service } = testBookingService('2026-06-01T12:00:00+08:00');
    expect(service.holidayStatus()).toMatchObject({ missingYears: [], warning: false });
  });
});
