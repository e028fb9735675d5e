// Issue 16 figures for the closing note (run: npx tsx test/bench/forms-update-measure.ts): the cost of
// verifying one signed package (signature + every file's hash) and of verify + stage (unpack with
// fsync, check), and the time from `forms publish` to the new version served by a real agent
// polling every second.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyPackage } from '@onevisit/forms';
import { createAgent } from '../../device-agent/src/app.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { generateBackofficeKeyPair } from '../../device-agent/src/crypto/seal.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { verifyAndStage } from '../../device-agent/src/services/forms-update/stage.ts';
import { forms, FORM_ID, makeOps } from '../../device-agent/src/services/forms-update/test-fleet.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ops = await makeOps();
const file = path.join(ops.dir, 'out', 'm.ovpkg');
await forms('sign', ops.packageAt('1.1.0'), '--key', ops.keyFile, '--out', file);
const bytes = new Uint8Array(readFileSync(file));
const verifyMs: number[] = [];
const stageMs: number[] = [];
for (let i = 0; i < 30; i++) {
  let t = performance.now();
  const v = await verifyPackage(bytes, ops.trustedKeys, { agentVersion: '0.1.0' });
  verifyMs.push(performance.now() - t);
  if (!v.ok) throw new Error(v.refusal.detail);
  t = performance.now();
  const s = await verifyAndStage(bytes, { trustedKeys: ops.trustedKeys, agentVersion: '0.1.0', root: mkdtempSync(path.join(tmpdir(), 'f16-stage-')) });
  stageMs.push(performance.now() - t);
  if (!s.ok) throw new Error(s.refusal.code);
}
console.log(`archive ${bytes.length} bytes; verify median ${median(verifyMs).toFixed(1)} ms (min ${Math.min(...verifyMs).toFixed(1)}, max ${Math.max(...verifyMs).toFixed(1)}); verify+stage median ${median(stageMs).toFixed(1)} ms (min ${Math.min(...stageMs).toFixed(1)}, max ${Math.max(...stageMs).toFixed(1)})`);

const keyFile = path.join(ops.dir, 'backoffice.pub');
writeFileSync(keyFile, generateBackofficeKeyPair().publicPem);
const agent = createAgent(
  defaultConfig({ port: 0, dev: true, dataDir: mkdtempSync(path.join(tmpdir(), 'f16-data-')), backofficeKeyFile: keyFile, formsChannel: { kind: 'dir', dir: ops.channel }, formsTrustedKeysFile: ops.pubFile, formsPollMs: 1000 }),
  { log: silentLogger(), distDir: mkdtempSync(path.join(tmpdir(), 'f16-dist-')) },
);
await agent.start();
const lagMs: number[] = [];
for (const v of ['1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0']) {
  const archive = path.join(ops.dir, 'out', `${v}.ovpkg`);
  await forms('sign', ops.packageAt(v), '--key', ops.keyFile, '--out', archive);
  const t = performance.now();
  await forms('publish', archive, '--channel', ops.channel, '--ring', 'all');
  while (agent.services.application.get(FORM_ID)?.version !== v) await new Promise((r) => setTimeout(r, 10));
  lagMs.push(performance.now() - t);
}
console.log(`forms publish (its start) -> active with --forms-poll-seconds 1 (0.8-1.2 s jittered), terminal idle: ${lagMs.map((x) => (x / 1000).toFixed(2)).join(', ')} s (median ${(median(lagMs) / 1000).toFixed(2)} s)`);
await agent.stop();
process.exit(0);
