/**
 * The intake's store (issue 15), the same tests against both implementations: SQLite in a folder
 * (`--out`) and PostgreSQL (`--db`) on a private cluster (store/pg-test-cluster.ts), one schema per test.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedSha256 } from '../outbox/delivery.ts';
import { formatReference } from '../outbox/reference.ts';
import { tempDir } from '../outbox/testing/fixtures.ts';
import { startPgTestCluster, type PgTestCluster } from '../store/pg-test-cluster.ts';
import { PgIntakeStore } from './pg-store.ts';
import type { RatingRecord } from './records.ts';
import { SqliteIntakeStore } from './sqlite-store.ts';
import type { IntakeStore } from './store.ts';

let cluster: PgTestCluster;
const opened: IntakeStore[] = [];

beforeAll(async () => {
  cluster = await startPgTestCluster();
}, 120_000);

afterAll(async () => {
  for (const store of opened.splice(0)) await store.close();
  await cluster.destroy();
});

/** A store on a clock the test moves. */
type Clocked = { store: IntakeStore; clock: { ms: number } };

const BACKENDS: { name: string; open: () => Promise<Clocked> }[] = [
  {
    name: 'SQLite (--out)',
    open: () => {
      const clock = { ms: Date.parse('2026-12-04T01:00:00Z') };
      const store = new SqliteIntakeStore(tempDir('onevisit-intake-'), () => clock.ms);
      opened.push(store);
      return Promise.resolve({ store, clock });
    },
  },
  {
    name: 'PostgreSQL (--db)',
    open: async () => {
      const clock = { ms: Date.parse('2026-12-04T01:00:00Z') };
      const store = await PgIntakeStore.open(cluster.url, { schema: cluster.newSchema(), now: () => clock.ms });
      opened.push(store);
      return { store, clock };
    },
  },
];

const REF_A = formatReference('T0001', '261204', 1);
const REF_B = formatReference('T0001', '261204', 2);
const PERSON = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

function rating(level: 1 | 2 | 3 | 4 | 5): RatingRecord {
  return { service: 'query', level, reasons: level <= 2 ? ['waitTooLong'] : [], reasonsVersion: '2026-12', ratedAt: '2026-12-04T01:00:00.000Z', ...(level <= 2 ? { followUpBy: '2026-12-25' } : {}) };
}

describe.each(BACKENDS)('intake store: $name', ({ open }) => {
  it('keeps a case with its timeline and materials; "all my cases" newest first, nobody else’s', async () => {
    const { store, clock } = await open();
    expect(await store.getCase(REF_A)).toBeUndefined();
    await store.setCase(REF_A, { status: 'received', personKey: PERSON });
    clock.ms += 60_000;
    const asked = await store.setCase(REF_A, { status: 'needMaterial', materials: ['户口簿复印件', '近期照片'], note: '请补交' });
    expect(asked.steps.map((s) => [s.name, s.endedAt !== undefined])).toEqual([
      ['received', true],
      ['needMaterial', false],
    ]);
    expect(asked.materials).toEqual([
      { id: 'm1', description: '户口簿复印件' },
      { id: 'm2', description: '近期照片' },
    ]);
    expect(await store.getCase(REF_A)).toEqual(asked);
    clock.ms += 60_000;
    // The person key stays when a later update does not name it.
    await store.setCase(REF_B, { status: 'approved', personKey: PERSON });
    expect((await store.casesByPerson(PERSON)).map((c) => c.reference)).toEqual([REF_B, REF_A]);
    expect(await store.casesByPerson(OTHER)).toEqual([]);
    expect(await store.casesByPerson('not a key')).toEqual([]);
  });

  it('a submission with a person key makes the case received with that key, or puts the key on a case that has none', async () => {
    const { store } = await open();
    const created = await store.receiveCase(REF_A, PERSON);
    expect(created).toMatchObject({ reference: REF_A, status: 'received' });
    await store.setCase(REF_B, { status: 'inReview' });
    expect((await store.receiveCase(REF_B, PERSON)).status).toBe('inReview');
    // A key the case already has is not replaced by a later delivery.
    await store.receiveCase(REF_A, OTHER);
    expect((await store.casesByPerson(PERSON)).map((c) => c.reference).sort()).toEqual([REF_A, REF_B].sort());
    expect(await store.casesByPerson(OTHER)).toEqual([]);
  });

  it('stores a submission once: the same bytes again are a duplicate, other bytes a conflict naming the stored SHA-256', async () => {
    const { store, clock } = await open();
    const bytes = Buffer.from('sealed A');
    expect(await store.putSubmission({ reference: REF_A, terminalId: 'T0001', bytes })).toEqual({ kind: 'stored' });
    expect(await store.putSubmission({ reference: REF_A, terminalId: 'T0001', bytes: Buffer.from('sealed A') })).toEqual({ kind: 'duplicate' });
    expect(await store.putSubmission({ reference: REF_A, terminalId: 'T0001', bytes: Buffer.from('forged') })).toEqual({ kind: 'conflict', sha256: sealedSha256(bytes) });
    clock.ms += 1000;
    await store.putSubmission({ reference: REF_B, terminalId: 'T0001', bytes: Buffer.from('sealed B') });
    expect((await store.submission(REF_A))?.equals(bytes)).toBe(true);
    expect(await store.submission(formatReference('T0001', '261204', 3))).toBeUndefined();
    expect(await store.submissionReferences()).toEqual([REF_A, REF_B]);
  });

  it('supplements: once per id, listed by case', async () => {
    const { store } = await open();
    const id = formatReference('T0001', '261204', 7);
    const row = { id, caseReference: REF_A, materialId: 'm1', terminalId: 'T0001' };
    expect(await store.putSupplement(row, Buffer.from('scan'))).toEqual({ kind: 'stored' });
    expect(await store.putSupplement(row, Buffer.from('scan'))).toEqual({ kind: 'duplicate' });
    expect(await store.putSupplement(row, Buffer.from('other'))).toEqual({ kind: 'conflict', sha256: sealedSha256(Buffer.from('scan')) });
    expect(await store.supplementsOf(REF_A)).toEqual([{ ...row, sha256: sealedSha256(Buffer.from('scan')), receivedAt: '2026-12-04T01:00:00.000Z' }]);
    expect(await store.supplementsOf(REF_B)).toEqual([]);
  });

  it('ratings: once per id, the bad ones apart, follow-ups appended in order', async () => {
    const { store, clock } = await open();
    const bad = formatReference('T0001', '261204', 8);
    const good = formatReference('T0001', '261204', 9);
    expect(await store.putRating(bad, 'T0001', rating(2), Buffer.from('r1'))).toEqual({ kind: 'stored' });
    expect(await store.putRating(bad, 'T0001', rating(2), Buffer.from('r1'))).toEqual({ kind: 'duplicate' });
    expect((await store.putRating(bad, 'T0001', rating(2), Buffer.from('r2'))).kind).toBe('conflict');
    clock.ms += 1000;
    await store.putRating(good, 'T0001', rating(5), Buffer.from('r3'));
    expect((await store.ratings()).map((r) => [r.id, r.bad])).toEqual([
      [bad, true],
      [good, false],
    ]);
    expect((await store.ratings({ bad: true })).map((r) => ({ id: r.id, followUpBy: r.followUpBy }))).toEqual([{ id: bad, followUpBy: '2026-12-25' }]);
    await store.followUp(bad, '已致电');
    clock.ms += 1000;
    const twice = await store.followUp(bad, '设备已修复');
    expect(twice?.followUps.map((f) => f.note)).toEqual(['已致电', '设备已修复']);
    expect((await store.rating(bad))?.followUps).toEqual(twice?.followUps);
    expect(await store.followUp(formatReference('T0001', '261204', 10), 'x')).toBeUndefined();
  });

  it('registers terminals by id; refuses a bad id and a key that is not Ed25519', async () => {
    const { store } = await open();
    expect(await store.hasTerminals()).toBe(false);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const x = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await store.addTerminal('T0001', ed)).ok).toBe(true);
    expect(await store.addTerminal('../T0002', ed)).toEqual({ ok: false, reason: 'badId' });
    expect(await store.addTerminal('T0002', x)).toEqual({ ok: false, reason: 'notEd25519' });
    expect(await store.hasTerminals()).toBe(true);
    expect((await store.terminalKey('T0001'))?.export({ type: 'spki', format: 'pem' }).toString()).toBe(ed);
    expect(await store.terminalKey('T0002')).toBeUndefined();
  });
});

describe('intake store: PostgreSQL only', () => {
  it('two intakes starting on one empty database run the migrations once; two updates of one case at once both land in its timeline', async () => {
    const schema = cluster.newSchema();
    const [a, b] = await Promise.all([PgIntakeStore.open(cluster.url, { schema }), PgIntakeStore.open(cluster.url, { schema })]);
    opened.push(a, b);
    await Promise.all([a.setCase(REF_A, { status: 'received' }), b.setCase(REF_A, { status: 'accepted' })]);
    const steps = (await a.getCase(REF_A))?.steps.map((s) => s.name) ?? [];
    expect([...steps].sort()).toEqual(['accepted', 'received']);
  });
});
