/**
 * 进度查询 (issue 15): a case's status by reference number, or every case of the person whose card
 * was read, from the back office through the one adapter (`BackOffice`). When the back office cannot
 * be reached the answer says so and carries what the terminal itself knows: that it accepted the
 * submission and whether it has delivered it. Never personal data in either.
 */
import { formatShanghaiIso, type CaseView, type Identity } from '@onevisit/protocol';
import type { Outbox } from '../../outbox/outbox.ts';
import { parseReference } from '../../outbox/reference.ts';
import { personKeyOf } from '../booking/person-key.ts';
import type { BackOffice } from './back-office.ts';

/** What the terminal knows of one of its own submissions. */
export type LocalRecord = { reference: string; acceptedAt: string; delivered: boolean };

export type QueryResult =
  | { kind: 'found'; cases: CaseView[] }
  | { kind: 'invalidReference' }
  | { kind: 'unknownCase' }
  | { kind: 'unavailable'; local: LocalRecord[] };

/** Outbox items that are not applications (supplements, ratings, cabinet notices) have dotted or own form ids. */
const NOT_A_CASE = new Set(['supplement', 'rating']);

export type ProgressServiceOptions = {
  /** Undefined when the terminal has no back office API (a folder intake): every query is `unavailable`. */
  backOffice: BackOffice | undefined;
  outbox: Pick<Outbox, 'get'>;
  /** The hall person-key secret (the same HMAC as bookings), so "all my cases" works at every terminal. */
  personSecret: () => Buffer;
};

function compactReference(text: string): ReturnType<typeof parseReference> {
  const compact = text.trim().toUpperCase().replace(/[\s-]/g, '');
  if (compact.length < 13) return undefined;
  return parseReference(`${compact.slice(0, -11)}-${compact.slice(-11, -5)}-${compact.slice(-5, -1)}-${compact.slice(-1)}`);
}

export class ProgressService {
  readonly #o: ProgressServiceOptions;
  constructor(options: ProgressServiceOptions) {
    this.#o = options;
  }

  /**
   * The reference as typed, with or without its hyphens (a keypad has none: the day is 6 digits and
   * the sequence 4, so the groups are found from the end); the check character catches a typo before
   * anything is asked. Undefined when it is not a valid reference.
   */
  static normalise(text: string): string | undefined {
    const direct = parseReference(text);
    const parsed = direct ?? compactReference(text);
    return parsed ? `${parsed.terminalId}-${parsed.day}-${String(parsed.seq).padStart(4, '0')}-${parsed.check}` : undefined;
  }

  async byReference(text: string): Promise<QueryResult> {
    const reference = ProgressService.normalise(text);
    if (reference === undefined) return { kind: 'invalidReference' };
    const local = this.#local(reference);
    if (!this.#o.backOffice) return { kind: 'unavailable', local };
    const answer = await this.#o.backOffice.getCase(reference);
    if (answer.ok) return { kind: 'found', cases: [answer.case] };
    if (answer.reason === 'unknownCase') return { kind: 'unknownCase' };
    return { kind: 'unavailable', local };
  }

  async byPerson(identity: Pick<Identity, 'idNumber' | 'cardType'>): Promise<QueryResult> {
    if (!this.#o.backOffice) return { kind: 'unavailable', local: [] };
    const answer = await this.#o.backOffice.lookup(personKeyOf(identity, this.#o.personSecret()));
    // The terminal keeps no link from a person to their submissions, so offline there is nothing local to show.
    return answer.ok ? { kind: 'found', cases: answer.cases } : { kind: 'unavailable', local: [] };
  }

  #local(reference: string): LocalRecord[] {
    const row = this.#o.outbox.get(reference);
    if (!row || NOT_A_CASE.has(row.formId) || row.formId.includes('.')) return [];
    return [{ reference, acceptedAt: formatShanghaiIso(row.acceptedAtMs), delivered: row.state === 'delivered' }];
  }
}
