/**
 * Child for supplement-crash.test.ts: accepts one supplement into the outbox of DATA_DIR (sealed to
 * the public key in KEY_FILE), prints `PROMISED <reference>` once `submit` returned, then waits
 * to be killed. No delivery worker: the parent delivers after the kill.
 */
import { readFileSync } from 'node:fs';
import { systemClock } from '../../../clock.ts';
import { parsePublicKeys } from '../../../crypto/seal.ts';
import { Outbox } from '../../../outbox/outbox.ts';
import { submissionMigrations } from '../../../outbox/service.ts';
import { openStore } from '../../../store/db.ts';
import { SupplementService } from '../supplement-service.ts';
import { MATERIAL_ID } from './supplement-child-constants.ts';

const [dataDir = '', keyFile = '', caseReference = ''] = process.argv.slice(2);
const store = openStore({ dataDir, migrations: submissionMigrations });
const outbox = new Outbox({ db: store.db, dataDir, clock: systemClock, terminalId: 'T0001', keys: parsePublicKeys(readFileSync(keyFile, 'utf8')), freeBytes: () => 1e12 });
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const scans = { get: () => ({ scanId: 's', createdMs: 0, pages: [{ index: 0, png, width: 1, height: 1, resolutionDpi: 300 }] }), delete: () => true };
const result = new SupplementService({ outbox, scans }).submit({ caseReference, materialId: MATERIAL_ID, scanIds: ['s'], supplementId: '0b7f5c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f' });
process.stdout.write(result.ok ? `PROMISED ${result.reference}\n` : `REFUSED ${result.reason}\n`);
setInterval(() => undefined, 60_000);
