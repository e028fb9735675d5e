// The demo's forms channel (issue 16: "the forms folder shipped in the repo becomes the initial channel
// content for npm start"). In the demo (no --forms-channel), the agent keeps a channel folder in
// `DATA_DIR/demo-forms/channel` holding every shipped package signed with a demo key made for this data
// folder (`DATA_DIR/demo-forms/keys/signing.key|pub`) and trusted by this terminal only. The terminal then
// runs the whole update path on it: sign a changed form with that key, publish it there, and it switches
// between citizens. A real hall uses its ops key and the back office's channel instead (README).
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSigningKeys, loadPackage, parsePrivateKey, publishToChannel, readIndex, signPackage } from '@onevisit/forms';
import type { Logger } from 'pino';

export interface DemoFormsChannel {
  readonly dir: string;
  readonly trustedKeysFile: string;
  readonly keyFile: string;
}

/**
 * Makes (once) the demo key and publishes to the channel, ring `all`, each shipped package whose
 * version it does not hold yet; a package the channel already has a newer version of (published by
 * hand in the demo) is left as it is.
 */
export async function ensureDemoFormsChannel(dataDir: string, formsDir: string, log: Pick<Logger, 'warn' | 'info'>): Promise<DemoFormsChannel> {
  const root = path.join(dataDir, 'demo-forms');
  const keys = path.join(root, 'keys');
  const keyFile = path.join(keys, 'signing.key');
  const pubFile = path.join(keys, 'signing.pub');
  const channel = path.join(root, 'channel');
  if (!existsSync(keyFile) || !existsSync(pubFile)) {
    await mkdir(keys, { recursive: true, mode: 0o700 });
    const pair = generateSigningKeys();
    await writeFile(keyFile, pair.privatePem, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    await writeFile(pubFile, pair.publicPem, { mode: 0o644 });
  }
  const key = parsePrivateKey(readFileSync(keyFile, 'utf8'));
  if (key === undefined) throw new Error(`${keyFile} is not an Ed25519 private key`);
  const index = await readIndex(channel);
  const published: string[] = [];
  for (const entry of (await readdir(formsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(formsDir, entry.name);
    if (!existsSync(path.join(dir, 'definition.json'))) continue;
    let pkg;
    try {
      pkg = await loadPackage(dir);
    } catch {
      continue; // the catalogue logs a shipped package that does not load
    }
    const { id, version } = pkg.definition;
    if ((index.forms[id]?.releases ?? []).some((r) => r.version === version)) continue;
    const signed = await signPackage(dir, key, { formId: id, version, minAgentVersion: '0.1.0', now: new Date() });
    if (!signed.ok) continue;
    const done = await publishToChannel(channel, signed.value.archive, 'all', new Date());
    if (done.ok) published.push(`${id}@${version}`);
  }
  if (published.length > 0) log.info({ channel, published }, 'demo: shipped forms published to the demo forms channel');
  log.warn(
    { channel, trustedKeys: pubFile },
    `demo: form updates come from a DEMO channel signed with a DEMO key of this data folder; try: npm run forms -- sign DIR --key ${keyFile} --out F.ovpkg && npm run forms -- publish F.ovpkg --channel ${channel} --ring all`,
  );
  return { dir: channel, trustedKeysFile: pubFile, keyFile };
}
