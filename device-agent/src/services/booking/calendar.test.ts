import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { at, testCalendar } from './booking-test-support.ts';
import { CalendarConfigError, HallCalendarSchema, loadCalendarConfig, DEFAULT_CALENDAR_PATH } from './calendar-config.ts';
import { loadHallHolidayFiles, loadPackageHolidays } from './holiday-data.ts';
import { formatShanghaiIso } from '@onevisit/protocol';
import { testCalendarInput } from './booking-test-support.ts';

const times = (cal: ReturnType<typeof testCalendar>, serviceId: string, date: string): string[] =>
  cal.slotsOn(serviceId, date).map((s) => formatShanghaiIso(s.startMs).slice(11, 16));

describe('hall calendar', () => {
  it('closes on a statutory holiday and names it', () => {
    const cal = testCalendar();
    const day = cal.day('2026-10-01'); // Thursday, National Day
    expect(day.workday).toBe(false);
    expect(day.holiday?.['zh-CN']).toBe('国庆节');
    expect(day.holiday?.en).toBe('National Day');
    expect(cal.slotsOn('hukou', '2026-10-01')).toEqual([]);
    expect(cal.checkSlot('hukou', at('2026-10-01T09:00:00+08:00'))).toEqual({ ok: false, problem: 'holiday' });
    // The weekend days inside a holiday period are holidays too (2026-01-03 is a Saturday of 元旦).
    expect(cal.day('2026-01-03').holiday?.['zh-CN']).toBe('元旦');
  });

  it('opens a make-up Saturday (调休) with normal weekday hours', () => {
    const cal = testCalendar();
    const day = cal.day('2026-10-10'); // Saturday, make-up day for National Day
    expect(day.weekday).toBe(6);
    expect(day.workday).toBe(true);
    expect(day.makeupWorkday?.['zh-CN']).toBe('国庆节');
    expect(times(cal, 'hukou', '2026-10-10')).toEqual(times(cal, 'hukou', '2026-10-12'));
    expect(cal.day('2026-10-17').workday).toBe(false); // an ordinary Saturday
  });

  it('uses the make-up hours of the hall when the weekday is normally closed', () => {
    const cal = testCalendar({ makeupDayHours: { open: '10:00', close: '12:00' } });
    expect(times(cal, 'shebao', '2026-10-10')).toEqual(['10:00', '11:00']);
  });

  it('leaves the break out of the slots', () => {
    const cal = testCalendar();
    const slots = times(cal, 'hukou', '2026-11-23');
    expect(slots).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30']);
    expect(cal.checkSlot('hukou', at('2026-11-23T12:00:00+08:00'))).toEqual({ ok: false, problem: 'notASlot' });
    // A 60-minute slot may not straddle the break: 11:00–12:00 is the last before it, 13:30 the first after.
    expect(times(cal, 'shebao', '2026-11-23')).toEqual(['09:00', '10:00', '11:00', '13:30', '14:30', '15:30']);
  });

  it('requires at least one working day of notice', () => {
    const cal = testCalendar();
    // Friday evening: Saturday and Sunday are closed, Monday is the first working day.
    const w = cal.bookingWindow(at('2026-11-20T22:00:00+08:00'));
    expect(w.earliest).toBe('2026-11-23');
    // Monday morning: not today, Tuesday.
    expect(cal.bookingWindow(at('2026-11-23T08:00:00+08:00')).earliest).toBe('2026-11-24');
    const slot = cal.checkSlot('hukou', at('2026-11-23T09:00:00+08:00'));
    if (!slot.ok) throw new Error('expected a slot');
    expect(cal.checkWindow(slot.slot, at('2026-11-23T08:00:00+08:00'))).toBe('tooSoon');
    expect(cal.checkWindow(slot.slot, at('2026-11-20T22:00:00+08:00'))).toBe('ok');
  });

  it('allows the same day with a lead time when notice is 0', () => {
    const cal = testCalendar({ minNoticeWorkingDays: 0, sameDayLeadMinutes: 30 });
    const w = cal.bookingWindow(at('2026-11-23T10:10:00+08:00'));
    expect(w.earliest).toBe('2026-11-23');
    expect(w.latest).toBe('2026-11-27');
    const s1030 = cal.checkSlot('hukou', at('2026-11-23T10:30:00+08:00'));
    const s1100 = cal.checkSlot('hukou', at('2026-11-23T11:00:00+08:00'));
    if (!s1030.ok || !s1100.ok) throw new Error('expected slots');
    expect(cal.checkWindow(s1030.slot, at('2026-11-23T10:10:00+08:00'))).toBe('tooSoon');
    expect(cal.checkWindow(s1100.slot, at('2026-11-23T10:10:00+08:00'))).toBe('ok');
  });

  it('stops at a horizon of 5 working days, counting across a holiday and a make-up day', () => {
    const cal = testCalendar();
    // Tuesday 29 September 2026: 30 Sep, (1–7 Oct holiday), 8 Oct, 9 Oct, Sat 10 Oct (make-up), Mon 12 Oct.
    const w = cal.bookingWindow(at('2026-09-29T10:00:00+08:00'));
    expect(w.earliest).toBe('2026-09-30');
    expect(w.latest).toBe('2026-10-12');
    const beyond = cal.checkSlot('hukou', at('2026-10-13T09:00:00+08:00'));
    if (!beyond.ok) throw new Error('expected a slot');
    expect(cal.checkWindow(beyond.slot, at('2026-09-29T10:00:00+08:00'))).toBe('outsideHorizon');
  });

  it('crosses a month boundary', () => {
    const cal = testCalendar();
    const w = cal.bookingWindow(at('2026-11-27T15:00:00+08:00')); // Friday
    expect(w).toMatchObject({ today: '2026-11-27', earliest: '2026-11-30', latest: '2026-12-04' });
  });

  it('treats a year without holiday data as closed, and opens it once the hall adds the year', () => {
    const years = loadPackageHolidays().map((y) => y.year);
    expect(years).toContain(2026);
    expect(years).not.toContain(2027); // chinese-days 1.5.7 stops at 2026: the reason for hall files.

    const cal = testCalendar();
    const now = at('2026-12-28T10:00:00+08:00'); // Monday
    const w = cal.bookingWindow(now);
    expect(w.earliest).toBe('2026-12-29');
    expect(w.latest).toBe('2026-12-31'); // 2027 is unknown: not counted, not offered
    expect(cal.day('2027-01-04')).toMatchObject({ workday: false, holidayDataMissing: true });
    expect(cal.checkSlot('hukou', at('2027-01-04T09:00:00+08:00'))).toEqual({ ok: false, problem: 'holidayDataMissing' });
    expect(cal.missingYears('2026-12-28', '2027-01-31')).toEqual([2027]);

    const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
    try {
      writeFileSync(
        join(dir, '2027.json'),
        JSON.stringify({
          year: 2027,
          holidays: [
            { date: '2027-01-01', name: { 'zh-CN': '元旦', en: "New Year's Day" } },
            { date: '2027-01-02', name: '元旦' },
            { date: '2027-01-03', name: '元旦' },
          ],
          workdays: [],
        }),
      );
      const loaded = loadHallHolidayFiles(dir);
      expect(loaded.problems).toEqual([]);
      const withFile = testCalendar({}, loaded.years);
      expect(withFile.day('2027-01-01').holiday?.['zh-CN']).toBe('元旦');
      expect(withFile.day('2027-01-04').workday).toBe(true);
      const w2 = withFile.bookingWindow(now);
      expect(w2.latest).toBe('2027-01-05'); // 29, 30, 31 Dec, then 4 and 5 Jan
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets the hall open weekdays by rule when configured so for missing data', () => {
    const cal = testCalendar({ whenHolidayDataMissing: 'weekdayHours' });
    expect(cal.day('2027-01-04')).toMatchObject({ workday: true, holidayDataMissing: true });
  });

  it('applies hall overrides: an extra day off and an extra working Sunday', () => {
    const cal = testCalendar({
      extraHolidays: [{ date: '2026-11-25', name: { 'zh-CN': '系统升级', en: 'System upgrade' } }],
      extraWorkdays: [{ date: '2026-11-29' }],
    });
    expect(cal.day('2026-11-25')).toMatchObject({ workday: false, holiday: { 'zh-CN': '系统升级' } });
    expect(cal.day('2026-11-29').workday).toBe(true);
    expect(times(cal, 'hukou', '2026-11-29')[0]).toBe('09:00');
  });

  it('removes slots that overlap a blocked period, for the named services only', () => {
    const cal = testCalendar({ blocked: [{ from: '2026-11-24T14:00', to: '2026-11-24T15:00', serviceIds: ['hukou'] }, { from: '2026-11-26', to: '2026-11-26' }] });
    expect(times(cal, 'hukou', '2026-11-24')).not.toContain('14:00');
    expect(times(cal, 'hukou', '2026-11-24')).not.toContain('14:30');
    expect(times(cal, 'hukou', '2026-11-24')).toContain('15:00');
    expect(times(cal, 'shebao', '2026-11-24')).toContain('13:30');
    expect(cal.slotsOn('shebao', '2026-11-26')).toEqual([]);
    expect(cal.checkSlot('hukou', at('2026-11-24T14:00:00+08:00'))).toEqual({ ok: false, problem: 'blocked' });
  });

  it('offers a weekday-limited service only on its days', () => {
    const input = testCalendarInput();
    const cal = testCalendar({ services: input.services.map((s) => (s.id === 'gongjijin' ? { ...s, weekdays: [2, 4] } : s)) });
    expect(cal.slotsOn('gongjijin', '2026-11-23')).toEqual([]); // Monday
    expect(cal.slotsOn('gongjijin', '2026-11-24').length).toBeGreaterThan(0); // Tuesday
    expect(cal.checkSlot('gongjijin', at('2026-11-23T09:00:00+08:00'))).toEqual({ ok: false, problem: 'closed' });
  });
});

describe('hall calendar file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('ships a valid default calendar', () => {
    const loaded = loadCalendarConfig(DEFAULT_CALENDAR_PATH);
    expect(loaded.config.minNoticeWorkingDays).toBe(1);
    expect(loaded.config.horizonWorkingDays).toBe(5);
    expect(loaded.config.services.length).toBeGreaterThan(0);
    expect(loaded.config.services.every((s) => s.materials.length > 0)).toBe(true);
  });

  it('rejects a service that names an unknown window, with the path of the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendar-'));
    dirs.push(dir);
    const input = testCalendarInput();
    const bad = { ...input, services: [{ ...input.services[0], windows: ['w9'] }] };
    writeFileSync(join(dir, 'hall.json'), JSON.stringify(bad));
    expect(() => loadCalendarConfig(join(dir, 'hall.json'))).toThrow(CalendarConfigError);
    expect(() => loadCalendarConfig(join(dir, 'hall.json'))).toThrow(/services\.0\.windows\.0: unknown window w9/);
  });

  it('fills in the defaults: 1 working day notice, 5 working days horizon, rules', () => {
    const parsed = HallCalendarSchema.parse(testCalendarInput());
    expect(parsed).toMatchObject({
      minNoticeWorkingDays: 1,
      horizonWorkingDays: 5,
      rules: { oneActivePerService: true, dailyCapPerPerson: 2, noShow: { threshold: 3, windowDays: 90, suspendDays: 30 } },
    });
  });

  it('reports a broken hall holiday file instead of using it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
    dirs.push(dir);
    writeFileSync(join(dir, '2027.json'), JSON.stringify({ year: 2028, holidays: [] }));
    writeFileSync(join(dir, '2029.json'), '{ not json');
    const loaded = loadHallHolidayFiles(dir);
    expect(loaded.years).toEqual([]);
    expect(loaded.problems).toHaveLength(2);
  });

  it('accepts a year file copied from a newer chinese-days release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, '2027.json'),
      JSON.stringify({ holidays: { '2027-01-01': "New Year's Day,元旦,1" }, workdays: { '2027-02-06': 'Spring Festival,春节,4' }, inLieuDays: {} }),
    );
    const loaded = loadHallHolidayFiles(dir);
    expect(loaded.problems).toEqual([]);
    const cal = testCalendar({}, loaded.years);
    expect(cal.day('2027-01-01').holiday).toEqual({ 'zh-CN': '元旦', en: "New Year's Day" });
    expect(cal.day('2027-02-06').makeupWorkday?.['zh-CN']).toBe('春节');
  });
});
