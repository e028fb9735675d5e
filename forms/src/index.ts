// Public API of @onevisit/forms (named exports only). The package format, answer validation and
// the GB 11643 check are the protocol's (@onevisit/protocol): import them from there.
export * from './format.ts';
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
export {
  verifyPackage,
  signPackage,
  generateSigningKeys,
  parsePrivateKey,
  readArchive,
  parsePublicKeys,
  keyIdOf,
  compareVersions,
  DEFAULT_LIMITS,
  formatRefusal,
  PACKAGE_EXTENSION,
  type Manifest,
  type Refusal,
  type RefusalCode,
  type VerifiedPackage,
} from './signed-package.ts';
export {
  ChannelIndexSchema,
  inRing,
  offeredRelease,
  effectiveReleases,
  DEFAULT_MAX_FAILED,
  parseRing,
  readCanaryIds,
  readReports,
  REPORTS_DIR,
  ringBucket,
  TerminalReportSchema,
  writeFileAtomic,
  publishToChannel,
  changeRollout,
  readIndex,
  writeIndex,
  ROLLOUT_ACTIONS,
  type ChannelChange,
  type ChannelIndex,
  type Release,
  type Ring,
  type RolloutAction,
  type TerminalReport,
} from './channel.ts';
export { CanaryAnswerSchema, isChannelUrl, packagesPaths, PACKAGES_API, parseOpsToken, ReportsAnswerSchema } from './channel-http.ts';
