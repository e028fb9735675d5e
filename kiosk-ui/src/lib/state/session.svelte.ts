import type { CardType, Identity } from '@onevisit/protocol';
import type { ReadErrorKind } from './read-error.ts';
import type { ApplicationFlow } from './application.svelte.ts';
import type { ScanFlow } from './scan.svelte.ts';

export const SCREENS = ['attract', 'home', 'identify', 'confirmed', 'done', 'apply', 'booking', 'scan', 'staff', 'pickup', 'progress'] as const;
export type Screen = (typeof SCREENS)[number];

/** Where an IdCard.Read stands, for the identify screen's status line. */
export type ReadStage = 'starting' | 'waitingForCard' | 'cardFound' | 'reading';

/** Why the session ended, for the done screen's wording (`takeCard`: it ended with the card still on the reader). */
export type EndReason = 'finished' | 'cardRemoved' | 'takeCard';

/**
 * The citizen's session. The only place personal data lives in the UI: in memory, in `identity`,
 * and nowhere else (no storage, no URL, no console). `wipe()` drops it.
 */
export class SessionState {
  screen = $state<Screen>('attract');
  /** The card read in this session; raw (not deeply reactive), replaced whole, dropped on wipe. */
  identity = $state.raw<Identity | undefined>(undefined);
  readStage = $state<ReadStage>('starting');
  readError = $state<ReadErrorKind | undefined>(undefined);
  endReason = $state<EndReason>('finished');
  /**
   * The kind of card the ended session was read from, for the done screen's wording ("永久居留身份证已取下"
   * for a foreign permanent-residence card): the kind only, no personal data; set on each session end.
   */
  endCardType = $state<CardType | undefined>(undefined);
  /** Why the progress screen was opened: 进度查询, or 好差评 from the home screen (no personal data). */
  progressPurpose = $state<'progress' | 'rate'>('progress');
  /** The one-form application journey with its answers (lazy-loaded; wiped with the session). */
  application = $state.raw<ApplicationFlow | undefined>(undefined);
  /** Identify by scanning a paper document: the preview and the values read (lazy-loaded; wiped with the session). */
  scan = $state.raw<ScanFlow | undefined>(undefined);

  wipe(): void {
    this.identity = undefined;
    this.scan?.wipe();
    this.scan = undefined;
    this.application?.wipe();
    this.application = undefined;
    this.readError = undefined;
    this.readStage = 'starting';
    this.progressPurpose = 'progress';
  }
}
