import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { openStore, type Store } from '../../store/db.ts';
import { DEFAULT_HALL_SETTINGS, type HallSettings } from './hall-settings.ts';
import { afterWrongPin, lockoutMs, NO_LOCKOUT } from './lockout.ts';
import { hashPin, randomPin, verifyPin } from './pin.ts';
import { addStaff } from './register-admin.ts';
import { SqliteStaffRegister, staffMigrations } from './register.ts';
import { staffKeyOf } from './staff-key.ts';
import { StaffService, type StaffAuditAction, type StaffNotice } from './staff-service.ts';

const STAFF_ID = '110105198805120026';
const CITIZEN_ID = '110105199003070017';
const SECRET = Buffer.alloc(32, 7);
const T0 = Date.parse('2026-11-23T20:00:00+08:00');

const stores: Store[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup(settings: HallSettings = DEFAULT_HALL_SETTINGS) {
  const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-staff-'));
  dirs.push(dir);
  const store = openStore({ dataDir: dir, migrations: [staffMigrations] });
  stores.push(store);
  const clock = new ManualClock(T0);
  const register = new SqliteStaffRegister(store.db);
  const added = await addStaff({ register, secret: SECRET, clock }, { idNumber: STAFF_ID, name: '张静', role: 'staff', pin: '123456' });
  expect(added.ok).toBe(true);
  const audit: { action: StaffAuditAction; details: Record<string, unknown> }[] = [];
  const notices: StaffNotice[] = [];
  const staff = new StaffService({ register, secret: () => SECRET, clock, settings: () => settings, audit: (action, details) => audit.push({ action, details }) });
  staff.onNotice((n) => notices.push(n));
  return { staff, clock, register, audit, notices };
}

describe('PIN hashing', () => {
  it('verifies the right PIN only, with a fresh salt each time, and never stores the PIN', async () => {
    const a = await hashPin('123456');
    const b = await hashPin('123456');
    expect(a).not.toBe(b);
    expect(a).not.toContain('123456');
    expect(a.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPin('123456', a)).toBe(true);
    expect(await verifyPin('123457', a)).toBe(false);
    expect(await verifyPin('123456', 'garbage')).toBe(false);
    expect(randomPin()).toMatch(/^\d{6}$/);
  });
});

describe('lockout arithmetic', () => {
  it('locks after five wrong PINs for 60 s, doubling with each further lockout', () => {
    let state = NO_LOCKOUT;
    for (let i = 1; i <= 4; i += 1) {
      const next = afterWrongPin(state, T0);
      expect(next.locked).toBe(false);
      state = next.state;
    }
    const fifth = afterWrongPin(state, T0);
    expect(fifth).toEqual({ locked: true, state: { failedAttempts: 0, lockouts: 1, lockedUntilMs: T0 + 60_000 } });
    expect([0, 1, 2, 3].map(lockoutMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(lockoutMs(40)).toBe(24 * 3600_000);
  });
});

describe('StaffService', () => {
  it('recognises only registered cards, keyed by HMAC', async () => {
    const { staff, notices } = await setup();
    expect(await staff.recogniseCard({ idNumber: CITIZEN_ID })).toBe(false);
    expect(staff.session()).toEqual({ state: 'none' });
    expect(await staff.recogniseCard({ idNumber: STAFF_ID })).toBe(true);
    expect(staff.session()).toEqual({ state: 'pinWanted', name: '张静', attemptsLeft: 5, lockedForSeconds: 0 });
    expect(notices).toEqual([{ kind: 'cardRecognised', name: '张静', attemptsLeft: 5, lockedForSeconds: 0 }]);
    expect(staffKeyOf(STAFF_ID, SECRET)).not.toBe(staffKeyOf(STAFF_ID, Buffer.alloc(32, 8)));
  });

  it('counts down like the citizen screens unless the hall sets a staff countdown of its own', async () => {
    const { staff } = await setup();
    await staff.recogniseCard({ idNumber: STAFF_ID });
    await staff.signIn('123456', 1);
    // The agent's default --idle-countdown (15 s): the staff session's countdown is the same.
    expect(staff.session()).toMatchObject({ state: 'signedIn', idleTimeoutMs: 300_000, idleCountdownMs: 15_000 });
    const own = await setup({ ...DEFAULT_HALL_SETTINGS, staff: { ...DEFAULT_HALL_SETTINGS.staff, idleCountdownS: 40 } });
    await own.staff.recogniseCard({ idNumber: STAFF_ID });
    await own.staff.signIn('123456', 1);
    expect(own.staff.session()).toMatchObject({ state: 'signedIn', idleCountdownMs: 40_000 });
  });

  it('leaves the card to a citizen who began while the register answered (never both at once)', async () => {
    const { staff, notices } = await setup();
    expect(await staff.recogniseCard({ idNumber: STAFF_ID }, () => false)).toBe(false);
    expect(staff.session()).toEqual({ state: 'none' });
    expect(notices).toEqual([]);
  });

  it('signs in with the right PIN on the connection that sent it; the role is that connection’s only', async () => {
    const { staff, audit } = await setup();
    expect(await staff.signIn('123456', 1)).toEqual({ kind: 'noStaffCard' });
    await staff.recogniseCard({ idNumber: STAFF_ID });
    const signed = await staff.signIn('123456', 1);
    expect(signed.kind).toBe('signedIn');
    expect(staff.roleOf(1)).toBe('staff');
    expect(staff.roleOf(2)).toBeUndefined();
    expect(staff.active).toBe(true);
    expect(audit.map((a) => a.action)).toEqual(['signIn']);
    expect(JSON.stringify(audit)).not.toContain(STAFF_ID);
    expect(staff.signOut(2)).toBe(false);
    expect(staff.signOut(1)).toBe(true);
    expect(staff.active).toBe(false);
  });

  it('five wrong PINs lock the card for 60 s, the next five for 120 s; the right PIN is refused while locked', async () => {
    const { staff, clock, audit, register } = await setup();
    await staff.recogniseCard({ idNumber: STAFF_ID });
    for (let left = 4; left >= 1; left -= 1) expect(await staff.signIn('000000', 1)).toEqual({ kind: 'wrongPin', attemptsLeft: left });
    expect(await staff.signIn('000000', 1)).toEqual({ kind: 'locked', lockedForSeconds: 60 });
    clock.advance(59_000);
    expect(await staff.signIn('123456', 1)).toEqual({ kind: 'locked', lockedForSeconds: 1 });
    expect(staff.session()).toMatchObject({ state: 'pinWanted', lockedForSeconds: 1 });
    clock.advance(1_000);
    for (let i = 0; i < 4; i += 1) await staff.signIn('000000', 1);
    expect(await staff.signIn('000000', 1)).toEqual({ kind: 'locked', lockedForSeconds: 120 });
    expect(audit.filter((a) => a.action === 'lockedOut')).toHaveLength(2);
    // The lockout is in the register: lifting the card and placing it again does not clear it.
    staff.cardRemoved();
    await staff.recogniseCard({ idNumber: STAFF_ID });
    expect(staff.session()).toMatchObject({ state: 'pinWanted', lockedForSeconds: 120 });
    expect((await register.find(staffKeyOf(STAFF_ID, SECRET)))?.lockout.lockouts).toBe(2);
    clock.advance(120_000);
    expect((await staff.signIn('123456', 1)).kind).toBe('signedIn');
    expect((await register.find(staffKeyOf(STAFF_ID, SECRET)))?.lockout).toEqual(NO_LOCKOUT);
  });

  it('ends the session after 5 idle minutes, and after 12 hours however busy', async () => {
    const { staff, clock, notices } = await setup();
    await staff.recogniseCard({ idNumber: STAFF_ID });
    await staff.signIn('123456', 1);
    clock.advance(299_000);
    staff.touch(1);
    clock.advance(299_000);
    expect(staff.roleOf(1)).toBe('staff');
    clock.advance(1_000);
    expect(staff.roleOf(1)).toBeUndefined();
    expect(notices.at(-1)).toEqual({ kind: 'sessionEnded', reason: 'idleTimeout' });

    await staff.recogniseCard({ idNumber: STAFF_ID });
    await staff.signIn('123456', 1);
    for (let i = 0; i < 12 * 60; i += 1) {
      clock.advance(60_000);
      staff.touch(1);
    }
    expect(staff.roleOf(1)).toBeUndefined();
    expect(notices.at(-1)).toEqual({ kind: 'sessionEnded', reason: 'maxDuration' });
  });

  it('lifting the card ends the PIN prompt; it ends a session only when the hall says so', async () => {
    const { staff } = await setup();
    await staff.recogniseCard({ idNumber: STAFF_ID });
    staff.cardRemoved();
    expect(staff.session()).toEqual({ state: 'none' });
    await staff.recogniseCard({ idNumber: STAFF_ID });
    await staff.signIn('123456', 1);
    staff.cardRemoved();
    expect(staff.roleOf(1)).toBe('staff');

    const strict = await setup({ ...DEFAULT_HALL_SETTINGS, staff: { ...DEFAULT_HALL_SETTINGS.staff, endOnCardRemoval: true } });
    await strict.staff.recogniseCard({ idNumber: STAFF_ID });
    await strict.staff.signIn('123456', 1);
    strict.staff.cardRemoved();
    expect(strict.staff.roleOf(1)).toBeUndefined();
    expect(strict.notices.at(-1)).toEqual({ kind: 'sessionEnded', reason: 'cardRemoved' });
  });
});
