import { BOOKING_CODE_LENGTH, type BookingView } from '@onevisit/protocol';
import { normalizeCode } from '../booking-calendar.ts';

/** What happened last on the list screen, said in a status line. */
export type ListNotice = { kind: 'cancelled' } | { kind: 'checkedIn'; window: BookingView['window'] };

/**
 * "My appointments": the code typed on the keypad, the bookings found (by card or code), and what
 * the list screen says about the last change. Personal: reset with the booking flow.
 */
export class Appointments {
  /** The code typed on the keypad (alphabet characters only). */
  code = $state('');
  found = $state.raw<readonly BookingView[]>([]);
  notice = $state.raw<ListNotice | undefined>(undefined);
  /** The code of the booking whose cancellation waits for "yes". */
  confirmingCancel = $state<string | undefined>(undefined);

  get codeComplete(): boolean {
    return this.code.length === BOOKING_CODE_LENGTH;
  }

  typeKey(key: string): void {
    if (this.code.length >= BOOKING_CODE_LENGTH) return;
    this.code = normalizeCode(this.code + key);
  }

  deleteKey(): void {
    this.code = this.code.slice(0, -1);
  }

  clearCode(): void {
    this.code = '';
  }

  /** A booking changed (cancelled, checked in, moved): the list shows it as the agent answered. */
  replace(booking: BookingView): void {
    this.found = this.found.map((b) => (b.code === booking.code ? booking : b));
  }

  reset(): void {
    this.code = '';
    this.found = [];
    this.notice = undefined;
    this.confirmingCancel = undefined;
  }
}
