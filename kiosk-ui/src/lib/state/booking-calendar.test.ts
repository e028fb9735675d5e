import { describe, expect, it } from 'vitest';
import { addDays, PRINT_ERROR_CODES, weekdayOf } from '@onevisit/protocol';
import { bookingEn } from '../i18n/booking.en.ts';
import { bookingZhCN } from '../i18n/booking.zh-cn.ts';
import {
  BOOKING_PROBLEMS,
  bookingProblemOf,
  calendarRange,
  clockTime,
  dayStatus,
  isMorning,
  mondayOf,
  normalizeCode,
  shanghaiDateOf,
  weeksOf,
} from './booking-calendar.ts';

describe('booking calendar helpers', () => {
  it('counts days across a month and a year boundary without the browser time zone', () => {
    expect(addDays('2026-09-30', 1)).toBe('2026-10-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekdayOf('2026-10-10')).toBe(6);
    expect(mondayOf('2026-10-04')).toBe('2026-09-28');
    expect(mondayOf('2026-09-28')).toBe('2026-09-28');
  });

  it("takes the agent's date in Asia/Shanghai, whatever offset its clock is written in", () => {
    expect(shanghaiDateOf('2026-09-28T09:00:00.000+08:00')).toBe('2026-09-28');
    expect(shanghaiDateOf('2026-09-27T16:30:00Z')).toBe('2026-09-28');
    expect(shanghaiDateOf('not a time')).toBeUndefined();
  });

  it('shows whole weeks from this week to the week of the last bookable day, at most 62 days', () => {
    expect(calendarRange('2026-09-28', '2026-10-10')).toEqual({ from: '2026-09-28', to: '2026-10-11' });
    expect(calendarRange('2026-12-30', '2027-01-08')).toEqual({ from: '2026-12-28', to: '2027-01-10' });
    const far = calendarRange('2026-01-07', '2026-06-30');
    expect(far.from).toBe('2026-01-05');
    expect(weekdayOf(far.to)).toBe(0);
    expect((Date.parse(far.to) - Date.parse(far.from)) / 86_400_000).toBeLessThan(62);
    expect(weeksOf(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])).toEqual([['a', 'b', 'c', 'd', 'e', 'f', 'g'], ['h']]);
  });

  it('marks holidays before anything else, then free, full, missing data, weekend, not bookable', () => {
    const base = { date: '2026-10-01', workday: false, bookable: false, remaining: 0 };
    expect(dayStatus({ ...base, holiday: '国庆节' })).toBe('holiday');
    expect(dayStatus({ ...base, workday: true, bookable: true, remaining: 3, makeupWorkday: '国庆节' })).toBe('free');
    expect(dayStatus({ ...base, workday: true, bookable: true, remaining: 0 })).toBe('full');
    expect(dayStatus({ ...base, holidayDataMissing: true })).toBe('dataMissing');
    expect(dayStatus(base)).toBe('closed');
    expect(dayStatus({ ...base, workday: true })).toBe('unavailable');
  });

  it('reads slot times as the agent wrote them (+08:00)', () => {
    expect(clockTime('2026-10-08T13:30:00+08:00')).toBe('13:30');
    expect(isMorning('2026-10-08T11:30:00+08:00')).toBe(true);
    expect(isMorning('2026-10-08T12:00:00+08:00')).toBe(false);
    expect(normalizeCode('k7m-3hx')).toBe('K7M3HX');
  });

  it('has a polite text in both languages for every refusal and every print failure', () => {
    const zh: Readonly<Record<string, string>> = bookingZhCN;
    const en: Readonly<Record<string, string>> = bookingEn;
    for (const code of BOOKING_PROBLEMS) {
      for (const part of ['title', 'body']) {
        expect(zh[`booking.error.${code}.${part}`], code).toBeTruthy();
        expect(en[`booking.error.${code}.${part}`], code).toBeTruthy();
      }
    }
    for (const code of [...PRINT_ERROR_CODES, 'unavailable']) {
      expect(zh[`booking.print.error.${code}`], code).toBeTruthy();
      expect(en[`booking.print.error.${code}`], code).toBeTruthy();
    }
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('turns failures into what the citizen is told', () => {
    expect(bookingProblemOf('slotFull', 'The slot is full.')).toEqual({ code: 'slotFull' });
    expect(bookingProblemOf('suspended', 'Until 2026-11-30T09:00:00+08:00.')).toEqual({ code: 'suspended', until: '2026-11-30 09:00' });
    expect(bookingProblemOf('suspended', undefined)).toEqual({ code: 'suspended' });
    expect(bookingProblemOf('bookingUnavailable', 'x')).toEqual({ code: 'bookingUnavailable' });
    expect(bookingProblemOf(undefined, undefined)).toEqual({ code: 'unavailable' });
    expect(bookingProblemOf('somethingNew', undefined)).toEqual({ code: 'unavailable' });
  });
});
