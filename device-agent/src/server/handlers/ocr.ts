import { OcrService, type OcrPage } from '../../ocr/service.ts';
import type { OcrFailure } from '../../ocr/types.ts';
import { checkDocumentPages } from '../../services/document-check/check-document.ts';
import { readIdentityFromPage } from '../../services/document-check/read-identity.ts';
import type { CommandName } from '@onevisit/protocol';
import { abortedOutcome, failure, success, type CommandContext, type CommandOutcome, type HandlersFor } from '../handler.ts';

/** The Ocr.* commands that work on a scan: each declares OCR_ERROR_CODES (protocol messages/ocr.ts). */
type OcrScanCommand = Extract<CommandName, 'Ocr.Recognize' | 'Ocr.ReadIdentity' | 'Ocr.CheckDocument'>;

function ocrFailed<N extends OcrScanCommand>(ctx: CommandContext<N>, reason: OcrFailure): CommandOutcome<N> {
  switch (reason) {
    case 'canceled':
      return abortedOutcome<N>(ctx.signal);
    case 'timeOut':
      return failure<N>('timeOut', 'ocrTimeout', 'Text recognition took too long. Please scan the document again.');
    case 'badImage':
      return failure<N>('invalidData', 'badImage', 'The image could not be read.');
    case 'unavailable':
    case 'stopped':
      return failure<N>('deviceNotReady', 'ocrUnavailable', 'Text recognition is not available on this terminal.');
    case 'workerFailed':
      return failure<N>('internalError', 'ocrFailed', 'Text recognition failed. Please try again.');
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

function scanNotFound<N extends OcrScanCommand>(): CommandOutcome<N> {
  return failure<N>('invalidData', 'scanNotFound', 'This scan is no longer available. Please scan the document again.');
}

export const ocrHandlers: HandlersFor<'Ocr'> = {
  'Ocr.Recognize': async (ctx): Promise<CommandOutcome<'Ocr.Recognize'>> => {
    const scanning = ctx.services.scanning;
    const { scanId, imageBase64, rect, whitelist, lang } = ctx.payload;
    let page: OcrPage | undefined;
    if (scanId !== undefined) {
      page = await scanning.page(scanId, ctx.payload.page ?? 0);
      if (!page) return scanNotFound<'Ocr.Recognize'>();
    } else {
      page = await OcrService.page(Buffer.from(imageBase64 ?? '', 'base64'));
      if (!page) return failure<'Ocr.Recognize'>('invalidData', 'badImage', 'imageBase64 is not a PNG or JPEG image.');
    }
    if (rect && (rect.x + rect.width > page.image.width || rect.y + rect.height > page.image.height)) {
      return failure<'Ocr.Recognize'>('invalidData', 'rectOutsideImage', `rect must lie within the ${page.image.width}x${page.image.height} image.`);
    }
    const outcome = await scanning.ocr.recognize(page, {
      language: lang ?? 'chi_sim',
      ...(rect ? { rect } : {}),
      ...(whitelist !== undefined ? { whitelist } : {}),
      signal: ctx.signal,
    });
    if (!outcome.ok) return ocrFailed<'Ocr.Recognize'>(ctx, outcome.failure);
    const { result } = outcome;
    ctx.log.info({ words: result.lines.reduce((n, l) => n + l.words.length, 0), durationMs: result.durationMs }, 'OCR recognised');
    return success<'Ocr.Recognize'>({
      text: result.text,
      confidence: clamp01(result.confidence),
      boxes: result.lines.flatMap((line) =>
        line.words.map((word) => ({ text: word.text, confidence: clamp01(word.confidence), x: word.box.x, y: word.box.y, width: word.box.width, height: word.box.height })),
      ),
    });
  },

  'Ocr.ReadIdentity': async (ctx): Promise<CommandOutcome<'Ocr.ReadIdentity'>> => {
    const scanning = ctx.services.scanning;
    const page = await scanning.page(ctx.payload.scanId, ctx.payload.page ?? 0);
    if (!page) return scanNotFound<'Ocr.ReadIdentity'>();
    const outcome = await readIdentityFromPage(scanning.ocr, page, ctx.signal);
    if (!outcome.ok) return ocrFailed<'Ocr.ReadIdentity'>(ctx, outcome.failure);
    // Personal values never go to the log: only what was found.
    ctx.log.info({ problems: outcome.payload.problems, corrected: outcome.payload.idNumber?.corrected ?? false }, 'identity read from document');
    return success<'Ocr.ReadIdentity'>(outcome.payload);
  },

  'Ocr.CheckDocument': async (ctx): Promise<CommandOutcome<'Ocr.CheckDocument'>> => {
    const scanning = ctx.services.scanning;
    const scan = scanning.scans.get(ctx.payload.scanId);
    if (!scan) return scanNotFound<'Ocr.CheckDocument'>();
    const pages: OcrPage[] = [];
    for (const stored of scan.pages) {
      const page = await scanning.page(scan.scanId, stored.index);
      if (page) pages.push(page);
    }
    const outcome = await checkDocumentPages(scanning.ocr, pages, { name: ctx.payload.name, idNumber: ctx.payload.idNumber }, ctx.signal);
    if (!outcome.ok) return ocrFailed<'Ocr.CheckDocument'>(ctx, outcome.failure);
    ctx.log.info({ found: outcome.payload.found, problems: outcome.payload.problems }, 'document checked');
    return success<'Ocr.CheckDocument'>(outcome.payload);
  },

  'Ocr.Status': (ctx) => Promise.resolve(success<'Ocr.Status'>({ state: ctx.services.scanning.ocrPool.state() })),
};

function clamp01(value: number): number {
  return Math.max(0, Math.min(1, Math.round(value * 1000) / 1000));
}
