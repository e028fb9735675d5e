import type { StaffRole } from '@onevisit/protocol';
import { findSampleIdentity } from '../../devices/id-card/sample-identities.ts';
import { addStaff, type RegisterAdmin } from './register-admin.ts';

/**
 * The demo's staff (`npm start` with no config file): two fictional people from the simulated card
 * reader's sample identities, so a newcomer can try staff mode from the dev dock. Demo only: a real
 * terminal's register is filled with `npm run staff -- add`.
 */
export const DEMO_STAFF: readonly { sampleKey: string; role: StaffRole; pin: string }[] = [
  { sampleKey: 'staff', role: 'staff', pin: '123456' },
  { sampleKey: 'technician', role: 'technician', pin: '654321' },
];

/** Adds the demo staff that are missing; returns how many were added. */
export async function seedDemoStaff(admin: RegisterAdmin): Promise<number> {
  let added = 0;
  for (const entry of DEMO_STAFF) {
    const sample = findSampleIdentity(entry.sampleKey);
    if (!sample) continue;
    const result = await addStaff(admin, { idNumber: sample.identity.idNumber, name: sample.identity.name, role: entry.role, pin: entry.pin });
    if (result.ok) added += 1;
  }
  return added;
}
