import { PRINT_ERROR_CODES, slipRef, type CompletionPayload, type PrintErrorCode } from '@onevisit/protocol';
import { bookingProblemOf, type BookingProblem } from '../booking-calendar.ts';
import { PrintJob } from '../print-job.svelte.ts';
import type { BookingSend } from './slot-calendar.svelte.ts';

export type QueueTicketInfo = CompletionPayload<'Queue.Take'>['ticket'];
export type TicketPrintFailure = PrintErrorCode | 'unavailable';

/**
 * The queue ticket (排队号, issue 14) the citizen holds: issued by a check-in or taken as a walk-in
 * (`Queue.Take`), shown on the screen and printed on the receipt printer at once, as a ticket
 * dispenser would. It carries no personal data; dropped with the booking flow all the same.
 */
export class QueueTicketDesk {
  ticket = $state.raw<QueueTicketInfo | undefined>(undefined);
  /** A walk-in ticket is being taken: the service buttons wait. */
  taking = $state(false);
  problem = $state.raw<BookingProblem | undefined>(undefined);
  readonly print = new PrintJob<TicketPrintFailure>((_completion, errorCode) =>
    errorCode !== undefined && (PRINT_ERROR_CODES as readonly string[]).includes(errorCode) ? (errorCode as PrintErrorCode) : 'unavailable',
  );

  readonly #send: BookingSend;
  /** Bumped on reset: an answer for an earlier ticket is dropped. */
  #generation = 0;

  constructor(send: BookingSend) {
    this.#send = send;
  }

  /** The ticket a check-in issued: shown and printed. */
  issued(ticket: QueueTicketInfo): void {
    this.problem = undefined;
    this.print.reset();
    this.ticket = ticket;
    void this.printTicket();
  }

  /** A walk-in ticket for today's queue of `serviceId`. */
  async take(serviceId: string): Promise<void> {
    if (this.taking) return;
    const generation = this.#generation;
    this.taking = true;
    this.problem = undefined;
    const result = await this.#send('Queue.Take', { serviceId });
    if (generation !== this.#generation) return;
    this.taking = false;
    if (!result.ok) {
      this.problem = bookingProblemOf(result.errorCode, result.errorDescription);
      return;
    }
    this.issued(result.payload.ticket);
  }

  /** Prints the ticket's receipt (again, after a failure). */
  async printTicket(): Promise<void> {
    const ticket = this.ticket;
    if (ticket === undefined) return;
    await this.print.run(() => this.#send('ReceiptPrinter.Print', { document: slipRef(ticket.slip) }));
  }

  reset(): void {
    this.#generation += 1;
    this.ticket = undefined;
    this.taking = false;
    this.problem = undefined;
    this.print.reset();
  }
}
