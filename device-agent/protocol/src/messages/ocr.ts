import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { READ_IDENTITY_PROBLEMS } from '../constants.ts';
import { errorsOf } from '../errors.ts';

export const OCR_DEFAULT_TIMEOUT_MS = 60_000;

/** Why an Ocr.* command on a scan failed (the engine, the image, or a scan no longer kept). */
export const OCR_ERROR_CODES = ['ocrUnavailable', 'ocrTimeout', 'ocrFailed', 'badImage', 'scanNotFound'] as const;

export const OcrLanguageSchema = z.enum(['chi_sim', 'eng', 'chi_sim+eng']);

/** Pixels of the full scanned page (see Scanner.Scan's `width`/`height`). */
export const PixelRectSchema = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const OcrBoxSchema = z.object({
  text: z.string(),
  /** 0–1. */
  confidence: z.number().min(0).max(1),
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
});

/** What a value read from a document looks like: the UI asks the citizen to confirm it. */
export const ReadValueSchema = z.object({
  value: z.string(),
  /** 0–1; a corrected ID number is at most 0.5. */
  confidence: z.number().min(0).max(1),
});

/** Why a value was not checked on a document; the UI maps each to a text. (READ_IDENTITY_PROBLEMS: constants.ts.) */
export const CHECK_DOCUMENT_PROBLEMS = ['nameNotFound', 'idNumberNotFound', 'noTextFound'] as const;

const scanPage = {
  scanId: z.string().min(1).max(64),
  /** Page index within the scan; default 0. */
  page: z.number().int().nonnegative().max(19).optional(),
};

export const ocrCommands = {
  'Ocr.Recognize': defineCommand({
    role: 'citizen',
    description:
      'Recognise text on a scanned page (scanId + page) or an image (imageBase64, PNG or JPEG), optionally only in a rectangle and with a character whitelist. Returns text, confidence (0–1) and word boxes in page pixels.',
    payload: z
      .object({
        scanId: scanPage.scanId.optional(),
        page: scanPage.page,
        /** PNG or JPEG, at most ~15 MB of base64. */
        imageBase64: z.string().max(20_000_000).optional(),
        rect: PixelRectSchema.optional(),
        whitelist: z.string().max(256).optional(),
        lang: OcrLanguageSchema.optional(),
      })
      .refine((p) => (p.scanId === undefined) !== (p.imageBase64 === undefined), { message: 'give exactly one of scanId and imageBase64' }),
    completion: z.object({ text: z.string(), confidence: z.number().min(0).max(1), boxes: z.array(OcrBoxSchema) }),
    errors: errorsOf([...OCR_ERROR_CODES, 'rectOutsideImage']),
    events: {},
    defaultTimeoutMs: OCR_DEFAULT_TIMEOUT_MS,
  }),
  'Ocr.ReadIdentity': defineCommand({
    role: 'citizen',
    description:
      'Read the name and the 18-character citizen ID number from a scanned paper document (e.g. a temporary ID certificate). The ID number is verified (GB 11643 check character, birth date); the UI must ask the citizen to confirm each value.',
    payload: z.object(scanPage),
    completion: z.object({
      name: ReadValueSchema.nullable(),
      idNumber: ReadValueSchema.extend({
        /** True when one misread character was corrected using the check character: show it for careful confirmation. */
        corrected: z.boolean(),
        birthDate: z.string(),
        sex: z.enum(['male', 'female']),
      }).nullable(),
      /** Why a value is null; empty when both were read. */
      problems: z.array(z.enum(READ_IDENTITY_PROBLEMS)),
    }),
    errors: errorsOf(OCR_ERROR_CODES),
    events: {},
    defaultTimeoutMs: OCR_DEFAULT_TIMEOUT_MS,
  }),
  'Ocr.CheckDocument': defineCommand({
    role: 'citizen',
    description:
      "Check that the citizen's name and ID number appear on a scanned supporting document (every page of the scan). Never echoes the values back.",
    payload: z.object({
      scanId: scanPage.scanId,
      name: z.string().min(1).max(60),
      idNumber: z.string().min(15).max(18),
    }),
    completion: z.object({
      name: z.object({ found: z.boolean(), exact: z.boolean() }),
      idNumber: z.object({ found: z.boolean(), exact: z.boolean() }),
      /** True when both were found. */
      found: z.boolean(),
      /** What is missing, for the UI's texts; empty when both were found. */
      problems: z.array(z.enum(CHECK_DOCUMENT_PROBLEMS)),
    }),
    errors: errorsOf(OCR_ERROR_CODES),
    events: {},
    defaultTimeoutMs: OCR_DEFAULT_TIMEOUT_MS,
  }),
  'Ocr.Status': defineCommand({
    role: 'none',
    description: 'Whether the OCR workers are warm: starting, ready or unavailable (language data missing).',
    payload: z.object({}).optional(),
    completion: z.object({ state: z.enum(['stopped', 'starting', 'ready', 'unavailable']) }),
    errors: {},
    events: {},
  }),
} as const;
