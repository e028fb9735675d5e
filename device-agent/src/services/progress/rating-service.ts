/**
 * 好差评 (issue 15): a rating of the transaction just done. Five levels (5 非常满意 … 1 非常不满意);
 * levels 1–2 need at least one reason from the hall's versioned list and get a follow-up deadline:
 * `followUpWorkingDays` (default 15) working days after today by the hall calendar (statutory
 * holidays and make-up working days included). The record holds no personal data beyond the case
 * reference and the service; it is sealed into the outbox and delivered to `POST /v1/ratings`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BAD_RATING_MAX_LEVEL, RatingReasonSchema, shanghaiDate, type RatingReason, type RatingService as RatedService } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { Outbox } from '../../outbox/outbox.ts';
import { agentPath } from '../../paths.ts';
import { RATING_FORM_ID, type RatingRecord } from '../../intake/records.ts';
import type { HallCalendar } from '../booking/calendar.ts';

export const DEFAULT_REASONS_PATH = agentPath('config', 'ratings', 'reasons.json');
export const RATINGS_ROUTE = '/v1/ratings';
export const DEFAULT_FOLLOW_UP_WORKING_DAYS = 15;

const ReasonsFileSchema = z.object({ version: z.string().min(1).max(32), reasons: z.array(RatingReasonSchema).min(1).max(30) });
export type ReasonsList = z.infer<typeof ReasonsFileSchema>;

/** The hall's list (`DATA_DIR/ratings/reasons.json`) when it exists and is valid, else the shipped one. */
export function loadReasons(dataDir: string | undefined, onProblem: (message: string) => void = () => undefined): ReasonsList {
  if (dataDir !== undefined) {
    const file = path.join(dataDir, 'ratings', 'reasons.json');
    try {
      const parsed = ReasonsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success) return parsed.data;
      onProblem(`${file} is not a valid reasons list; the shipped list is used`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onProblem(`${file} cannot be read; the shipped list is used`);
    }
  }
  return ReasonsFileSchema.parse(JSON.parse(readFileSync(DEFAULT_REASONS_PATH, 'utf8')));
}

export type RatingInput = {
  reference?: string | undefined;
  service: RatedService;
  level: number;
  reasons?: readonly string[] | undefined;
  comment?: string | undefined;
  ratingId?: string | undefined;
};

export type RatingResult =
  | { ok: true; reference: string; followUpBy: string | undefined }
  | { ok: false; reason: 'reasonRequired' | 'outOfService' }
  | { ok: false; reason: 'unknownReason'; unknown: string };

export type RatingServiceOptions = {
  outbox: Pick<Outbox, 'accept'>;
  calendar: () => Pick<HallCalendar, 'nthWorkingDayAfter'>;
  clock: Clock;
  reasons: ReasonsList;
  followUpWorkingDays?: number;
  kick?: () => void;
};

export class RatingService {
  readonly #o: RatingServiceOptions;
  constructor(options: RatingServiceOptions) {
    this.#o = options;
  }

  reasons(): { version: string; reasons: RatingReason[] } {
    return this.#o.reasons;
  }

  /** The follow-up deadline of a bad rating given now: N working days after today (Asia/Shanghai). */
  followUpBy(nowMs: number): string | undefined {
    return this.#o.calendar().nthWorkingDayAfter(shanghaiDate(nowMs), this.#o.followUpWorkingDays ?? DEFAULT_FOLLOW_UP_WORKING_DAYS);
  }

  submit(input: RatingInput): RatingResult {
    const bad = input.level <= BAD_RATING_MAX_LEVEL;
    const reasons = [...new Set(input.reasons ?? [])];
    const known = new Set(this.#o.reasons.reasons.map((r) => r.id));
    const unknown = reasons.find((r) => !known.has(r));
    if (unknown !== undefined) return { ok: false, reason: 'unknownReason', unknown };
    if (bad && reasons.length === 0) return { ok: false, reason: 'reasonRequired' };
    const nowMs = this.#o.clock.now();
    const followUpBy = bad ? this.followUpBy(nowMs) : undefined;
    const record: RatingRecord = {
      service: input.service,
      level: input.level,
      reasons,
      reasonsVersion: this.#o.reasons.version,
      ratedAt: new Date(nowMs).toISOString(),
      ...(input.reference === undefined ? {} : { reference: input.reference }),
      ...(input.comment === undefined || input.comment === '' ? {} : { comment: input.comment }),
      ...(followUpBy === undefined ? {} : { followUpBy }),
    };
    const result = this.#o.outbox.accept({
      submissionId: `rating-${input.ratingId ?? randomUUID()}`,
      formId: RATING_FORM_ID,
      formVersion: '1',
      answers: record,
      route: RATINGS_ROUTE,
    });
    if (!result.ok) return { ok: false, reason: 'outOfService' };
    this.#o.kick?.();
    return { ok: true, reference: result.reference, followUpBy };
  }
}
