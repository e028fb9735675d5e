import type { SlipDocument } from '@onevisit/protocol';
import { VisitMemory } from '../services/application/visit-memory.ts';
import type { Session } from './handler.ts';

/** A fresh, empty session: one per connection, memory only. */
export function createSession(): Session {
  return {
    identity: undefined,
    application: new VisitMemory(),
    pickupItems: new Map<string, { reference: string; title: string; slot: string }>(),
    progressCases: new Map<string, ReadonlySet<string>>(),
    slips: new Map<string, SlipDocument>(),
    wipe() {
      this.identity = undefined;
      this.application.wipe();
      this.pickupItems.clear();
      this.progressCases.clear();
      this.slips.clear();
    },
  };
}

/** The key of a slip in `Session.slips`, from the slip or from what ReceiptPrinter.Print names. */
export function slipKey(slip: Pick<SlipDocument, 'kind' | 'code'>): string {
  return `${slip.kind}:${slip.code}`;
}

/** Keeps a slip the agent made for this session, so that ReceiptPrinter.Print may print it. */
export function rememberSlip(session: Session, slip: SlipDocument): void {
  session.slips.set(slipKey(slip), slip);
}
