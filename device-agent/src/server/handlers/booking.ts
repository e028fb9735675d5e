import type { BookingErrorCode, CommandName, CompletionCode } from '@onevisit/protocol';
import type { BookingResult, BookingService } from '../../services/booking/booking-service.ts';
import { isBookingUnavailable } from '../../services/booking/booking-service.ts';
import { failure, success, type CommandContext, type CommandOutcome, type HandlersFor } from '../handler.ts';
import { rememberSlip } from '../session.ts';

/**
 * `Booking.*`: thin mapping from the protocol to BookingService (services/booking).
 * Every rule is enforced in the service; failures are values with a stable errorCode.
 */

const COMPLETION: Record<BookingErrorCode, Exclude<CompletionCode, 'success'>> = {
  identityRequired: 'userError',
  unknownService: 'invalidData',
  invalidTime: 'invalidData',
  invalidRange: 'invalidData',
  notASlot: 'userError',
  holiday: 'userError',
  closed: 'userError',
  blocked: 'userError',
  holidayDataMissing: 'userError',
  tooSoon: 'userError',
  outsideHorizon: 'userError',
  slotFull: 'userError',
  alreadyBooked: 'userError',
  dailyCapReached: 'userError',
  suspended: 'userError',
  notFound: 'userError',
  notYourBooking: 'userError',
  alreadyCancelled: 'userError',
  alreadyCheckedIn: 'userError',
  noShow: 'userError',
  tooLateToCancel: 'userError',
  tooLateToReschedule: 'userError',
  notToday: 'userError',
  checkInNotYetOpen: 'userError',
  checkInClosed: 'userError',
};

/** Every Booking.* command declares the booking service's codes (protocol messages/booking.ts). */
type BookingCommand = Extract<CommandName, `Booking.${string}`>;

function refused<N extends BookingCommand>(result: { readonly error: BookingErrorCode; readonly message: string }): CommandOutcome<N> {
  return failure<N>(COMPLETION[result.error], result.error, result.message);
}

async function run<N extends BookingCommand, T>(
  ctx: CommandContext<N>,
  call: (booking: BookingService) => Promise<BookingResult<T>> | BookingResult<T>,
  toPayload: (value: T) => Parameters<typeof success<N>>[0],
): Promise<CommandOutcome<N>> {
  let result: BookingResult<T>;
  try {
    result = await call(ctx.services.booking);
  } catch (error) {
    // The hall database is away (issue 14): say so plainly; the agent reconnects by itself.
    if (!isBookingUnavailable(error)) throw error;
    return failure<N>('deviceNotReady', 'bookingUnavailable', 'Booking is unavailable right now: the hall database does not answer. Applications and pickup still work.');
  }
  return result.ok ? success<N>(toPayload(result.value)) : refused<N>(result);
}

export const bookingHandlers: HandlersFor<'Booking'> = {
  'Booking.ListServices': (ctx) =>
    run(
      ctx,
      (b) => ({ ok: true, value: b.listServices() }),
      (services) => ({ services }),
    ),

  'Booking.ListSlots': (ctx) =>
    run(
      ctx,
      (b) => b.listSlots(ctx.payload.serviceId, ctx.payload.from, ctx.payload.to),
      (v) => v,
    ),

  'Booking.Reserve': (ctx) =>
    run(
      ctx,
      (b) => b.reserve(ctx.session.identity, ctx.payload.serviceId, ctx.payload.start),
      (v) => {
        rememberSlip(ctx.session, v.slip);
        return v;
      },
    ),

  'Booking.Find': (ctx) =>
    run(
      ctx,
      (b) => {
        const code = ctx.payload?.code;
        return code === undefined ? b.findByIdentity(ctx.session.identity) : b.findByCode(code);
      },
      (bookings) => ({ bookings }),
    ),

  'Booking.Cancel': (ctx) =>
    run(
      ctx,
      (b) => b.cancel(ctx.session.identity, ctx.payload.code),
      (booking) => ({ booking }),
    ),

  'Booking.Reschedule': (ctx) =>
    run(
      ctx,
      (b) => b.reschedule(ctx.session.identity, ctx.payload.code, ctx.payload.start),
      (v) => {
        rememberSlip(ctx.session, v.slip);
        return v;
      },
    ),

  'Booking.CheckIn': (ctx) =>
    run(
      ctx,
      (b) => b.checkInWithTicket(ctx.payload.code, ctx.session.identity),
      (v) => {
        rememberSlip(ctx.session, v.ticket.slip);
        return v;
      },
    ),

  'Booking.Slip': (ctx) =>
    run(
      ctx,
      (b) => b.slip(ctx.payload.code),
      (slip) => {
        rememberSlip(ctx.session, slip);
        return { slip };
      },
    ),

  'Booking.Export': (ctx) => {
    // Staff only (dispatch); the export holds masked names, so who took it is audited.
    ctx.services.staff.audit('bookingExport', ctx.connection.id, { date: ctx.payload.date, format: ctx.payload.format });
    return run(
      ctx,
      (b) => b.exportDay(ctx.payload.date, ctx.payload.format),
      (v) => v,
    );
  },

  'Booking.CalendarStatus': (ctx) =>
    run(
      ctx,
      (b) => ({ ok: true, value: { holidayData: b.holidayStatus(), ...b.bookingWindow() } }),
      (v) => v,
    ),
};
