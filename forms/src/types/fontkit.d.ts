// fontkit 2 ships no type declarations. We use only `create`, and type its result with the
// Font types @cantoo/pdf-lib declares for exactly this library (reached through registerFontkit,
// since the fork does not export them by name).
declare module 'fontkit' {
  import type { PDFDocument } from '@cantoo/pdf-lib';
  type PdfLibFontkit = Parameters<PDFDocument['registerFontkit']>[0];
  export function create(buffer: Uint8Array, postscriptName?: string): Awaited<ReturnType<PdfLibFontkit['create']>>;
}
