import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { QueueTicketSchema } from './booking.ts';

/**
 * The hall's queue (排队号, issue 14). A booking's ticket is issued by `Booking.CheckIn`; a walk-in
 * without a booking takes one here, from the same per-service, per-day sequence, so the hall's
 * calling system sees one queue.
 */
export const QUEUE_ERROR_CODES = [
  'unknownService',
  /** The service has no opening hours today (holiday, weekend, closed day). */
  'closed',
  /** The hall database does not answer: the ticket sequence is hall-wide. */
  'bookingUnavailable',
] as const;

export const queueCommands = {
  'Queue.Take': defineCommand({
    // `citizen`, not `none`: a walk-in ticket is a citizen's own step at the kiosk and must not be
    // issued while staff mode is on at the terminal; it needs no ID card (the ticket carries no
    // personal data, as at any hall's ticket dispenser).
    role: 'citizen',
    description: "A walk-in queue ticket for today's queue of a service (no booking, no ID card): number, window, people ahead, receipt.",
    payload: z.object({ serviceId: z.string().min(1).max(64) }),
    completion: z.object({ ticket: QueueTicketSchema }),
    errors: errorsOf(QUEUE_ERROR_CODES),
    events: {},
  }),
} as const;
