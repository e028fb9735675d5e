import type { StaffRole } from '@onevisit/protocol';
import type { Agent, StartedAgent } from '../../device-agent/src/app.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { addStaff } from '../../device-agent/src/services/staff/register-admin.ts';
import { TestClient } from './client.ts';

/** The fictional staff of the simulator's sample identities (demo-staff.ts), registered in tests by this helper. */
export const TEST_STAFF = {
  staff: { sampleKey: 'staff', pin: '123456' },
  technician: { sampleKey: 'technician', pin: '654321' },
} as const satisfies Record<StaffRole, { sampleKey: string; pin: string }>;

/** Registers the sample staff member of `role` in the agent's register (once). */
export async function registerTestStaff(agent: Agent, role: StaffRole = 'staff'): Promise<void> {
  const { sampleKey, pin } = TEST_STAFF[role];
  const sample = findSampleIdentity(sampleKey);
  if (!sample) throw new Error(`no sample identity ${sampleKey}`);
  // Already registered is fine.
  await addStaff(agent.services.staffMode.admin(), { idNumber: sample.identity.idNumber, name: sample.identity.name, role, pin });
}

/**
 * Signs a staff member in the way the kiosk does: the staff card on the (simulated) reader at the home
 * screen, Staff.CardRecognisedEvent, Staff.SignIn with the PIN. Needs no citizen session open. Returns
 * the signed-in connection; `signOutStaff` ends it and lifts the card.
 */
export async function signInStaff(agent: Agent, started: StartedAgent, role: StaffRole = 'staff'): Promise<TestClient> {
  await registerTestStaff(agent, role);
  const client = await TestClient.authenticated(started.url, started.token);
  const placed = await client.send('Dev.InsertCard', { identity: TEST_STAFF[role].sampleKey });
  if (placed.completion.header.completionCode !== 'success') throw new Error(`Dev.InsertCard: ${placed.completion.header.errorCode ?? ''}`);
  await client.unsolicited('Staff.CardRecognisedEvent');
  const signedIn = await client.send('Staff.SignIn', { pin: TEST_STAFF[role].pin });
  if (signedIn.completion.header.completionCode !== 'success') throw new Error(`Staff.SignIn: ${signedIn.completion.header.errorCode ?? ''}`);
  return client;
}

export async function signOutStaff(client: TestClient): Promise<void> {
  await client.send('Staff.SignOut', {});
  await client.send('Dev.RemoveCard', {});
  await client.close();
}
