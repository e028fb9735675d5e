import { addDays } from '@onevisit/protocol';
import type { AgentClient } from '../../agent/client.ts';
import { EXPORT_PROBLEMS, staffProblem, type StaffProblem } from './staff-problems.ts';

/**
 * What the export screen keeps of a Booking.Export answer: the day, how many bookings, the file's
 * name and format. The content (booking codes and masked names, for the hall's queue system) is
 * dropped as soon as it arrives: staff screens show no citizen's data, and nothing here prints or
 * saves it.
 */
export type BookingExportSummary = { readonly date: string; readonly format: 'csv' | 'ics'; readonly count: number; readonly filename: string };

/** The days the export screen offers: today and the next two. */
export const EXPORT_DAYS = 3;

/** The staff export screen's state (issue 12): one day's Booking.Export, summarised. */
export class BookingExport {
  busy = $state(false);
  date = $state('');
  result = $state.raw<BookingExportSummary | undefined>(undefined);
  problem = $state.raw<StaffProblem | undefined>(undefined);

  readonly #client: AgentClient;
  readonly #today: () => string;

  constructor(client: AgentClient, today: () => string) {
    this.#client = client;
    this.#today = today;
  }

  /** The days offered, from the agent's today. */
  days(): string[] {
    const today = this.#today();
    return Array.from({ length: EXPORT_DAYS }, (_, i) => addDays(today, i));
  }

  async load(date: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.date = date;
    this.result = undefined;
    this.problem = undefined;
    const result = await this.#client.send('Booking.Export', { date, format: 'csv' }).result;
    this.busy = false;
    if (this.date !== date) return;
    if (!result.ok) {
      this.problem = staffProblem(EXPORT_PROBLEMS, result.completionCode, result.errorCode);
      return;
    }
    const { format, count, filename } = result.payload;
    this.result = { date: result.payload.date, format, count, filename };
  }

  clear(): void {
    this.busy = false;
    this.date = '';
    this.result = undefined;
    this.problem = undefined;
  }
}
