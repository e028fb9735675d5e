import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateHallDb } from '../../store/hall-db.ts';
import { PgTestHall } from '../../store/pg-test-hall.ts';
import { NO_LOCKOUT } from './lockout.ts';
import { PgStaffRegister } from './pg-register.ts';

let hall: PgTestHall | undefined;
beforeAll(async () => {
  hall = await PgTestHall.start();
});
afterAll(async () => {
  await hall?.close();
});

async function register(): Promise<PgStaffRegister> {
  if (!hall) throw new Error('the test cluster is not started');
  const schema = hall.cluster.newSchema();
  const pool = hall.pool(schema);
  await migrateHallDb(pool, { schema });
  return new PgStaffRegister(pool);
}

const MEMBER = { key: 'a'.repeat(64), name: '张静', role: 'staff' as const, pinHash: 'scrypt$x', createdAtMs: 1_790_000_000_000 };

describe('PgStaffRegister (the hall register, issue 14)', () => {
  it('adds once, finds, lists, counts, keeps lockouts and PINs, removes', async () => {
    const r = await register();
    expect(await r.add(MEMBER)).toBe(true);
    expect(await r.add({ ...MEMBER, name: 'other' })).toBe(false);
    expect(await r.find(MEMBER.key)).toEqual({ ...MEMBER, lockout: NO_LOCKOUT });
    expect(await r.find('b'.repeat(64))).toBeUndefined();
    const locked = { failedAttempts: 5, lockouts: 1, lockedUntilMs: 1_790_000_060_000 };
    expect(await r.setLockout(MEMBER.key, locked)).toBe(true);
    expect((await r.find(MEMBER.key))?.lockout).toEqual(locked);
    expect(await r.setPin(MEMBER.key, 'scrypt$y')).toBe(true);
    expect(await r.find(MEMBER.key)).toMatchObject({ pinHash: 'scrypt$y', lockout: NO_LOCKOUT });
    expect(await r.setPin('b'.repeat(64), 'scrypt$z')).toBe(false);
    expect((await r.list()).map((m) => m.name)).toEqual(['张静']);
    expect(await r.count()).toBe(1);
    expect(await r.remove(MEMBER.key)).toBe(true);
    expect(await r.remove(MEMBER.key)).toBe(false);
    expect(await r.count()).toBe(0);
  });

  it('answers HallDbUnavailableError while the server is stopped', async () => {
    const r = await register();
    await hall?.cluster.stopServer();
    try {
      await expect(r.find(MEMBER.key)).rejects.toMatchObject({ name: 'HallDbUnavailableError' });
    } finally {
      await hall?.cluster.startServer();
    }
    expect(await r.count()).toBe(0);
  });
});
