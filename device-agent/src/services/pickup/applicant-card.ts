import { maskIdNumber, maskName, type CardType, type Identity } from '@onevisit/protocol';
import type { CardReadResult } from '../../devices/id-card/driver.ts';

/**
 * Staff place the applicant's ID card to fill a deposit's ID number (issue 13): read inside the one
 * Pickup.Deposit command, so the number lives only for that command's length (the deposit keeps its
 * HMAC) and leaves the agent only masked, for the staff screen. Never logged.
 *
 * The staff member's own card is not mistaken for the applicant's: the read card's staff key is
 * compared with the signed-in member's (staff-key.ts), whether or not they lifted their card first.
 * Another staff member's card is accepted: staff collect their own certificates too.
 */
export type ApplicantCardRead =
  | { kind: 'read'; idNumber: string; cardType: CardType; maskedIdNumber: string; maskedName: string }
  | { kind: 'staffCard' }
  | Exclude<CardReadResult, { kind: 'read' }>;

export interface ApplicantCardDeps {
  readForStaff(options: { signal: AbortSignal }): Promise<CardReadResult>;
  /** True when the card is the signed-in staff member's own. */
  isOwnCard(identity: Pick<Identity, 'idNumber'>): boolean;
}

export async function readApplicantCard(deps: ApplicantCardDeps, signal: AbortSignal): Promise<ApplicantCardRead> {
  const result = await deps.readForStaff({ signal });
  if (result.kind !== 'read') return result;
  const { idNumber, cardType, name } = result.identity;
  if (deps.isOwnCard({ idNumber })) return { kind: 'staffCard' };
  return { kind: 'read', idNumber, cardType, maskedIdNumber: maskIdNumber(idNumber), maskedName: maskName(name) };
}
