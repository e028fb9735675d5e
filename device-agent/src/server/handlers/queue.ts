import { isBookingUnavailable } from '../../services/booking/booking-service.ts';
import { failure, success, type HandlersFor } from '../handler.ts';
import { rememberSlip } from '../session.ts';

/** `Queue.*`: thin mapping to BookingService's queue (services/booking/queue-ticket.ts builds the receipt). */
export const queueHandlers: HandlersFor<'Queue'> = {
  'Queue.Take': async (ctx) => {
    let result;
    try {
      result = await ctx.services.booking.takeTicket(ctx.payload.serviceId);
    } catch (error) {
      if (!isBookingUnavailable(error)) throw error;
      return failure<'Queue.Take'>('deviceNotReady', 'bookingUnavailable', 'Queue tickets are unavailable right now: the hall database does not answer.');
    }
    if (result.ok) {
      rememberSlip(ctx.session, result.value.slip);
      return success<'Queue.Take'>({ ticket: result.value });
    }
    switch (result.error) {
      case 'unknownService':
        return failure<'Queue.Take'>('invalidData', 'unknownService', result.message);
      case 'closed':
        return failure<'Queue.Take'>('userError', 'closed', result.message);
      default: {
        const unreachable: never = result.error;
        return unreachable;
      }
    }
  },
};
