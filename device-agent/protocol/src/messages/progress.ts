import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { I18nTextSchema } from '../form-definition.ts';

/**
 * The back-office link (issue 15): progress of a case (进度查询), handing in a missing material
 * (补正, 容缺后补) and rating the service (好差评). The case model is the provincial platforms' one;
 * the reference intake (device-agent/src/intake) and the terminal share these schemas.
 */

export const CASE_STATUSES = ['received', 'accepted', 'inReview', 'needMaterial', 'approved', 'rejected', 'readyForPickup', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CaseStepSchema = z.object({
  name: z.enum(CASE_STATUSES),
  startedAt: z.string().max(40),
  endedAt: z.string().max(40).optional(),
  note: z.string().max(500).optional(),
});
export const MaterialIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);
export const CaseMaterialSchema = z.object({ id: MaterialIdSchema, description: z.string().min(1).max(200) });
export const CasePickupSchema = z.object({
  kind: z.enum(['cabinet', 'window', 'post']),
  where: z.string().max(200).optional(),
  trackingNumber: z.string().max(64).optional(),
});
/** One case as the back office shows it: no personal data (the reference alone may ask). */
export const CaseSchema = z.object({
  reference: z.string().min(1).max(64),
  status: z.enum(CASE_STATUSES),
  steps: z.array(CaseStepSchema),
  materials: z.array(CaseMaterialSchema).optional(),
  pickup: CasePickupSchema.optional(),
  reason: z.string().max(500).optional(),
  updatedAt: z.string().max(40),
});
export type CaseView = z.infer<typeof CaseSchema>;

/** A reference number as typed: `T0001-261204-0007-K` (the last character is an ISO/IEC 7064 MOD 37-2 check). */
export const ReferenceTextSchema = z.string().trim().toUpperCase().min(8).max(40);

/**
 * What the terminal itself knows when the back office cannot be reached: that it accepted the
 * submission and whether it has delivered it (no personal data).
 */
export const LocalRecordSchema = z.object({
  reference: z.string(),
  acceptedAt: z.string(),
  delivered: z.boolean(),
});

/** 好差评: the services a rating is about (issue 15: after every transaction). */
export const RATING_SERVICES = ['application', 'booking', 'pickup', 'query', 'supplement'] as const;
export type RatingService = (typeof RATING_SERVICES)[number];
/** 非常满意 5, 满意 4, 基本满意 3, 不满意 2, 非常不满意 1; 1 and 2 need at least one reason. */
export const RatingLevelSchema = z.number().int().min(1).max(5);
export const BAD_RATING_MAX_LEVEL = 2;
export const RatingReasonIdSchema = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,31}$/);
export const RatingReasonSchema = z.object({ id: RatingReasonIdSchema, text: I18nTextSchema });
export type RatingReason = z.infer<typeof RatingReasonSchema>;

const offlineErrors = {
  /** The back office did not answer (or answered nonsense): say so, and show what the terminal knows. */
  ...errorsOf(['backOfficeUnavailable'], z.object({ local: z.array(LocalRecordSchema) })),
};

export const progressCommands = {
  'Progress.Query': defineCommand({
    role: 'citizen',
    description:
      "A case's status and timeline by reference number (no personal data), or, without a payload, every case of the person whose ID card this session read, newest first.",
    payload: z.object({ reference: ReferenceTextSchema.optional() }).optional(),
    completion: z.object({ cases: z.array(CaseSchema) }),
    errors: {
      ...errorsOf(['noCard', 'invalidReference', 'unknownCase']),
      ...offlineErrors,
    },
    events: {},
    defaultTimeoutMs: 15_000,
  }),
} as const;

export const supplementCommands = {
  'Supplement.Submit': defineCommand({
    role: 'citizen',
    description:
      'Hands in a missing material of a case this session looked up (needMaterial): the scans are sealed into the outbox before the completion and delivered to the back office like a submission; a receipt is printed.',
    payload: z.object({
      reference: ReferenceTextSchema,
      materialId: MaterialIdSchema,
      scanIds: z.array(z.string().min(1).max(64)).min(1).max(10),
      /** Made by the UI per supplement (a UUID): a retry after a lost answer is the same supplement. */
      supplementId: z.string().uuid().optional(),
    }),
    completion: z.object({
      /** The supplement's own number (on the receipt). */
      supplementReference: z.string(),
      receipt: z.enum(['printed', 'notPrinted']),
    }),
    errors: {
      ...errorsOf(['caseNotQueried', 'materialNotRequested', 'unknownScan', 'outOfService']),
    },
    events: {},
    defaultTimeoutMs: 60_000,
  }),
} as const;

export const ratingCommands = {
  'Rating.Reasons': defineCommand({
    role: 'none',
    description: "The hall's current list of reasons for a bad rating (versioned hall data).",
    payload: z.object({}).optional(),
    completion: z.object({ version: z.string(), reasons: z.array(RatingReasonSchema) }),
    errors: {},
    events: {},
  }),
  'Rating.Submit': defineCommand({
    role: 'citizen',
    description:
      '好差评: a rating of the transaction just done, through the outbox (sealed, delivered to the back office). Levels 1 and 2 need at least one reason from Rating.Reasons and get a follow-up deadline in working days.',
    payload: z.object({
      reference: ReferenceTextSchema.optional(),
      service: z.enum(RATING_SERVICES),
      level: RatingLevelSchema,
      reasons: z.array(RatingReasonIdSchema).max(10).optional(),
      comment: z.string().trim().max(200).optional(),
      /** Made by the UI per rating (a UUID): a retry is the same rating. */
      ratingId: z.string().uuid().optional(),
    }),
    completion: z.object({
      ratingReference: z.string(),
      /** For levels 1–2: the date (YYYY-MM-DD, Asia/Shanghai) by which the hall follows up. */
      followUpBy: z.string().optional(),
    }),
    errors: {
      ...errorsOf(['reasonRequired', 'outOfService']),
      ...errorsOf(['unknownReason'], z.object({ reason: z.string() })),
    },
    events: {},
  }),
} as const;
