import type { BookingRules } from './calendar-config.ts';
import type { BookingRecord } from '../../store/booking-store.ts';
import { DAY_MS, HOUR_MS } from '@onevisit/protocol';

/**
 * The booking rules as pure functions of a person's bookings and "now". The store
 * hands these functions a snapshot taken inside its transaction, so what they decide
 * holds when the write lands.
 */

export const BOOKING_VIEW_STATUSES = ['booked', 'checkedIn', 'cancelled', 'noShow'] as const;
export type BookingViewStatus = (typeof BOOKING_VIEW_STATUSES)[number];

/** `noShow` is a `booked` booking whose check-in window closed without a check-in. */
export function effectiveStatus(record: BookingRecord, nowMs: number): BookingViewStatus {
  if (record.status === 'booked' && record.checkInCloseMs < nowMs) return 'noShow';
  return record.status;
}

/** Still ahead (or checking in now): counts as the person's active booking. */
export function isActive(record: BookingRecord, nowMs: number): boolean {
  return effectiveStatus(record, nowMs) === 'booked';
}

/** How far back the person snapshot must reach for the no-show rule. */
export function personLookbackMs(rules: BookingRules): number {
  return (rules.noShow.windowDays + rules.noShow.suspendDays) * DAY_MS;
}

/**
 * When the person's booking rights come back, or undefined when not suspended:
 * `threshold` no-shows within `windowDays` suspend for `suspendDays` after the last of them.
 */
export function suspendedUntil(person: readonly BookingRecord[], nowMs: number, rules: BookingRules): number | undefined {
  const { threshold, windowDays, suspendDays } = rules.noShow;
  if (suspendDays <= 0) return undefined;
  const times = person
    .filter((r) => effectiveStatus(r, nowMs) === 'noShow')
    .map((r) => r.checkInCloseMs)
    .sort((a, b) => a - b);
  let until: number | undefined;
  for (let i = threshold - 1; i < times.length; i += 1) {
    const last = times[i];
    const first = times[i - threshold + 1];
    if (last === undefined || first === undefined) continue;
    if (last - first <= windowDays * DAY_MS) {
      const candidate = last + suspendDays * DAY_MS;
      if (until === undefined || candidate > until) until = candidate;
    }
  }
  return until !== undefined && nowMs < until ? until : undefined;
}

export type PersonRuleProblem = 'alreadyBooked' | 'dailyCapReached' | 'suspended';

/**
 * Whether this person may hold a booking of `serviceId` on `date`.
 * `movingCode` is the booking being rescheduled: it does not count against itself.
 */
export function checkPersonRules(
  person: readonly BookingRecord[],
  target: { readonly serviceId: string; readonly date: string; readonly movingCode?: string },
  nowMs: number,
  rules: BookingRules,
): { ok: true } | { ok: false; problem: PersonRuleProblem; untilMs?: number } {
  const until = suspendedUntil(person, nowMs, rules);
  if (until !== undefined) return { ok: false, problem: 'suspended', untilMs: until };
  const others = person.filter((r) => r.code !== target.movingCode);
  if (rules.oneActivePerService && others.some((r) => r.serviceId === target.serviceId && isActive(r, nowMs))) {
    return { ok: false, problem: 'alreadyBooked' };
  }
  const sameDay = others.filter((r) => r.date === target.date && (r.status === 'checkedIn' || isActive(r, nowMs))).length;
  if (sameDay >= rules.dailyCapPerPerson) return { ok: false, problem: 'dailyCapReached' };
  return { ok: true };
}

/** Cancelling or moving a booking is allowed until `cancelUntilHoursBefore` before its start. */
export function changeDeadlineMs(record: BookingRecord, rules: BookingRules): number {
  return record.startMs - rules.cancelUntilHoursBefore * HOUR_MS;
}

/** The window with the fewest bookings in the slot (ties: the order the hall listed them). */
export function pickWindow(windows: readonly string[], slotBookings: readonly BookingRecord[]): string {
  let best: string | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  for (const w of windows) {
    const count = slotBookings.filter((b) => b.windowId === w).length;
    if (count < bestCount) {
      best = w;
      bestCount = count;
    }
  }
  if (best === undefined) throw new Error('a service without windows');
  return best;
}
