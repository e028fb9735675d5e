import type { BlockedConfig, DayHours, HallCalendarConfig, ServiceConfig, Text } from './calendar-config.ts';
import { WEEKDAY_KEYS } from './calendar-config.ts';
import type { HolidayTable } from './holiday-data.ts';
import {
  addDays,
  MINUTE_MS,
  parseClockTime,
  shanghaiDate,
  shanghaiInstant,
  weekdayOf,
  yearOf,
} from '@onevisit/protocol';

/** What the calendar says about one Shanghai calendar date. */
export interface DayInfo {
  readonly date: string;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  /** The hall is open for bookings (it may still have no free or unblocked slot). */
  readonly workday: boolean;
  /** Set on a statutory or hall holiday. */
  readonly holiday?: Text;
  /** Set on a make-up working day (调休上班): open with normal hours. */
  readonly makeupWorkday?: Text;
  /** No holiday data covers this date's year: staff must add it. */
  readonly holidayDataMissing?: true;
  /** Open intervals in minutes after midnight, breaks removed. Empty when closed. */
  readonly openIntervals: readonly (readonly [number, number])[];
}

export interface Slot {
  readonly serviceId: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** How far ahead a person may book, as Shanghai dates (inclusive). */
export interface BookingWindow {
  readonly today: string;
  readonly earliest: string;
  readonly latest: string;
  /** With a 0-day notice, slots today must start at or after this instant. */
  readonly notBeforeMs: number;
}

export type SlotProblem = 'unknownService' | 'holiday' | 'closed' | 'notASlot' | 'blocked' | 'holidayDataMissing';

/** How many calendar days the horizon search walks at most (a long holiday plus missing data). */
const MAX_SCAN_DAYS = 120;

function intervalsOf(hours: DayHours | null): (readonly [number, number])[] {
  if (!hours) return [];
  let parts: [number, number][] = [[parseClockTime(hours.open), parseClockTime(hours.close)]];
  for (const b of hours.breaks) {
    const bs = parseClockTime(b.start);
    const be = parseClockTime(b.end);
    parts = parts.flatMap(([s, e]): [number, number][] => {
      if (be <= s || bs >= e) return [[s, e]];
      const out: [number, number][] = [];
      if (bs > s) out.push([s, bs]);
      if (be < e) out.push([be, e]);
      return out;
    });
  }
  return parts;
}

interface BlockedRange {
  readonly fromMs: number;
  readonly toMs: number;
  readonly serviceIds: ReadonlySet<string> | undefined;
}

function blockedRange(b: BlockedConfig): BlockedRange {
  const moment = (text: string, end: boolean): number => {
    const [date = text, time] = text.split('T');
    if (time === undefined) return shanghaiInstant(end ? addDays(date, 1) : date, 0);
    return shanghaiInstant(date, parseClockTime(time));
  };
  return { fromMs: moment(b.from, false), toMs: moment(b.to, true), serviceIds: b.serviceIds ? new Set(b.serviceIds) : undefined };
}

/**
 * The hall's calendar: which dates are open, with which hours, which slots each
 * service offers and how far ahead one may book. Pure: "now" is always passed in.
 */
export class HallCalendar {
  readonly config: HallCalendarConfig;
  readonly #holidays: HolidayTable;
  readonly #services: ReadonlyMap<string, ServiceConfig>;
  readonly #blocked: readonly BlockedRange[];
  readonly #extraHolidays: ReadonlyMap<string, Text>;
  readonly #extraWorkdays: ReadonlyMap<string, Text>;
  readonly #dayCache = new Map<string, DayInfo>();

  constructor(config: HallCalendarConfig, holidays: HolidayTable) {
    this.config = config;
    this.#holidays = holidays;
    this.#services = new Map(config.services.map((s) => [s.id, s]));
    this.#blocked = config.blocked.map(blockedRange);
    const fallback: Text = { 'zh-CN': '休息日', en: 'Day off' };
    this.#extraHolidays = new Map(config.extraHolidays.map((d) => [d.date, d.name ?? fallback]));
    this.#extraWorkdays = new Map(config.extraWorkdays.map((d) => [d.date, d.name ?? { 'zh-CN': '工作日', en: 'Working day' }]));
  }

  services(): readonly ServiceConfig[] {
    return this.config.services;
  }

  service(id: string): ServiceConfig | undefined {
    return this.#services.get(id);
  }

  holidayTable(): HolidayTable {
    return this.#holidays;
  }

  /** Normal hours of a weekday, `null` when closed. */
  #weekdayHours(weekday: number): DayHours | null {
    const key = WEEKDAY_KEYS[weekday];
    return key === undefined ? null : this.config.hours[key];
  }

  /** A make-up working day keeps its weekday's hours, or the hall's make-up hours (else Monday's) if that weekday is closed. */
  #makeupHours(weekday: number): DayHours | null {
    return this.#weekdayHours(weekday) ?? this.config.makeupDayHours ?? this.config.hours.mon;
  }

  day(date: string): DayInfo {
    const cached = this.#dayCache.get(date);
    if (cached) return cached;
    const info = this.#computeDay(date);
    if (this.#dayCache.size > 4000) this.#dayCache.clear();
    this.#dayCache.set(date, info);
    return info;
  }

  #computeDay(date: string): DayInfo {
    const weekday = weekdayOf(date);
    const open = (hours: DayHours | null, extra: Partial<Pick<DayInfo, 'makeupWorkday' | 'holidayDataMissing'>> = {}): DayInfo => {
      const openIntervals = intervalsOf(hours);
      return { date, weekday, workday: openIntervals.length > 0, openIntervals, ...extra };
    };
    const closedFor = (holiday: Text): DayInfo => ({ date, weekday, workday: false, holiday, openIntervals: [] });

    // The hall's own overrides win over everything.
    const hallHoliday = this.#extraHolidays.get(date);
    if (hallHoliday) return closedFor(hallHoliday);
    const hallWorkday = this.#extraWorkdays.get(date);
    if (hallWorkday) return open(this.#makeupHours(weekday), { makeupWorkday: hallWorkday });

    const mark = this.#holidays.lookup(date);
    if (mark === undefined) {
      if (this.config.whenHolidayDataMissing === 'weekdayHours') return open(this.#weekdayHours(weekday), { holidayDataMissing: true });
      return { date, weekday, workday: false, holidayDataMissing: true, openIntervals: [] };
    }
    if (mark === null) return open(this.#weekdayHours(weekday));
    if (mark.kind === 'holiday') return closedFor(mark.name);
    return open(this.#makeupHours(weekday), { makeupWorkday: mark.name });
  }

  /** The n-th working day strictly after `date` (n ≥ 1), or undefined within the scan limit. */
  nthWorkingDayAfter(date: string, n: number): string | undefined {
    let found = 0;
    for (let i = 1; i <= MAX_SCAN_DAYS; i += 1) {
      const d = addDays(date, i);
      if (this.day(d).workday) {
        found += 1;
        if (found >= n) return d;
      }
    }
    return undefined;
  }

  /**
   * Earliest and latest bookable dates seen from `nowMs`: at least `minNoticeWorkingDays`
   * working days ahead, at most `horizonWorkingDays`. With notice 0, today counts when open.
   */
  bookingWindow(nowMs: number): BookingWindow {
    const today = shanghaiDate(nowMs);
    const { minNoticeWorkingDays, horizonWorkingDays, sameDayLeadMinutes } = this.config;
    const earliest =
      minNoticeWorkingDays === 0 ? today : (this.nthWorkingDayAfter(today, minNoticeWorkingDays) ?? addDays(today, MAX_SCAN_DAYS + 1));
    let latest = today;
    let counted = this.day(today).workday && minNoticeWorkingDays === 0 ? 1 : 0;
    if (counted >= horizonWorkingDays) latest = today;
    else {
      for (let i = 1; i <= MAX_SCAN_DAYS; i += 1) {
        const d = addDays(today, i);
        if (this.day(d).workday) {
          counted += 1;
          latest = d;
          if (counted >= horizonWorkingDays) break;
        }
      }
    }
    return { today, earliest, latest, notBeforeMs: nowMs + sameDayLeadMinutes * MINUTE_MS };
  }

  #isBlocked(serviceId: string, startMs: number, endMs: number): boolean {
    return this.#blocked.some((b) => (!b.serviceIds || b.serviceIds.has(serviceId)) && startMs < b.toMs && endMs > b.fromMs);
  }

  #offeredOn(service: ServiceConfig, day: DayInfo): boolean {
    if (!day.workday) return false;
    // A make-up working day (调休上班) is a full working day: every service is offered.
    return !service.weekdays || day.makeupWorkday !== undefined || service.weekdays.includes(day.weekday);
  }

  /** Every slot of a service on a date (blocked periods removed), regardless of notice and horizon. */
  slotsOn(serviceId: string, date: string): Slot[] {
    const service = this.#services.get(serviceId);
    if (!service) return [];
    const day = this.day(date);
    if (!this.#offeredOn(service, day)) return [];
    const slots: Slot[] = [];
    for (const [from, to] of day.openIntervals) {
      for (let m = from; m + service.slotMinutes <= to; m += service.slotMinutes) {
        const startMs = shanghaiInstant(date, m);
        const endMs = startMs + service.slotMinutes * MINUTE_MS;
        if (!this.#isBlocked(serviceId, startMs, endMs)) slots.push({ serviceId, startMs, endMs });
      }
    }
    return slots;
  }

  /** Whether `startMs` starts a real slot of the service, and if not, why. */
  checkSlot(serviceId: string, startMs: number): { ok: true; slot: Slot } | { ok: false; problem: SlotProblem } {
    const service = this.#services.get(serviceId);
    if (!service) return { ok: false, problem: 'unknownService' };
    const date = shanghaiDate(startMs);
    const day = this.day(date);
    if (day.holiday) return { ok: false, problem: 'holiday' };
    if (day.holidayDataMissing && !day.workday) return { ok: false, problem: 'holidayDataMissing' };
    if (!this.#offeredOn(service, day)) return { ok: false, problem: 'closed' };
    const endMs = startMs + service.slotMinutes * MINUTE_MS;
    for (const [from, to] of day.openIntervals) {
      for (let m = from; m + service.slotMinutes <= to; m += service.slotMinutes) {
        if (shanghaiInstant(date, m) === startMs) {
          if (this.#isBlocked(serviceId, startMs, endMs)) return { ok: false, problem: 'blocked' };
          return { ok: true, slot: { serviceId, startMs, endMs } };
        }
      }
    }
    return { ok: false, problem: 'notASlot' };
  }

  /** Whether a slot lies within the booking window seen from `nowMs`; `tooSoon` covers the past too. */
  checkWindow(slot: Slot, nowMs: number): 'ok' | 'tooSoon' | 'outsideHorizon' {
    const w = this.bookingWindow(nowMs);
    const date = shanghaiDate(slot.startMs);
    if (date < w.earliest || slot.startMs < w.notBeforeMs) return 'tooSoon';
    if (date > w.latest) return 'outsideHorizon';
    return 'ok';
  }

  /** Years a date in [from, to] falls in that no holiday data covers. */
  missingYears(from: string, to: string): number[] {
    const missing: number[] = [];
    for (let y = yearOf(from); y <= yearOf(to); y += 1) if (!this.#holidays.covers(y)) missing.push(y);
    return missing;
  }
}
