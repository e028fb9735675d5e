// Public API of @onevisit/forms (named exports only).
export * from './format.ts';
export {
  VALIDATION_ERROR_CODES,
  validateAnswers,
  prefillAnswers,
  evaluateCondition,
  conditionFields,
  isEmptyAnswer,
  isValidPhone,
  isRealDate,
  resolveDateBound,
  Visibility,
  type FieldError,
  type ValidationErrorCode,
  type ValidationResult,
  type ValidateOptions,
} from './validate.ts';
export { isValidIdNumber, idNumberCheckChar } from './id-number.ts';
export {
  loadPackage,
  loadAll,
  loadAnswers,
  parseDefinition,
  formatProblem,
  PackageLoadError,
  DEFINITION_FILE,
  DEFAULT_TEMPLATE_FILE,
  SAMPLE_FILE,
  type PackageProblem,
  type LoadAllResult,
} from './load.ts';
export { checkPackage, checkDefinition } from './check.ts';
export {
  createFiller,
  defaultMainFontPath,
  displayValue,
  DEFAULT_FALLBACK_FONT_PATHS,
  FILL_ERROR_CODES,
  FillError,
  type Filler,
  type FillerOptions,
  type FillExtras,
  type FillErrorCode,
  type LoadedFont,
} from './fill.ts';
export { wrapText, splitRuns, NO_LINE_START, NO_LINE_END } from './text-layout.ts';
export { importPdf, type ImportResult } from './import-pdf.ts';
export { summarizePackage, type FormSummary } from './summary.ts';
export { encodePng, sampleSignaturePng } from './png.ts';
