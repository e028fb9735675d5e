import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';

export const SCANNER_SCAN_DEFAULT_TIMEOUT_MS = 120_000;
/** The longer side of a preview, in pixels: enough to check a page on screen, small over the socket. */
export const SCAN_PREVIEW_MAX_SIDE_PX = 1200;

/** Why Scanner.Scan failed; the UI maps each to a text. */
export const SCAN_ERROR_CODES = [
  'scannerNotConfigured',
  'scannerNotReady',
  'scannerBusy',
  'scannerFault',
  'scanTimeout',
  'noDocument',
  'paperJam',
  'coverOpen',
  'scanSettingsUnsupported',
] as const;

export const ScanColorModeSchema = z.enum(['color', 'gray', 'lineart']);
export const ScanSourceSchema = z.enum(['flatbed', 'adf']);

/**
 * A scanned page as the UI sees it. The full page stays in the agent's memory under
 * `scanId` (for OCR, never sent whole); `dataBase64` is a preview scaled to at most
 * SCAN_PREVIEW_MAX_SIDE_PX on its longer side. `width`/`height` are the FULL page's pixels:
 * the coordinate space of `Ocr.Recognize`'s `rect`; the preview is `previewWidth` x `previewHeight`.
 */
export const ScannedPageSchema = z.object({
  index: z.number().int().nonnegative(),
  mimeType: z.enum(['image/jpeg', 'image/png']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  previewWidth: z.number().int().positive(),
  previewHeight: z.number().int().positive(),
  resolutionDpi: z.number().int().positive(),
  dataBase64: z.string(),
});
export type ScannedPageMessage = z.infer<typeof ScannedPageSchema>;

export const scannerCommands = {
  'Scanner.Scan': defineCommand({
    role: 'citizen',
    description:
      'Scan pages (flatbed, or the feeder for several). Emits Scanner.PageScannedEvent per page; completes with previews and a scanId that Ocr.* commands use for the full pages. Honours header.timeout and Common.Cancel.',
    payload: z
      .object({
        /** Dots per inch; 300 suits OCR (default). */
        resolution: z.number().int().min(50).max(1200).optional(),
        colorMode: ScanColorModeSchema.optional(),
        /** Pages from the feeder in one go; 1 (default) for the flatbed. */
        pages: z.number().int().min(1).max(20).optional(),
        /** The preview's format: `jpeg` (default, small) or `png`. */
        format: z.enum(['jpeg', 'png']).optional(),
        /** Absent: the scanner's default (feeder when pages > 1). */
        source: ScanSourceSchema.optional(),
      })
      .optional(),
    completion: z.object({ scanId: z.string(), pages: z.array(ScannedPageSchema) }),
    errors: errorsOf(SCAN_ERROR_CODES),
    events: {
      /** A page is in; `width`/`height` are the full page's pixels. */
      'Scanner.PageScannedEvent': z.object({ index: z.number().int().nonnegative(), width: z.number().int().positive(), height: z.number().int().positive() }),
    },
    defaultTimeoutMs: SCANNER_SCAN_DEFAULT_TIMEOUT_MS,
  }),
  'Scanner.DiscardScan': defineCommand({
    role: 'citizen',
    description: 'Forget a scan kept in the agent (retake, or the session ended); without scanId forgets every scan.',
    payload: z.object({ scanId: z.string().max(64).optional() }).optional(),
    completion: z.object({ discarded: z.number().int().nonnegative() }),
    errors: {},
    events: {},
  }),
  'Scanner.PlaceSampleDocument': defineCommand({
    role: 'dev',
    description: 'Put a fictional sample document on the simulated scanner (dev mode): a temporary ID certificate (valid today, or expired), a residence certificate, a prose page, a blank page.',
    payload: z.object({
      kind: z.enum(['temporaryIdCertificate', 'expiredTemporaryIdCertificate', 'residenceCertificate', 'prosePage', 'blankPage']),
      /** A sample person's key (see sample-pages.ts); default the first. */
      person: z.string().max(64).optional(),
    }),
    completion: z.object({}),
    errors: errorsOf(['notSimulated', 'unknownSample']),
    events: {},
  }),
} as const;
