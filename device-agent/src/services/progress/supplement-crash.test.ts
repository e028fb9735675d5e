/**
 * A supplement survives SIGKILL like a submission (issue 15): a child accepts one and is killed
 * with SIGKILL the moment it has told its caller the supplement was accepted; a fresh process
 * finds it in the outbox, sealed, and delivers it to a real intake, which records it for the case.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../clock.ts';
import { HttpTarget } from '../../outbox/delivery.ts';
import { Outbox } from '../../outbox/outbox.ts';
import { formatReference } from '../../outbox/reference.ts';
import { submissionMigrations } from '../../outbox/service.ts';
import { makeKeys, tempDir } from '../../outbox/testing/fixtures.ts';
import { openStore } from '../../store/db.ts';
import { SqliteIntakeStore } from '../../intake/sqlite-store.ts';
import { startIntakeServer } from '../../intake/server.ts';
import { MATERIAL_ID } from './testing/supplement-child-constants.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function acceptThenKill(dataDir: string, keyFile: string, caseReference: string): Promise<string> {
  // `node --import tsx`, not the tsx command: that runs the script in a grandchild the kill would miss.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'testing', 'supplement-child.ts'), dataDir, keyFile, caseReference], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /PROMISED (\S+)\n/.exec(out);
      if (m?.[1]) {
        child.kill('SIGKILL');
        resolve(m[1]);
      } else if (out.includes('REFUSED')) reject(new Error(out));
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended with ${String(code)} before its promise: ${out}`));
    });
  });
}

it('a supplement promised just before a SIGKILL is in the outbox after it, sealed, and delivers to its case', async () => {
  const dataDir = tempDir();
  const outDir = tempDir('onevisit-intake-');
  const keys = makeKeys();
  const keyFile = path.join(dataDir, '..', `${path.basename(dataDir)}.pub`);
  writeFileSync(keyFile, keys.publicPem);
  const caseReference = formatReference('T0001', '261204', 5);
  const reference = await acceptThenKill(dataDir, keyFile, caseReference);

  const store = openStore({ dataDir, migrations: submissionMigrations });
  cleanup.push(() => store.close());
  const outbox = new Outbox({ db: store.db, dataDir, clock: systemClock, terminalId: 'T0001', keys: [keys.pub], freeBytes: () => 1e12 });
  const row = outbox.get(reference);
  expect(row).toMatchObject({ state: 'pending', formId: 'supplement' });
  const blob = outbox.blob(reference);
  if (!row || !blob) throw new Error('the promised supplement is gone');
  // Nothing readable in the store but the metadata: the case and material travel sealed (and in the route).
  expect(blob.includes(Buffer.from(MATERIAL_ID))).toBe(false);
  expect(blob.includes(Buffer.from(caseReference))).toBe(false);

  const intakeStore = new SqliteIntakeStore(outDir);
  const { cases, records } = intakeStore;
  cases.set(caseReference, { status: 'needMaterial', materials: ['户口簿复印件'] });
  const intake = await startIntakeServer({ port: 0, store: intakeStore, privateKeys: [keys.priv] });
  cleanup.push(async () => {
    await intake.close();
    await intakeStore.close();
  });
  const outcome = await new HttpTarget({ url: intake.url }).deliver(reference, blob, new AbortController().signal, row.route ?? undefined);
  expect(outcome).toEqual({ kind: 'delivered', httpStatus: 201 });
  expect(records.supplementsOf(caseReference)).toEqual([expect.objectContaining({ id: reference, materialId: MATERIAL_ID })]);
});
