import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { IdentitySchema } from '../identity.ts';
import { OCR_ERROR_CODES } from './ocr.ts';

export const DOCUMENT_IDENTITY_CONFIRM_DEFAULT_TIMEOUT_MS = 60_000;

/** Why the agent refused the values the citizen confirmed; the UI maps each to a text. */
export const CONFIRM_DOCUMENT_IDENTITY_PROBLEMS = [
  'idNumberInvalid',
  'nameNotFound',
  'idNumberNotFound',
  'noTextFound',
  // The validity the paper prints, checked with the card's rule (cardExpired / cardNotYetValid).
  'documentExpired',
  'documentNotYetValid',
] as const;
export type ConfirmDocumentIdentityProblem = (typeof CONFIRM_DOCUMENT_IDENTITY_PROBLEMS)[number];

/** A refusal names the first problem as its errorCode and lists every one, by field. */
export const DocumentIdentityRefusalSchema = z.object({
  errors: z.array(z.object({ field: z.enum(['name', 'idNumber', 'document']), code: z.enum(CONFIRM_DOCUMENT_IDENTITY_PROBLEMS) })),
});

export const documentIdentityCommands = {
  'DocumentIdentity.Confirm': defineCommand({
    role: 'citizen',
    description:
      "The citizen confirmed (or typed) the name and ID number read from a scanned paper document (Ocr.ReadIdentity). The agent re-checks them against that scan (the number passes GB 11643, both appear on the page) and then makes them the session's identity, as a card read would (`source: 'document'`; what a paper does not carry is empty). Fails `userError` with errorCode idNumberInvalid, nameNotFound, idNumberNotFound or noTextFound, or documentExpired / documentNotYetValid when the validity the paper prints (有效期限) does not cover today (the card's rule; the identity then carries that validity); scanNotFound when the scan is gone.",
    payload: z.object({
      scanId: z.string().min(1).max(64),
      /** Page index within the scan; default 0. */
      page: z.number().int().nonnegative().max(19).optional(),
      name: z.string().trim().min(1).max(60),
      /** 18 characters; a lower-case `x` is taken as `X`. */
      idNumber: z.string().trim().min(18).max(18),
    }),
    completion: z.object({ identity: IdentitySchema }),
    errors: { ...errorsOf(OCR_ERROR_CODES), ...errorsOf(CONFIRM_DOCUMENT_IDENTITY_PROBLEMS, DocumentIdentityRefusalSchema) },
    events: {},
    defaultTimeoutMs: DOCUMENT_IDENTITY_CONFIRM_DEFAULT_TIMEOUT_MS,
  }),
} as const;
