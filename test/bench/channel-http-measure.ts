// Ad-hoc measure (issue 16, channel over HTTP): time of `forms publish --channel URL` and of a
// terminal's poll that downloads, verifies, stages and switches the release, over the real intake.
// Run: npx tsx test/bench/channel-http-measure.ts (not part of npm run bench).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RequestVerifier } from '../../device-agent/src/crypto/request-signing.ts';
import { runIntake } from '../../device-agent/src/intake/main.ts';
import { startIntakeServer } from '../../device-agent/src/intake/server.ts';
import { httpChannel } from '../../device-agent/src/services/forms-update/channel-source.ts';
import { forms, FORM_ID, makeOps, makeTerminal } from '../../device-agent/src/services/forms-update/test-fleet.ts';

const ops = await makeOps();
const outDir = mkdtempSync(path.join(tmpdir(), 'measure-intake-'));
const tokenFile = path.join(outDir, 'ops.token');
await runIntake(['ops-token', '--out', tokenFile], { out: () => undefined, err: () => undefined });
const pair = generateKeyPairSync('ed25519');
const server = await startIntakeServer({ port: 0, outDir, opsToken: readFileSync(tokenFile, 'utf8').trim(), verifier: new RequestVerifier({ keys: (id) => (id === 'T0001' ? pair.publicKey : undefined) }) });
const base = `http://127.0.0.1:${server.port}`;
const terminal = await makeTerminal(ops, { terminalId: 'T0001', channel: httpChannel({ baseUrl: base, terminalId: 'T0001', privateKey: pair.privateKey, now: Date.now }) });
const rows: string[] = [];
for (let i = 1; i <= 8; i++) {
  const version = `1.${i}.0`;
  const archive = path.join(ops.dir, `${version}.ovpkg`);
  await forms('sign', ops.packageAt(version), '--key', ops.keyFile, '--out', archive);
  const t0 = performance.now();
  await forms('publish', archive, '--channel', base, '--ops-token-file', tokenFile, '--ring', 'all');
  const t1 = performance.now();
  await terminal.updater.pollOnce();
  const t2 = performance.now();
  if (terminal.catalog.version(FORM_ID) !== version) throw new Error(`not switched to ${version}`);
  rows.push(`${version}: publish ${(t1 - t0).toFixed(0)} ms, poll to active ${(t2 - t1).toFixed(0)} ms`);
}
console.log(rows.join('\n'));
await server.close();
