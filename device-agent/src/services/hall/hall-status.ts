import type { Logger } from 'pino';
import { formatShanghaiIso, type TerminalReport, type TerminalStatus } from '@onevisit/protocol';
import { systemScheduler, type Clock, type Scheduler } from '../../clock.ts';
import { isHallDbUnavailable } from '../../store/hall-db.ts';
import type { HeartbeatStore } from '../../store/terminal-heartbeat.ts';

/** How often each terminal reports (issue 14). */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** A terminal without a heartbeat for longer is shown as silent. */
export const SILENT_AFTER_MS = 60_000;

export interface HallStatusOptions {
  readonly terminalId: string;
  /**
   * Stable for one installation (kept in its data directory): a restart of the same terminal within
   * 60 s is not "another terminal", a second machine with a copied config is.
   */
  readonly instanceId: string;
  readonly store: HeartbeatStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** What this terminal reports now (devices, supplies, warnings, outbox, versions). */
  readonly report: () => TerminalReport;
  readonly intervalMs?: number;
  /** Default: real timers. */
  readonly scheduler?: Scheduler;
  /**
   * With `--hall-db`: whether the hall connection has answered once (migrations run, secret read).
   * Without it the heartbeat is in the terminal's own SQLite and is never "unreachable".
   */
  readonly hallDbReady?: () => boolean;
}

/** What one heartbeat did: written, the hall database did not answer, or another live terminal holds this id. */
export type BeatOutcome = 'written' | 'unreachable' | 'idTaken';

export type HallStatusResult = { readonly ok: true; readonly terminals: TerminalStatus[] } | { readonly ok: false; readonly error: 'hallDbUnavailable' };

/**
 * The hall's terminal table: this terminal writes its heartbeat every 15 s, and a staff session at any
 * terminal lists them all (`Hall.Status`). A heartbeat that cannot be written (hall database away) is
 * logged once per outage and retried at the next beat: the terminal keeps serving citizens.
 */
export class HallStatusService {
  readonly #options: HallStatusOptions;
  readonly #log: Logger;
  #cancelTimer: (() => void) | undefined;
  #failing = false;
  #idTaken = false;

  constructor(options: HallStatusOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'hall-status' });
  }

  /**
   * Writes one heartbeat now, unless another installation reported under this terminal id in the last
   * 60 s (`HeartbeatStore.claim`): then nothing is written and the other terminal's row stays.
   */
  async beat(): Promise<boolean> {
    return (await this.beatOutcome()) === 'written';
  }

  async beatOutcome(): Promise<BeatOutcome> {
    const { store, terminalId, clock, report } = this.#options;
    try {
      const written = await store.claim({ terminalId, reportedMs: clock.now(), instanceId: this.#options.instanceId, report: report() }, SILENT_AFTER_MS);
      if (this.#failing) this.#log.info('heartbeat: written again');
      this.#failing = false;
      if (!written && !this.#idTaken) this.#log.error({ terminalId }, 'heartbeat: another terminal of the hall reports under this terminal id; not overwriting it');
      this.#idTaken = !written;
      return written ? 'written' : 'idTaken';
    } catch (error) {
      if (!isHallDbUnavailable(error)) throw error;
      if (!this.#failing) this.#log.warn('heartbeat: the hall database does not answer; retrying every beat');
      this.#failing = true;
      return 'unreachable';
    }
  }

  /**
   * True while the hall database (`--hall-db`) is known not to answer: it never answered since the
   * start, or the last heartbeat or Hall.Status failed to reach it. Common.Status shows staff the
   * warning `hallDatabaseUnreachable`; it clears at the next heartbeat that gets through (≤ 15 s).
   */
  hallDbUnreachable(): boolean {
    const ready = this.#options.hallDbReady;
    if (ready === undefined) return false;
    return this.#failing || !ready();
  }

  /**
   * True while another installation holds this terminal id (the last heartbeat was refused): a terminal
   * that started while the hall database was away and only then met its twin. Common.Status tells staff.
   */
  terminalIdTaken(): boolean {
    return this.#idTaken;
  }

  /** Beats now and then every `intervalMs` (15 s) until stop(); each beat is scheduled after the previous one ended, so beats never overlap. */
  start(): void {
    if (this.#cancelTimer) return;
    const scheduler = this.#options.scheduler ?? systemScheduler;
    const intervalMs = this.#options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    const loop = (): void => {
      this.#cancelTimer = scheduler.after(intervalMs, () => {
        void this.#beatLogged().then(() => {
          if (this.#cancelTimer) loop();
        });
      });
    };
    this.#cancelTimer = () => undefined;
    void this.#beatLogged().then(() => {
      if (this.#cancelTimer) loop();
    });
  }

  stop(): void {
    const cancel = this.#cancelTimer;
    this.#cancelTimer = undefined;
    cancel?.();
  }

  async #beatLogged(): Promise<void> {
    await this.beatOutcome().catch((error: unknown) => this.#log.error({ err: error }, 'heartbeat failed'));
  }

  /** Every terminal of the hall, silent when its last heartbeat is older than 60 s. */
  async status(): Promise<HallStatusResult> {
    let records;
    try {
      records = await this.#options.store.list();
    } catch (error) {
      if (isHallDbUnavailable(error)) {
        this.#failing = true;
        return { ok: false, error: 'hallDbUnavailable' };
      }
      throw error;
    }
    const nowMs = this.#options.clock.now();
    return {
      ok: true,
      terminals: records.map((r) => ({
        terminalId: r.terminalId,
        reportedAt: formatShanghaiIso(r.reportedMs),
        silent: nowMs - r.reportedMs > SILENT_AFTER_MS,
        report: r.report,
      })),
    };
  }

  /**
   * Another running terminal already reports under this id: a heartbeat from a different instance
   * within the silence limit. Checked before the first beat, so a second terminal with a copied
   * config refuses to start instead of overwriting the first one's row.
   */
  async idTakenByAnother(): Promise<boolean> {
    const records = await this.#options.store.list();
    const nowMs = this.#options.clock.now();
    return records.some((r) => r.terminalId === this.#options.terminalId && r.instanceId !== this.#options.instanceId && nowMs - r.reportedMs <= SILENT_AFTER_MS);
  }
}
