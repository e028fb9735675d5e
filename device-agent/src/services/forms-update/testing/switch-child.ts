// The child of switch-crash.test.ts: stages and switches form versions in a loop, as the updater
// does (verifyAndStage, then the pointer written, then pruning), until the test kills it with
// SIGKILL. Args: ROOT KEYFILE VERSION=ARCHIVE... (4 or more versions of one form, switched round in
// that order, so the one staged is never the active or a kept one, as in the updater).
import { readFileSync } from 'node:fs';
import { parsePublicKeys } from '@onevisit/forms';
import { ActiveForms, KEPT_PREVIOUS } from '../active-forms.ts';
import { verifyAndStage } from '../stage.ts';

const [root, keyFile, ...archives] = process.argv.slice(2);
if (root === undefined || keyFile === undefined || archives.length < 4) throw new Error('usage: ROOT KEYFILE ARCHIVE x4+');
const keys = parsePublicKeys(readFileSync(keyFile, 'utf8'));
if (!keys.ok) throw new Error(keys.refusal.detail);
const cycle = archives.map((arg) => {
  const [version = '', file = ''] = arg.split('=');
  return { version, bytes: new Uint8Array(readFileSync(file)) };
});
const active = new ActiveForms(root);

const { pointer: start } = await active.recover();
let pointer = start;
process.stdout.write('READY\n');
for (;;) {
  const current = Object.values(pointer.forms)[0]?.version;
  const next = cycle[(cycle.findIndex((c) => c.version === current) + 1) % cycle.length];
  if (next === undefined) throw new Error('no archive');
  const staged = await verifyAndStage(next.bytes, { trustedKeys: keys.value, agentVersion: '0.1.0', root: active.versionsRoot });
  if (!staged.ok) throw new Error(staged.refusal.detail);
  const { formId, version, archiveSha256 } = staged.value;
  const old = pointer.forms[formId];
  const history = old === undefined ? [] : [{ version: old.version, archiveSha256: old.archiveSha256 }, ...old.previous];
  pointer = {
    format: pointer.format,
    forms: { [formId]: { version, archiveSha256, activatedAt: new Date().toISOString(), previous: history.filter((h) => h.version !== version).slice(0, KEPT_PREVIOUS) } },
  };
  await active.write(pointer);
  process.stdout.write(`SWITCHED ${version}\n`);
  await active.prune(pointer);
}
