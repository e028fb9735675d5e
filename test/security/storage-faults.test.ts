import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../device-agent/src/app.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { successPayload, TestClient } from '../integration/client.ts';

/**
 * Issue 11, storage faults, on real file systems: a small tmpfs that is made read-only or filled
 * up (root, as CI runs; skipped elsewhere). Not a stand-in store: SQLite itself meets EROFS and
 * SQLITE_FULL.
 */

const canMount = process.getuid?.() === 0 && (() => {
  const probe = mkdtempSync(path.join(tmpdir(), 'onevisit-mount-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

const mounts: string[] = [];
const agents: Agent[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  for (const dir of mounts.splice(0)) {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

function tmpfs(sizeMiB: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-disk-'));
  const run = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  mounts.push(dir);
  return dir;
}

function agentOn(dataDir: string): Agent {
  const distDir = mkdtempSync(path.join(tmpdir(), 'onevisit-dist-'));
  const agent = createAgent(defaultConfig({ port: 0, dev: true, dataDir }), { log: silentLogger(), distDir, clock: new ManualClock(Date.parse('2026-11-21T12:00:00+08:00')) });
  agents.push(agent);
  return agent;
}

describe.skipIf(!canMount)('storage faults on a real file system', () => {
  it('a read-only data folder stops the start with a reason that names the folder, not an I/O error', async () => {
    const disk = tmpfs(8);
    const dataDir = path.join(disk, 'data');
    mkdirSync(dataDir);
    expect(spawnSync('mount', ['-o', 'remount,ro', disk]).status).toBe(0);
    const started = agentOn(dataDir).start();
    await expect(started).rejects.toThrow(`Out of service: the data folder ${dataDir} is read-only or not writable by this account`);
  }, 60_000);

  it('a full disk makes a booking answer notEnoughSpace, and the booking works once there is room', async () => {
    const disk = tmpfs(48);
    const agent = agentOn(path.join(disk, 'data'));
    const started = await agent.start();
    const kiosk = await TestClient.authenticated(started.url, started.token);
    clients.push(kiosk);
    const { services } = successPayload('Booking.ListServices', await kiosk.send('Booking.ListServices', {}));
    const serviceId = services[0]?.id ?? '';
    const slots = successPayload('Booking.ListSlots', await kiosk.send('Booking.ListSlots', { serviceId, from: '2026-11-23', to: '2026-11-27' }));
    const start = slots.slots[0]?.start ?? '';
    await kiosk.send('Dev.InsertCard', { identity: 'standard' });
    expect((await kiosk.send('IdCard.Read')).completion.header.completionCode).toBe('success');

    // Fill the disk to the last byte.
    const filler = path.join(disk, 'filler');
    const chunk = Buffer.alloc(1024 * 1024, 1);
    let mib = 0;
    try {
      for (;;) {
        writeFileSync(filler, chunk, { flag: 'a' });
        mib += 1;
      }
    } catch (error) {
      expect((error as { code?: unknown }).code).toBe('ENOSPC');
    }
    try {
      for (;;) writeFileSync(filler, Buffer.alloc(4096, 1), { flag: 'a' });
    } catch {
      // full
    }
    expect(mib).toBeGreaterThan(0);

    const full = await kiosk.send('Booking.Reserve', { serviceId, start });
    expect(full.completion.header).toMatchObject({ completionCode: 'notEnoughSpace', errorCode: 'dataDiskFull' });
    expect(full.completion.header.errorDescription).not.toContain('110105');
    // Staff see why applications are refused, and which folder to look at.
    const warned = successPayload('Common.Status', await kiosk.send('Common.Status'));
    expect(warned.warnings.find((w) => w.code === 'submissionsOutOfService')?.detail).toContain(`diskFull: data folder ${path.join(disk, 'data')}`);

    rmSync(filler);
    const reserved = successPayload('Booking.Reserve', await kiosk.send('Booking.Reserve', { serviceId, start }));
    expect(reserved.code).toMatch(/^[0-9A-Z]{6}$/);
  }, 120_000);
});
