/**
 * Test fixtures for the outbox: a fictional citizen, a back office key pair, a fresh store.
 * The citizen's details are what the privacy scan looks for on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { generateBackofficeKeyPair, parsePrivateKeys, parsePublicKeys, type PrivateKeyEntry, type PublicKeyEntry } from '../../crypto/seal.ts';
import { openStore, type Store } from '../../store/db.ts';
import { submissionMigrations } from '../service.ts';
import type { Submission } from '../outbox.ts';

/** Fictional. Unusual enough that a hit on disk cannot be chance. */
export const TEST_CITIZEN = {
  name: '欧阳娜娜测试',
  idNumber: '11010519491231002X',
  phone: '13912345678',
  address: '北京市朝阳区测试路88号院3号楼',
} as const;

export function tempDir(prefix = 'onevisit-outbox-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export type TestKeys = { publicPem: string; privatePem: string; pub: PublicKeyEntry; priv: PrivateKeyEntry };

export function makeKeys(): TestKeys {
  const pair = generateBackofficeKeyPair();
  const pub = parsePublicKeys(pair.publicPem)[0];
  const priv = parsePrivateKeys(pair.privatePem)[0];
  if (!pub || !priv) throw new Error('key generation failed');
  return { publicPem: pair.publicPem, privatePem: pair.privatePem, pub, priv };
}

export function openTestStore(dataDir = tempDir()): Store {
  return openStore({ dataDir, migrations: submissionMigrations });
}

/** A tiny valid PNG (1x1), with the text chunk left out. */
export function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer): number => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 0x80]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A stand-in "filled PDF" that carries the citizen's details in clear, as a real one would. */
export function fakePdf(): Buffer {
  return Buffer.from(`%PDF-1.7\n% ${TEST_CITIZEN.name} ${TEST_CITIZEN.idNumber} ${TEST_CITIZEN.phone} ${TEST_CITIZEN.address}\n%%EOF\n`, 'utf8');
}

export function citizenSubmission(submissionId: string, extra: Partial<Submission> = {}): Submission {
  return {
    submissionId,
    formId: 'residence-permit',
    formVersion: '1.2.0',
    answers: { ...TEST_CITIZEN, reason: '工作' },
    pdf: fakePdf(),
    signaturePng: tinyPng(),
    scans: [{ mediaType: 'image/png', bytes: tinyPng() }],
    ...extra,
  };
}
