import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ringBucket, type Release, type TerminalReport } from '@onevisit/forms';
import { readIndex, readReports, rolloutStatus } from '../../../../forms/src/channel.ts';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log.ts';
import { ACTIVE_FILE } from './active-forms.ts';
import { folderChannel } from './channel-source.ts';
import { forms, FORM_ID, makeOps, makeTerminal, type TestTerminal } from './test-fleet.ts';
import { effectiveReleases } from './updater.ts';

const report = async (channel: string, terminalId = 'T0101'): Promise<TerminalReport['forms'][string] | undefined> =>
  (await readReports(channel)).reports.find((r) => r.terminalId === terminalId)?.forms[FORM_ID];

const versions = (t: TestTerminal): string[] => readdirSync(t.active.versionDir(FORM_ID, 'x').replace(/\/x$/, '')).sort();

function capture(): { lines: Record<string, unknown>[]; text: () => string; log: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, text: () => JSON.stringify(lines), log: createLogger({ level: 'info', destination }) };
}

/** A terminal that installed 1.1.0 and then 1.2.0 from the channel. */
async function runningTwoReleases(): Promise<{ ops: Awaited<ReturnType<typeof makeOps>>; t: TestTerminal }> {
  const ops = await makeOps();
  const t = await makeTerminal(ops);
  for (const v of ['1.1.0', '1.2.0']) {
    await ops.publish(v);
    await t.updater.pollOnce();
  }
  expect(t.catalog.version(FORM_ID)).toBe('1.2.0');
  return { ops, t };
}

describe('FormsUpdater', () => {
  it('installs what the channel offers only between sessions, reports each step and keeps the previous two versions', async () => {
    const ops = await makeOps();
    const t = await makeTerminal(ops);
    expect(t.catalog.version(FORM_ID)).toBe('1.0.0');
    await ops.publish('1.1.0');

    t.busy = true; // a citizen is mid-application
    const polled = await t.updater.pollOnce();
    expect(polled).toMatchObject({ ok: true, staged: [`${FORM_ID}@1.1.0`], refused: [], pending: 1 });
    expect(t.catalog.version(FORM_ID)).toBe('1.0.0');
    expect(await report(ops.channel)).toEqual({ active: '1.0.0', version: '1.1.0', step: 'verified' });
    expect(t.updater.pending()).toEqual({ [FORM_ID]: '1.1.0' });
    await t.runRechecks();
    expect(t.catalog.version(FORM_ID)).toBe('1.0.0'); // still busy: waits again
    expect(t.timers.some((x) => !x.canceled && x.delayMs === 2000)).toBe(true);

    t.busy = false; // the session ended
    await t.runRechecks();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(t.catalog.get(FORM_ID)?.item.title).toBe('居住证申领（1.1.0）');
    expect(await report(ops.channel)).toEqual({ active: '1.1.0', version: '1.1.0', step: 'activated' });
    const pointer = JSON.parse(readFileSync(path.join(t.active.root, ACTIVE_FILE), 'utf8')) as { forms: Record<string, { version: string; previous: unknown[] }> };
    expect(pointer.forms[FORM_ID]).toMatchObject({ version: '1.1.0', previous: [] });
    const status = rolloutStatus(await readIndex(ops.channel), FORM_ID, (await readReports(ops.channel)).reports, []);
    expect(status.running).toEqual({ '1.1.0': ['T0101'] });
    expect(status.pending).toEqual([]);

    for (const v of ['1.2.0', '1.3.0', '1.4.0']) {
      await ops.publish(v);
      await t.updater.pollOnce(); // free: switches in the same poll
      expect(t.catalog.version(FORM_ID)).toBe(v);
    }
    expect(versions(t)).toEqual(['1.2.0', '1.3.0', '1.4.0']);
    expect(t.catalog.get(FORM_ID)?.archiveSha256).toMatch(/^[0-9a-f]{64}$/);
    // Nothing to do when the offer is what runs.
    expect(await t.updater.pollOnce()).toMatchObject({ staged: [], pending: 0 });
  });

  it('switches back on a rollback in the channel to the kept version without a download, or to the shipped forms', async () => {
    const { ops, t } = await runningTwoReleases();

    await forms('rollout', 'rollback', FORM_ID, '--channel', ops.channel);
    // The kept 1.1.0 is switched to without reading its archive again.
    writeFileSync(path.join(ops.channel, `${FORM_ID}-1.1.0.ovpkg`), 'gone');
    t.busy = true;
    await t.updater.pollOnce();
    expect(t.catalog.version(FORM_ID)).toBe('1.2.0');
    t.busy = false;
    await t.runRechecks();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(await report(ops.channel)).toEqual({ active: '1.1.0', version: '1.1.0', step: 'rolledBack' });
    expect(t.updater.refusals()).toEqual([]);

    // The shipped version published as the channel's first content, then a release rolled back.
    const ops2 = await makeOps();
    const u = await makeTerminal(ops2);
    await ops2.publish('1.0.0');
    expect(await u.updater.pollOnce()).toMatchObject({ staged: [], pending: 0 });
    await ops2.publish('1.1.0');
    await u.updater.pollOnce();
    expect(u.catalog.version(FORM_ID)).toBe('1.1.0');
    await forms('rollout', 'rollback', FORM_ID, '--channel', ops2.channel);
    await u.updater.pollOnce();
    expect(u.catalog.version(FORM_ID)).toBe('1.0.0');
    expect(u.catalog.get(FORM_ID)?.archiveSha256).toBeUndefined();
    expect(existsSync(u.active.versionDir(FORM_ID, '1.1.0'))).toBe(false);
    expect(await report(ops2.channel)).toMatchObject({ active: '1.0.0', step: 'rolledBack' });
  });

  it('refuses a corrupt download, a downgrade, a package failing check, an unknown signer and a failing test fill: the active version stays, a clear reason, no retry', async () => {
    const ops = await makeOps();
    const { log, text, lines } = capture();
    let fetches = 0;
    const channel = folderChannel(ops.channel);
    const counting = { ...channel, fetchArchive: (file: string, max: number) => ((fetches += 1), channel.fetchArchive(file, max)) };
    const t = await makeTerminal(ops, {
      log,
      channel: counting,
      deps: { testFill: (pkg) => Promise.resolve(pkg.definition.version === '1.5.0' ? 'textOverflow in field residenceAddress' : undefined) },
    });
    const cases: { publish: () => Promise<unknown>; code: string }[] = [
      // A downgrade below the shipped 1.0.0, on a channel where nothing newer is live.
      { publish: () => ops.publishRaw('0.9.0', { ring: 'all' }), code: 'notNewer' },
      {
        publish: async () => {
          const file = await ops.publish('1.1.0');
          const bytes = readFileSync(file);
          const at = bytes.length - 2000;
          bytes.writeUInt8((bytes.readUInt8(at) ^ 0xff) & 0xff, at); // one byte flipped in the channel's copy
          writeFileSync(path.join(ops.channel, `${FORM_ID}-1.1.0.ovpkg`), bytes);
        },
        code: 'downloadCorrupt',
      },
      { publish: () => ops.publishRaw('1.3.0', { edit: (dir) => writeFileSync(path.join(dir, 'sample.json'), JSON.stringify({ cardType: 'nobody', phone: 'call me' })) }), code: 'checkFailed' },
      { publish: () => ops.publishRaw('1.4.0', { key: generateKeyPairSync('ed25519').privateKey }), code: 'unknownSigner' },
      { publish: () => ops.publish('1.5.0'), code: 'testFillFailed' },
    ];
    for (const c of cases) {
      await c.publish();
      fetches = 0;
      const polled = await t.updater.pollOnce();
      expect(polled.refused.map((r) => r.reason.split(':')[0])).toEqual([c.code]);
      expect(t.catalog.version(FORM_ID)).toBe('1.0.0');
      expect(t.updater.refusals()).toHaveLength(1);
      expect(t.updater.refusals()[0]?.reason).toMatch(new RegExp(`^${c.code}: .+`));
      expect(await report(ops.channel)).toMatchObject({ active: '1.0.0', step: 'failed', reason: expect.stringMatching(new RegExp(`^${c.code}`)) as unknown });
      expect(existsSync(path.join(t.active.versionsRoot, FORM_ID)) ? readdirSync(path.join(t.active.versionsRoot, FORM_ID)) : []).toEqual([]);
      // Not downloaded again until ops publish something else.
      await t.updater.pollOnce();
      expect(fetches).toBe(1);
    }
    expect(lines.filter((l) => l.msg === 'forms update: package refused; the active version stays').map((l) => (l.reason as string).split(':')[0])).toEqual(cases.map((c) => c.code));
    // The sample's made-up person never reaches the log.
    expect(text()).not.toMatch(/张|110105|13812345678/);
    // A fixed package clears the warning.
    await ops.publish('1.6.0');
    await t.updater.pollOnce();
    expect(t.catalog.version(FORM_ID)).toBe('1.6.0');
    expect(t.updater.refusals()).toEqual([]);
  });

  it('accepts an older version signed as a rollback', async () => {
    const ops = await makeOps();
    const t = await makeTerminal(ops);
    await ops.publish('1.2.0');
    await t.updater.pollOnce();
    await ops.publishRaw('1.1.5', { rollback: true });
    await t.updater.pollOnce();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.5');
  });

  it('offers a 10% release only to the terminals in that ring', async () => {
    const ops = await makeOps();
    const ids = Array.from({ length: 40 }, (_, i) => `T${String(i).padStart(4, '0')}`);
    const inside = ids.find((id) => ringBucket(id) < 1000);
    const outside = ids.find((id) => ringBucket(id) >= 1000);
    if (inside === undefined || outside === undefined) throw new Error('pick other ids');
    await ops.publish('1.1.0', '10%');
    const a = await makeTerminal(ops, { terminalId: inside });
    const b = await makeTerminal(ops, { terminalId: outside });
    await a.updater.pollOnce();
    await b.updater.pollOnce();
    expect([a.catalog.version(FORM_ID), b.catalog.version(FORM_ID)]).toEqual(['1.1.0', '1.0.0']);
    await forms('rollout', 'halt', FORM_ID, '--channel', ops.channel);
    // Halted: offered to no one new, kept where it runs.
    await a.updater.pollOnce();
    await b.updater.pollOnce();
    expect([a.catalog.version(FORM_ID), b.catalog.version(FORM_ID)]).toEqual(['1.1.0', '1.0.0']);
    await ops.publish('1.2.0', 'all');
    await b.updater.pollOnce();
    expect(b.catalog.version(FORM_ID)).toBe('1.2.0');
  });

  it('keeps a halted release where it runs (halt is not rollback)', async () => {
    const { ops, t } = await runningTwoReleases();
    await forms('rollout', 'halt', FORM_ID, '--channel', ops.channel);
    await t.updater.pollOnce();
    expect(t.catalog.version(FORM_ID)).toBe('1.2.0');
  });

  it('halts a roll-out by itself when more than one terminal reports a failed activation: terminals running it switch back', async () => {
    const { ops, t } = await runningTwoReleases();
    mkdirSync(path.join(ops.channel, 'reports'), { recursive: true });
    const failed = (id: string): TerminalReport => ({ terminalId: id, at: new Date().toISOString(), forms: { [FORM_ID]: { active: '1.1.0', version: '1.2.0', step: 'failed', reason: 'testFillFailed: x' } } });
    writeFileSync(path.join(ops.channel, 'reports', 'T0201.json'), JSON.stringify(failed('T0201')));
    await t.updater.pollOnce();
    expect(t.catalog.version(FORM_ID)).toBe('1.2.0'); // one failure is not more than one
    writeFileSync(path.join(ops.channel, 'reports', 'T0202.json'), JSON.stringify(failed('T0202')));
    await t.updater.pollOnce();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(await report(ops.channel)).toMatchObject({ active: '1.1.0', step: 'rolledBack' });
  });

  it('a fleet of 10: a 30% ring of 3 gets the release first; when two of them fail it halts and the third switches back; a fixed release then reaches all', async () => {
    const ops = await makeOps();
    const ids = Array.from({ length: 200 }, (_, i) => `T${String(i).padStart(4, '0')}`);
    const ring = ids.filter((id) => ringBucket(id) < 3000).slice(0, 3);
    const rest = ids.filter((id) => ringBucket(id) >= 3000).slice(0, 7);
    const failing = new Set(ring.slice(0, 2));
    const fleet = await Promise.all(
      [...ring, ...rest].map((id) =>
        makeTerminal(ops, { terminalId: id, deps: { testFill: (pkg) => Promise.resolve(failing.has(id) && pkg.definition.version === '1.1.0' ? 'textOverflow in field residenceAddress' : undefined) } }),
      ),
    );
    const served = (): (string | undefined)[] => fleet.map((t) => t.catalog.version(FORM_ID));
    await ops.publish('1.1.0', '30%');
    // The healthy ring member polls first, then the two that fail.
    for (const t of [fleet[2], fleet[0], fleet[1], ...fleet.slice(3)]) await t?.updater.pollOnce();
    expect(served()).toEqual(['1.0.0', '1.0.0', '1.1.0', ...Array<string>(7).fill('1.0.0')]);
    const status = rolloutStatus(await readIndex(ops.channel), FORM_ID, (await readReports(ops.channel)).reports, []);
    expect(status.failed.map((f) => f.terminalId).sort()).toEqual([...failing].sort());
    // Its next poll reads two failures (more than one): the release is halted, the previous version offered again.
    await fleet[2]?.updater.pollOnce();
    expect(served()).toEqual(Array<string>(10).fill('1.0.0'));
    await ops.publish('1.2.0', 'all');
    for (const t of fleet) await t.updater.pollOnce();
    expect(served()).toEqual(Array<string>(10).fill('1.2.0'));
  });

  it('effectiveReleases reads a rolling release with more failures than allowed as withdrawn', () => {
    const r = (version: string): Release => ({ version, file: `f-${version}.ovpkg`, sha256: '0'.repeat(64), ring: 'all', publishedAt: '2026-12-04T00:00:00.000Z', status: 'rolling' });
    const rep = (id: string, version: string, step: 'failed' | 'activated'): TerminalReport => ({ terminalId: id, at: '2026-12-04T00:00:00.000Z', forms: { f: { version, step } } });
    const reports = [rep('A', '2.0.0', 'failed'), rep('B', '2.0.0', 'failed'), rep('C', '1.0.0', 'failed'), rep('D', '2.0.0', 'activated')];
    expect(effectiveReleases('f', [r('1.0.0'), r('2.0.0')], reports, 1).map((x) => x.status)).toEqual(['rolling', 'withdrawn']);
    expect(effectiveReleases('f', [r('1.0.0'), r('2.0.0')], reports, 2).map((x) => x.status)).toEqual(['rolling', 'rolling']);
    // A release published with --halt-after N carries its own limit, over the fleet's default.
    expect(effectiveReleases('f', [r('1.0.0'), { ...r('2.0.0'), haltAfterFailures: 2 }], reports, 1).map((x) => x.status)).toEqual(['rolling', 'rolling']);
    expect(effectiveReleases('f', [r('1.0.0'), { ...r('2.0.0'), haltAfterFailures: 0 }], [rep('A', '2.0.0', 'failed')], 1).map((x) => x.status)).toEqual(['rolling', 'withdrawn']);
  });

  it('after a crash between staging and activation the old version is served and the next start discards the staged one, then finishes', async () => {
    const ops = await makeOps();
    const first = await makeTerminal(ops);
    await ops.publish('1.1.0');
    first.busy = true;
    await first.updater.pollOnce();
    const dataDir = path.dirname(first.active.root);
    expect(existsSync(first.active.versionDir(FORM_ID, '1.1.0'))).toBe(true);
    // The process dies here (nothing more runs); what an unpack in progress would leave is there too.
    mkdirSync(`${first.active.versionDir(FORM_ID, '1.2.0')}.staging`, { recursive: true });
    writeFileSync(path.join(first.active.root, `.${ACTIVE_FILE}.4242.tmp`), '{"half":');

    const second = await makeTerminal(ops, { dataDir: path.join(dataDir) });
    expect(second.catalog.version(FORM_ID)).toBe('1.0.0');
    expect(readdirSync(path.join(second.active.versionsRoot, FORM_ID))).toEqual([]);
    expect(readdirSync(second.active.root).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await second.updater.pollOnce();
    expect(second.catalog.version(FORM_ID)).toBe('1.1.0');
  });
});
