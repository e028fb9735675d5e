import type { CommandName, CommandPayload, I18nText, RatingReason, RatingService } from '@onevisit/protocol';
import { BAD_RATING_MAX_LEVEL } from '@onevisit/protocol';
import type { CommandResult, SendOptions } from '../../agent/client.ts';

/**
 * 好差评 after a transaction (issue 15): five levels, at least one reason from the hall's list for
 * the bottom two (and an optional comment), and a skip that is always there and as easy as rating.
 * Nothing personal is sent beyond the case reference and the service; the agent seals the record
 * into its outbox. Offered at the end of every journey: application, booking, pickup, query, supplement.
 */
export type RatingPhase = 'choosing' | 'sending' | 'thanks' | 'failed' | 'skipped';

type Send = <N extends CommandName>(name: N, payload: CommandPayload<N>, options?: SendOptions<N>) => Promise<CommandResult<N>>;

export const RATING_LEVELS = [5, 4, 3, 2, 1] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];

/** Rating.Submit's limit on the comment (code points, as the on-screen keyboard counts them). */
export const RATING_COMMENT_MAX_LENGTH = 200;

export class RatingOffer {
  phase = $state<RatingPhase>('choosing');
  service = $state<RatingService>('query');
  reference = $state<string | undefined>(undefined);
  level = $state<RatingLevel | undefined>(undefined);
  chosen = $state.raw<readonly string[]>([]);
  reasons = $state.raw<readonly RatingReason[]>([]);
  followUpBy = $state<string | undefined>(undefined);
  /** Only for the bottom two levels; typed on the on-screen keyboard, forgotten with the offer. */
  comment = $state('');
  /** What was done, shown to the citizen (a form's or booked service's name, a certificate): never sent. */
  subject = $state.raw<I18nText | undefined>(undefined);
  readonly #send: Send;
  readonly #newId: () => string;
  #ratingId = '';
  #reasonsAsked = false;

  constructor(options: { send: Send; newId: () => string }) {
    this.#send = options.send;
    this.#newId = options.newId;
  }

  get needsReason(): boolean {
    return this.level !== undefined && this.level <= BAD_RATING_MAX_LEVEL;
  }

  get canSubmit(): boolean {
    return this.phase === 'choosing' && this.level !== undefined && (!this.needsReason || this.chosen.length > 0);
  }

  /** Whether the citizen has answered this offer (sent or skipped): the invitation row then says so. */
  get answered(): boolean {
    return this.phase !== 'choosing';
  }

  /**
   * A new offer for a transaction just done. `reference` is a case reference only (never a booking
   * or pickup code: those open a person's booking or compartment). The hall's reasons are fetched
   * when a bottom level is first chosen, so an offer nobody answers costs the agent nothing.
   */
  offer(service: RatingService, reference: string | undefined, subject?: I18nText): void {
    this.reset();
    this.service = service;
    this.reference = reference;
    this.subject = subject;
    this.#ratingId = this.#newId();
    this.#reasonsAsked = false;
  }

  #loadReasons(): void {
    if (this.#reasonsAsked) return;
    this.#reasonsAsked = true;
    void this.#send('Rating.Reasons', {}).then((r) => {
      if (r.ok) this.reasons = r.payload.reasons;
      // Asked again at the next choice: the citizen is not left without reasons by one lost answer.
      else this.#reasonsAsked = false;
    });
  }

  reset(): void {
    this.phase = 'choosing';
    this.level = undefined;
    this.chosen = [];
    this.followUpBy = undefined;
    this.reference = undefined;
    this.comment = '';
    this.subject = undefined;
  }

  choose(level: RatingLevel): void {
    this.level = level;
    if (level > BAD_RATING_MAX_LEVEL) {
      this.chosen = [];
      this.comment = '';
    } else this.#loadReasons();
  }

  setComment(text: string): void {
    this.comment = [...text].slice(0, RATING_COMMENT_MAX_LENGTH).join('');
  }

  toggleReason(id: string): void {
    this.chosen = this.chosen.includes(id) ? this.chosen.filter((r) => r !== id) : [...this.chosen, id];
  }

  skip(): void {
    this.phase = 'skipped';
    this.comment = '';
  }

  async submit(): Promise<void> {
    const level = this.level;
    if (!this.canSubmit || level === undefined) return;
    this.phase = 'sending';
    const comment = this.needsReason ? this.comment.trim() : '';
    const result = await this.#send('Rating.Submit', {
      service: this.service,
      level,
      ratingId: this.#ratingId,
      ...(this.reference === undefined ? {} : { reference: this.reference }),
      ...(this.chosen.length > 0 ? { reasons: [...this.chosen] } : {}),
      ...(comment === '' ? {} : { comment }),
    });
    // Sent (or refused): the typed text is not kept on screen any longer than needed.
    this.comment = '';
    if (result.ok) {
      this.followUpBy = result.payload.followUpBy;
      this.phase = 'thanks';
    } else this.phase = 'failed';
  }
}
