/** Closed sets the application screens map to texts (lib/i18n/forms.*.ts). Types only: no runtime code. */

/** Why Forms.Submit did not give a reference, as the citizen is told. */
export type ApplySubmitError =
  /** The terminal cannot accept applications now (disk full, read-only, no back office key): out of service. */
  | 'outOfService'
  /** The agent refused some answers: back to review with the fields marked. */
  | 'invalid'
  /** The session has no card read (it was lifted and put back?): read it again. */
  | 'needsCard'
  /** Anything else (timeout, internal error): nothing was accepted; try again. */
  | 'failed';

/** What a failed print tells the citizen. */
export type ApplyPrintError = 'paperOut' | 'coverOpen' | 'paperJam' | 'offline' | 'failed';

/** The on-screen keyboard's layers: Chinese by pinyin, Latin letters, digits and symbols, a digit pad. */
export type KeyboardLayer = 'pinyin' | 'latin' | 'symbols' | 'digits';
