import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CardTypeSchema, isValidDate, parseClockTime } from '@onevisit/protocol';
import { agentPath } from '../../paths.ts';

/**
 * The hall calendar, as data (device-agent/config/booking/hall-calendar.json by default).
 * Everything a hall may want to change without a software update lives here:
 * services, windows, opening hours, breaks, notice, horizon, blocked periods,
 * holiday overrides and the booking rules.
 */

const DateSchema = z.string().refine(isValidDate, 'expected an existing YYYY-MM-DD date');
const ClockSchema = z.string().refine((t) => {
  try {
    parseClockTime(t);
    return true;
  } catch {
    return false;
  }
}, 'expected HH:MM');
/** `YYYY-MM-DD` (a whole day) or `YYYY-MM-DDTHH:MM` in Asia/Shanghai. */
const LocalMomentSchema = z.string().refine((t) => {
  const [date, time] = t.split('T');
  if (date === undefined || !isValidDate(date)) return false;
  if (time === undefined) return !t.includes('T');
  return /^([01]\d|2[0-4]):[0-5]\d$/.test(time);
}, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (Asia/Shanghai)');

export const TextSchema = z.object({ 'zh-CN': z.string().min(1).max(200), en: z.string().min(1).max(200) });
export type Text = z.infer<typeof TextSchema>;

const IntervalSchema = z
  .object({ start: ClockSchema, end: ClockSchema })
  .refine((i) => parseClockTime(i.start) < parseClockTime(i.end), 'start must be before end');

export const DayHoursSchema = z
  .object({
    open: ClockSchema,
    close: ClockSchema,
    /** Lunch and other breaks: no slot overlaps one. */
    breaks: z.array(IntervalSchema).max(8).default([]),
  })
  .refine((h) => parseClockTime(h.open) < parseClockTime(h.close), 'open must be before close');
export type DayHours = z.infer<typeof DayHoursSchema>;

/** `null` = closed that weekday. */
const WeekHoursSchema = z.object({
  mon: DayHoursSchema.nullable(),
  tue: DayHoursSchema.nullable(),
  wed: DayHoursSchema.nullable(),
  thu: DayHoursSchema.nullable(),
  fri: DayHoursSchema.nullable(),
  sat: DayHoursSchema.nullable(),
  sun: DayHoursSchema.nullable(),
});
export type WeekHours = z.infer<typeof WeekHoursSchema>;
export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

const CheckInSchema = z.object({
  /** Check-in opens this many minutes before the slot starts. */
  openMinutesBefore: z.number().int().min(0).max(24 * 60),
  /** …and closes this many minutes after it starts; later, the booking is a no-show. */
  closeMinutesAfter: z.number().int().min(0).max(24 * 60),
});

const MaterialSchema = z.object({
  name: TextSchema,
  /** Copies to bring, when it matters (e.g. 2 photocopies). */
  copies: z.number().int().min(1).max(20).optional(),
  note: TextSchema.optional(),
  /** Only for holders of these cards (a household register is for residents only, issue 10); default everyone. */
  cardTypes: z.array(CardTypeSchema).min(1).optional(),
});
export type Material = z.infer<typeof MaterialSchema>;

const IdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'ids are lowercase letters, digits and -');

const ServiceSchema = z.object({
  id: IdSchema,
  name: TextSchema,
  /** Ids of the windows that serve this service; bookings are spread over them. */
  windows: z.array(IdSchema).min(1).max(32),
  slotMinutes: z.number().int().min(5).max(480),
  /** Seats per slot for the whole service (all its windows together). */
  capacityPerSlot: z.number().int().min(1).max(500),
  checkIn: CheckInSchema.optional(),
  /** 一次性告知单: everything to bring, so that one visit is enough. */
  materials: z.array(MaterialSchema).max(40).default([]),
  /** Weekdays this service is offered (0 = Sunday … 6 = Saturday); default every open day. */
  weekdays: z.array(z.number().int().min(0).max(6)).max(7).optional(),
});
export type ServiceConfig = z.infer<typeof ServiceSchema>;

const BlockedSchema = z.object({
  /** Inclusive; a bare date means from 00:00 of that day. */
  from: LocalMomentSchema,
  /** A bare date means until the end of that day; a time is exclusive. */
  to: LocalMomentSchema,
  /** Only these services; all when absent. */
  serviceIds: z.array(IdSchema).optional(),
  reason: TextSchema.optional(),
});
export type BlockedConfig = z.infer<typeof BlockedSchema>;

const DayOverrideSchema = z.object({ date: DateSchema, name: TextSchema.optional() });

export const RulesSchema = z.object({
  /** A person holds at most one active booking per service. */
  oneActivePerService: z.boolean().default(true),
  /** A person holds at most this many bookings on one day (all services together). */
  dailyCapPerPerson: z.number().int().min(1).max(50).default(2),
  /** Cancelling (and rescheduling away) is possible until this many hours before the start. */
  cancelUntilHoursBefore: z.number().min(0).max(24 * 14).default(2),
  noShow: z
    .object({
      /** This many no-shows … */
      threshold: z.number().int().min(1).max(100).default(3),
      /** … within this many days … */
      windowDays: z.number().int().min(1).max(3650).default(90),
      /** … suspend booking rights for this many days after the last of them. 0 disables suspension. */
      suspendDays: z.number().int().min(0).max(3650).default(30),
    })
    .prefault({}),
});
export type BookingRules = z.infer<typeof RulesSchema>;

export const HallCalendarSchema = z
  .object({
    hall: z.object({ name: TextSchema, address: TextSchema.optional() }),
    windows: z.array(z.object({ id: IdSchema, name: TextSchema })).min(1).max(64),
    services: z.array(ServiceSchema).min(1).max(200),
    hours: WeekHoursSchema,
    /** Hours of a make-up working day (调休上班) that falls on a weekday the hall is normally closed. */
    makeupDayHours: DayHoursSchema.optional(),
    /** Book at least this many working days ahead (0 = the same day, with `sameDayLeadMinutes`). */
    minNoticeWorkingDays: z.number().int().min(0).max(60).default(1),
    sameDayLeadMinutes: z.number().int().min(0).max(24 * 60).default(30),
    /** Book at most this many working days ahead. */
    horizonWorkingDays: z.number().int().min(1).max(120).default(5),
    checkIn: CheckInSchema.default({ openMinutesBefore: 30, closeMinutesAfter: 15 }),
    blocked: z.array(BlockedSchema).max(500).default([]),
    /** Hall overrides on top of the statutory calendar. */
    extraHolidays: z.array(DayOverrideSchema).max(500).default([]),
    extraWorkdays: z.array(DayOverrideSchema).max(500).default([]),
    /** Folder of per-year holiday files (`2027.json`), relative to this file. */
    holidayDataDir: z.string().min(1).default('holidays'),
    /** Dates whose year no holiday data covers: `closed` (safe default) or plain weekday hours. */
    whenHolidayDataMissing: z.enum(['closed', 'weekdayHours']).default('closed'),
    rules: RulesSchema.prefault({}),
  })
  .superRefine((cal, ctx) => {
    const windowIds = new Set(cal.windows.map((w) => w.id));
    const serviceIds = new Set<string>();
    cal.services.forEach((s, i) => {
      if (serviceIds.has(s.id)) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id ${s.id}` });
      serviceIds.add(s.id);
      s.windows.forEach((w, j) => {
        if (!windowIds.has(w)) ctx.addIssue({ code: 'custom', path: ['services', i, 'windows', j], message: `unknown window ${w}` });
      });
    });
    cal.blocked.forEach((b, i) => {
      for (const id of b.serviceIds ?? []) {
        if (!serviceIds.has(id)) ctx.addIssue({ code: 'custom', path: ['blocked', i, 'serviceIds'], message: `unknown service ${id}` });
      }
    });
  });
export type HallCalendarConfig = z.infer<typeof HallCalendarSchema>;
export type HallCalendarInput = z.input<typeof HallCalendarSchema>;

export class CalendarConfigError extends Error {
  override readonly name = 'CalendarConfigError';
}

export interface LoadedCalendarConfig {
  readonly config: HallCalendarConfig;
  /** Absolute folder of per-year holiday files. */
  readonly holidayDataDir: string;
  readonly path: string;
}

/** The calendar shipped with the agent. */
export const DEFAULT_CALENDAR_PATH = agentPath('config', 'booking', 'hall-calendar.json');

/** Reads and validates a hall calendar file; throws CalendarConfigError with every problem listed. */
export function loadCalendarConfig(path: string = DEFAULT_CALENDAR_PATH): LoadedCalendarConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CalendarConfigError(`cannot read hall calendar ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = HallCalendarSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CalendarConfigError(`invalid hall calendar ${path}: ${problems}`);
  }
  return { config: parsed.data, holidayDataDir: resolve(dirname(path), parsed.data.holidayDataDir), path };
}
