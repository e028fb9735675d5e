import type { Logger } from 'pino';
import { shanghaiDate, type Identity } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import type { CardReadResult, IdCardReader, ReadStage } from '../../devices/id-card/driver.ts';
import { checkCard, type CardProblem } from '../../devices/id-card/validate.ts';

/** What accepting an identity needs of the connection's session (server/handler.ts `Session` has it). */
export interface IdentitySession {
  identity: Identity | undefined;
  /** Wipes everything personal the session holds (Staff.ResetTerminal ends every citizen session). */
  wipe?(): void;
}

/**
 * A card read as the flow sees it: `accepted` (now the session's identity), `refused` (read, but
 * expired or not yet valid: never kept), or why nothing was read.
 */
export type CardReadOutcome = { kind: 'accepted'; identity: Identity } | { kind: 'refused'; problem: CardProblem } | Exclude<CardReadResult, { kind: 'read' }>;

export type IdentityServiceOptions = {
  reader: IdCardReader;
  clock: Clock;
  log?: Logger | undefined;
};

/**
 * Staff sign-in by card (issue 12, services/staff/staff-service.ts): a card placed at the home screen
 * (no citizen session, no card read waiting) is read at once and shown to the gate; a registered staff
 * card is held away from citizen reads until the staff member chooses to continue as a citizen.
 */
export interface StaffCardGate {
  /** True while a staff card waits for its PIN or a staff member is signed in: no card is shown to the gate then. */
  readonly active: boolean;
  /** True when `identity` is a registered staff card (the gate then asks for the PIN). */
  recogniseCard(identity: Identity): Promise<boolean>;
  cardRemoved(): void;
}

type HeldRead = { readonly result: Exclude<CardReadResult, { kind: 'canceled' }>; forStaff: boolean };

/**
 * Who is in front of the terminal (DESIGN.md "service" layer): reads the ID card, checks that it
 * is valid today (the agent's clock), and only then makes it the session's identity; an identity
 * confirmed from a scanned document is accepted the same way. Never sees a byte of the reader.
 *
 * With a staff gate attached, a card placed while nobody waits for one is read at placement and kept
 * (`#held`) for the next IdCard.Read, unless it is a staff card: that one is held for staff mode.
 */
export class IdentityService {
  readonly #reader: IdCardReader;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  #gate: StaffCardGate | undefined;
  /** The read of the card now on the reader, made at placement and not yet handed to a citizen. */
  #held: HeldRead | undefined;
  #gateRead: Promise<void> | undefined;
  #gateAbort: AbortController | undefined;
  /** Changes on every placement and removal: a read that finishes after the card moved is stale. */
  #placement = 0;
  #citizenReads = 0;
  readonly #released = new Set<() => void>();
  /** Sessions that were given an identity; a citizen session exists while one of them still has it. */
  readonly #sessions = new Set<IdentitySession>();

  constructor(options: IdentityServiceOptions) {
    this.#reader = options.reader;
    this.#clock = options.clock;
    this.#log = options.log;
  }

  /** Turns on staff sign-in by card; listens to the reader's card events from now on. */
  attachStaffGate(gate: StaffCardGate): () => void {
    this.#gate = gate;
    return this.#reader.onCard((event) => {
      if (event === 'placed') this.#onPlaced();
      else if (event === 'removed') this.#onRemoved();
    });
  }

  /** True while some connection's session holds an identity (a citizen session is open). */
  citizenPresent(): boolean {
    for (const session of this.#sessions) {
      if (session.identity !== undefined) return true;
      this.#sessions.delete(session);
    }
    return false;
  }

  /** Ends every citizen session (Staff.ResetTerminal); returns how many were open. */
  endCitizenSessions(): number {
    let ended = 0;
    for (const session of this.#sessions) {
      if (session.identity !== undefined) ended += 1;
      session.wipe?.();
      session.identity = undefined;
    }
    this.#sessions.clear();
    return ended;
  }

  /** The held staff card becomes a citizen's card: a waiting or the next IdCard.Read gets it. */
  releaseToCitizen(): void {
    if (this.#held) this.#held.forStaff = false;
    for (const wake of [...this.#released]) wake();
  }

  async readCard(session: IdentitySession, options: { signal: AbortSignal; onStage?: ((stage: ReadStage) => void) | undefined }): Promise<CardReadOutcome> {
    this.#citizenReads += 1;
    try {
      for (;;) {
        if (options.signal.aborted) return { kind: 'canceled' };
        if (this.#gateRead) await this.#gateRead;
        const held = this.#held;
        if (held && !held.forStaff) {
          this.#held = undefined;
          if (held.result.kind !== 'read') return held.result;
          options.onStage?.('cardFound');
          options.onStage?.('reading');
          return this.#check(session, held.result.identity);
        }
        // Wait for a card; a staff card released to the citizen wakes this read up.
        const inner = new AbortController();
        const onAbort = (): void => inner.abort();
        options.signal.addEventListener('abort', onAbort, { once: true });
        const wake = (): void => inner.abort();
        this.#released.add(wake);
        try {
          const result = await this.#reader.readCard({ signal: inner.signal, ...(options.onStage ? { onStage: options.onStage } : {}) });
          if (result.kind === 'canceled') {
            if (options.signal.aborted) return result;
            continue;
          }
          if (result.kind !== 'read') return result;
          return this.#check(session, result.identity);
        } finally {
          options.signal.removeEventListener('abort', onAbort);
          this.#released.delete(wake);
        }
      }
    } finally {
      this.#citizenReads -= 1;
    }
  }

  /**
   * A staff command reads the card on the reader (the applicant's card when staff load a certificate,
   * issue 13): no citizen session is opened and the read is not kept here; nor is the card checked
   * for validity (an expired card still names its holder). Staff mode is on, so no placement read competes.
   */
  async readForStaff(options: { signal: AbortSignal }): Promise<CardReadResult> {
    if (this.#gateRead) await this.#gateRead;
    return this.#reader.readCard({ signal: options.signal });
  }

  /** Makes `identity` the session's (a card read, or values confirmed against a scanned document). */
  accept(session: IdentitySession, identity: Identity): void {
    session.identity = identity;
    this.#sessions.add(session);
  }

  #check(session: IdentitySession, identity: Identity): CardReadOutcome {
    const problem = checkCard(identity, shanghaiDate(this.#clock.now()));
    if (problem) {
      // The code only: the card's values never go to the log.
      this.#log?.info({ errorCode: problem.errorCode }, 'card refused');
      return { kind: 'refused', problem };
    }
    this.accept(session, identity);
    return { kind: 'accepted', identity };
  }

  #onPlaced(): void {
    this.#placement += 1;
    this.#held = undefined;
    const gate = this.#gate;
    // Only at the home screen: nobody waits for a card, no citizen session, staff mode idle.
    if (!gate || gate.active || this.#citizenReads > 0 || this.citizenPresent()) return;
    const placement = this.#placement;
    const controller = new AbortController();
    this.#gateAbort?.abort();
    this.#gateAbort = controller;
    const read = (async () => {
      const result = await this.#reader.readCard({ signal: controller.signal });
      if (result.kind === 'canceled' || placement !== this.#placement) return;
      // A citizen may have begun while the card was read (a read asked for, a transaction declared): then
      // the card is theirs, never staff's (a citizen session and staff mode never exist at once).
      const stillAtHome = !gate.active && this.#citizenReads === 0 && !this.citizenPresent();
      const forStaff = result.kind === 'read' && stillAtHome && (await gate.recogniseCard(result.identity));
      if (placement !== this.#placement) {
        if (forStaff) gate.cardRemoved();
        return;
      }
      this.#held = { result, forStaff };
    })()
      .catch((error: unknown) => this.#log?.error({ err: error }, 'reading a card at placement failed'))
      .finally(() => {
        if (this.#gateRead === read) this.#gateRead = undefined;
      });
    this.#gateRead = read;
  }

  #onRemoved(): void {
    this.#placement += 1;
    this.#held = undefined;
    this.#gateAbort?.abort();
    this.#gateAbort = undefined;
    this.#gate?.cardRemoved();
  }
}
