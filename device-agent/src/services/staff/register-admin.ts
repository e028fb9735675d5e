import { checkIdNumber, type StaffRole } from '@onevisit/protocol';
import type { Clock } from '../../clock.ts';
import { NO_LOCKOUT } from './lockout.ts';
import { hashPin, randomPin } from './pin.ts';
import type { StaffRegister } from './register.ts';
import { shortStaffKey, staffKeyOf } from './staff-key.ts';

/**
 * Managing the staff register (`npm run staff`, the demo's sample staff, tests): each operation takes
 * the ID number once, turns it into the staff key at once, and never keeps or prints it.
 * Failures are values with a message for the hall administrator.
 */
export type AdminResult<T = object> = ({ ok: true } & T) | { ok: false; message: string };

export type RegisterAdmin = {
  register: StaffRegister;
  secret: Buffer;
  clock: Clock;
};

function keyOf(admin: RegisterAdmin, idNumber: string): AdminResult<{ key: string }> {
  const normalised = idNumber.trim().toUpperCase();
  // Resident numbers are checked (GB 11643); a foreign permanent-residence number has the same 18-character shape.
  if (!/^\d{17}[\dX]$/.test(normalised)) return { ok: false, message: 'the ID number must be 18 characters: 17 digits and a digit or X' };
  if (!normalised.startsWith('9') && !checkIdNumber(normalised).ok) return { ok: false, message: 'the ID number is not valid (check character or birth date)' };
  return { ok: true, key: staffKeyOf(normalised, admin.secret) };
}

function pinOf(pin: string | undefined): AdminResult<{ pin: string; generated: boolean }> {
  if (pin === undefined) return { ok: true, pin: randomPin(), generated: true };
  if (!/^\d{6}$/.test(pin)) return { ok: false, message: 'the PIN must be 6 digits' };
  return { ok: true, pin, generated: false };
}

export async function addStaff(
  admin: RegisterAdmin,
  input: { idNumber: string; name: string; role: StaffRole; pin?: string | undefined },
): Promise<AdminResult<{ key: string; pin: string; generated: boolean }>> {
  const key = keyOf(admin, input.idNumber);
  if (!key.ok) return key;
  const name = input.name.trim();
  if (name.length === 0 || name.length > 64) return { ok: false, message: 'the name must be 1 to 64 characters' };
  const pin = pinOf(input.pin);
  if (!pin.ok) return pin;
  const added = await admin.register.add({ key: key.key, name, role: input.role, pinHash: await hashPin(pin.pin), createdAtMs: admin.clock.now() });
  if (!added) return { ok: false, message: `this ID number is already registered (staff ${shortStaffKey(key.key)})` };
  return { ok: true, key: key.key, pin: pin.pin, generated: pin.generated };
}

export async function removeStaff(admin: RegisterAdmin, idNumber: string): Promise<AdminResult<{ key: string }>> {
  const key = keyOf(admin, idNumber);
  if (!key.ok) return key;
  return (await admin.register.remove(key.key)) ? key : { ok: false, message: 'no staff member with this ID number' };
}

export async function resetStaffPin(admin: RegisterAdmin, idNumber: string, newPin?: string): Promise<AdminResult<{ key: string; pin: string; generated: boolean }>> {
  const key = keyOf(admin, idNumber);
  if (!key.ok) return key;
  const pin = pinOf(newPin);
  if (!pin.ok) return pin;
  if (!(await admin.register.setPin(key.key, await hashPin(pin.pin)))) return { ok: false, message: 'no staff member with this ID number' };
  return { ok: true, key: key.key, pin: pin.pin, generated: pin.generated };
}

export async function unlockStaff(admin: RegisterAdmin, idNumber: string): Promise<AdminResult<{ key: string }>> {
  const key = keyOf(admin, idNumber);
  if (!key.ok) return key;
  return (await admin.register.setLockout(key.key, NO_LOCKOUT)) ? key : { ok: false, message: 'no staff member with this ID number' };
}
