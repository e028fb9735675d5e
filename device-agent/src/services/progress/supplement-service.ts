/**
 * 补正 (容缺后补, issue 15): a citizen hands in a material the back office asked for. The scans are
 * sealed into the outbox with the case reference and the material id (formId `supplement`) before
 * the citizen is told it was accepted, and delivered like a submission, to the back office's
 * `POST /v1/cases/{reference}/supplements` (the outbox row's route). A crash after the accept loses
 * nothing (the outbox's promise); the supplement id makes a retry the same supplement.
 */
import { randomUUID } from 'node:crypto';
import type { Identity } from '@onevisit/protocol';
import type { ScanStore } from '../../devices/scanner/scan-store.ts';
import type { Outbox, ScanImage } from '../../outbox/outbox.ts';
import { SUPPLEMENT_FORM_ID } from '../../intake/records.ts';

export type SupplementInput = {
  caseReference: string;
  materialId: string;
  scanIds: readonly string[];
  supplementId?: string | undefined;
  /** The card read in the session, if any: its hall person key goes, signed, with the delivery. */
  identity?: Identity | undefined;
};
export type SupplementResult = { ok: true; reference: string; acceptedAtMs: number } | { ok: false; reason: 'unknownScan' | 'outOfService' };

export function supplementRoute(caseReference: string, materialId: string): string {
  return `/v1/cases/${encodeURIComponent(caseReference)}/supplements?materialId=${encodeURIComponent(materialId)}`;
}

export class SupplementService {
  readonly #outbox: Pick<Outbox, 'accept'>;
  readonly #scans: Pick<ScanStore, 'get' | 'delete'>;
  readonly #kick: () => void;
  readonly #personKeyOf: (identity: Identity | undefined) => string | undefined;
  constructor(options: {
    outbox: Pick<Outbox, 'accept'>;
    scans: Pick<ScanStore, 'get' | 'delete'>;
    kick?: () => void;
    /** The hall person key of a card (undefined while the hall database has not answered). */
    personKeyOf?: (identity: Identity | undefined) => string | undefined;
  }) {
    this.#outbox = options.outbox;
    this.#scans = options.scans;
    this.#kick = options.kick ?? (() => undefined);
    this.#personKeyOf = options.personKeyOf ?? (() => undefined);
  }

  submit(input: SupplementInput): SupplementResult {
    const scans: ScanImage[] = [];
    for (const scanId of input.scanIds) {
      const stored = this.#scans.get(scanId);
      if (!stored) return { ok: false, reason: 'unknownScan' };
      for (const page of stored.pages) scans.push({ mediaType: 'image/png', bytes: page.png });
    }
    const result = this.#outbox.accept({
      submissionId: `supplement-${input.supplementId ?? randomUUID()}`,
      formId: SUPPLEMENT_FORM_ID,
      formVersion: '1',
      answers: { caseReference: input.caseReference, materialId: input.materialId },
      scans,
      route: supplementRoute(input.caseReference, input.materialId),
      personKey: this.#personKeyOf(input.identity),
    });
    if (!result.ok) return { ok: false, reason: 'outOfService' };
    // Sealed and committed: the pages need not stay in memory any longer.
    for (const scanId of input.scanIds) this.#scans.delete(scanId);
    this.#kick();
    return { ok: true, reference: result.reference, acceptedAtMs: result.acceptedAtMs };
  }
}
