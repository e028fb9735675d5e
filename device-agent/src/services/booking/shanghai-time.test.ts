import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, testCalendar } from './booking-test-support.ts';
import {
  addDays,
  daysBetween,
  formatIcsLocal,
  formatIcsUtc,
  formatShanghaiIso,
  isValidDate,
  parseIsoInstant,
  shanghaiDate,
  shanghaiInstant,
  shanghaiMinuteOfDay,
  weekdayOf,
} from '@onevisit/protocol';

/**
 * This file runs with the process in America/New_York (which has daylight saving,
 * switching on 2026-11-01 and 2027-03-14) to show that no booking time depends on
 * the machine's zone. Node re-reads process.env.TZ when it is assigned.
 */
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('Asia/Shanghai time, whatever the process TZ', () => {
  it('really runs in New York with daylight saving', () => {
    // Local-time constructors are used here on purpose, only to prove the zone is in effect.
    expect(new Date(2026, 6, 1).getTimezoneOffset()).toBe(240);
    expect(new Date(2026, 11, 1).getTimezoneOffset()).toBe(300);
  });

  it('maps instants to Shanghai dates and minutes', () => {
    const ms = Date.UTC(2026, 10, 22, 16, 30); // 2026-11-23 00:30 in Shanghai
    expect(shanghaiDate(ms)).toBe('2026-11-23');
    expect(shanghaiMinuteOfDay(ms)).toBe(30);
    expect(formatShanghaiIso(ms)).toBe('2026-11-23T00:30:00+08:00');
    expect(shanghaiInstant('2026-11-23', 9 * 60)).toBe(Date.UTC(2026, 10, 23, 1, 0));
  });

  it('keeps slot times fixed across the US daylight-saving switches', () => {
    const cal = testCalendar();
    // 2026-11-02 is the Monday after New York leaves DST; 2027 data is missing, so use 2026 dates only.
    for (const date of ['2026-10-30', '2026-11-02', '2026-12-31']) {
      const first = cal.slotsOn('hukou', date)[0];
      expect(first && formatShanghaiIso(first.startMs)).toBe(`${date}T09:00:00+08:00`);
      expect(first && first.startMs).toBe(at(`${date}T01:00:00Z`));
    }
  });

  it('parses ISO instants with any offset and refuses ones without', () => {
    expect(parseIsoInstant('2026-11-23T09:00:00+08:00')).toBe(Date.UTC(2026, 10, 23, 1));
    expect(parseIsoInstant('2026-11-23T01:00:00Z')).toBe(Date.UTC(2026, 10, 23, 1));
    expect(parseIsoInstant('2026-11-22T20:00:00-05:00')).toBe(Date.UTC(2026, 10, 23, 1));
    expect(parseIsoInstant('2026-11-23T09:00:00.000+08:00')).toBe(Date.UTC(2026, 10, 23, 1));
    expect(parseIsoInstant('2026-11-23T09:00:00')).toBeUndefined();
    expect(parseIsoInstant('2026-02-30T09:00:00+08:00')).toBeUndefined();
    expect(parseIsoInstant('2026-11-23T25:00:00+08:00')).toBeUndefined();
  });

  it('does calendar arithmetic across month, year and leap-day boundaries', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
    expect(weekdayOf('2026-11-21')).toBe(6);
    expect(weekdayOf('2027-03-14')).toBe(0);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2028-02-29')).toBe(true);
  });

  it('formats iCalendar times in UTC and in Shanghai local time', () => {
    const ms = at('2026-11-23T09:00:00+08:00');
    expect(formatIcsUtc(ms)).toBe('20261123T010000Z');
    expect(formatIcsLocal(ms)).toBe('20261123T090000');
  });
});
