import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { generateBackofficeKeyPair } from '../crypto/seal.ts';

/**
 * Dev mode only (`--dev` without `--backoffice-key`): a demo back-office key pair in
 * `<dataDir>/demo-backoffice/`, so that `npm start -- --dev` shows the whole journey up to
 * "accepted". A real terminal never holds the private key: without `--dev`, a missing key
 * keeps Forms.Submit out of service instead.
 * Returns the public key file to seal to.
 */
export async function ensureDemoBackofficeKey(dataDir: string, log: Pick<Logger, 'warn'>): Promise<string> {
  const dir = path.join(dataDir, 'demo-backoffice');
  const publicFile = path.join(dir, 'backoffice.pub');
  const privateFile = path.join(dir, 'backoffice.key');
  if (!existsSync(publicFile)) {
    await mkdir(dir, { recursive: true });
    const pair = generateBackofficeKeyPair();
    await writeFile(privateFile, pair.privatePem, { mode: 0o600 });
    await chmod(privateFile, 0o600);
    await writeFile(publicFile, pair.publicPem);
  }
  log.warn(
    { publicKey: publicFile },
    `dev mode: submissions are sealed to a DEMO back-office key; open them with: npm run intake -- open ${path.join(dataDir, 'intake')} --key ${privateFile} --out DIR`,
  );
  return publicFile;
}
