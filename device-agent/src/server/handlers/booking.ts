import type { BookingErrorCode, CommandName, CompletionCode } from '../../protocol/index.ts';
import type { BookingResult, BookingService } from '../../services/booking/booking-service.ts';
import { failure, success, type CommandContext, type CommandOutcome, type HandlersFor } from '../handler.ts';

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
  alreadyCancelled: 'userError',
  alreadyCheckedIn: 'userError',
  noShow: 'userError',
  tooLateToCancel: 'userError',
  tooLateToReschedule: 'userError',
  notToday: 'userError',
  checkInNotYetOpen: 'userError',
  checkInClosed: 'userError',
};

function refused<N extends CommandName>(result: { readonly error: BookingErrorCode; readonly message: string }): CommandOutcome<N> {
  return failure<N>(COMPLETION[result.error], result.error, result.message);
}

/** The booking service, or a `deviceNotReady` outcome while the store is not open yet. */
function bookingOf<N extends CommandName>(ctx: CommandContext<N>): BookingService | CommandOutcome<N> {
  return ctx.services.booking ?? failure<N>('deviceNotReady', 'bookingUnavailable', 'Booking is not available yet: the store is not open.');
}

async function run<N extends CommandName, T>(
  ctx: CommandContext<N>,
  call: (booking: BookingService) => Promise<BookingResult<T>> | BookingResult<T>,
  toPayload: (value: T) => Parameters<typeof success<N>>[0],
): Promise<CommandOutcome<N>> {
  const booking = bookingOf(ctx);
  if (!('calendar' in booking)) return booking;
  const result = await call(booking);
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
      (v) => v,
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
      (b) => b.cancel(ctx.payload.code),
      (booking) => ({ booking }),
    ),

  'Booking.Reschedule': (ctx) =>
    run(
      ctx,
      (b) => b.reschedule(ctx.payload.code, ctx.payload.start),
      (v) => v,
    ),

  'Booking.CheckIn': (ctx) =>
    run(
      ctx,
      (b) => b.checkIn(ctx.payload.code),
      (booking) => ({ booking }),
    ),

  'Booking.Slip': (ctx) =>
    run(
      ctx,
      (b) => b.slip(ctx.payload.code),
      (slip) => ({ slip }),
    ),

  'Booking.Export': (ctx) =>
    run(
      ctx,
      (b) => b.exportDay(ctx.payload.date, ctx.payload.format),
      (v) => v,
    ),

  'Booking.CalendarStatus': (ctx) =>
    run(
      ctx,
      (b) => ({ ok: true, value: { holidayData: b.holidayStatus(), ...b.bookingWindow() } }),
      (v) => v,
    ),
};
