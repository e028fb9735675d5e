/**
 * The back-office API of the reference intake (issue 15):
 *   GET  /v1/cases/{reference}   → 200 BackOfficeCase | 404 { error: 'unknownCase' }
 *   POST /v1/cases/lookup        { personKey } → 200 { cases: BackOfficeCase[] } (newest first)
 *   POST /v1/cases/{reference}/supplements?materialId=ID   a sealed supplement (formId `supplement`),
 *        Idempotency-Key = the supplement's own reference: 201 stored, 200 the same bytes again,
 *        409 { sha256 } other bytes under that key, 404 unknownCase, 400 refused (dead-lettered).
 *   POST /v1/ratings             a sealed 好差评 record (formId `rating`), idempotent the same way;
 *        the intake must hold the private key to read it (`serve --key`): without it 503 `cannotOpen`
 *        (the terminal keeps it and retries).
 * The person key travels in a body or the signed `X-OneVisit-Person-Key` header, never in a URL; a
 * supplement that carries it links its case to the person when the case had no key yet. With a verifier, requests must be signed by a
 * registered terminal (401 as for submissions; 403 `wrongTerminal` for another terminal's item).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RequestVerifier } from '../crypto/request-signing.ts';
import { openSealed, parseEnvelope, SealError, type PrivateKeyEntry, type SealHeader } from '../crypto/seal.ts';
import { isValidReference } from '../outbox/reference.ts';
import { PERSON_KEY } from './cases.ts';
import { RATING_FORM_ID, RatingRecordSchema, SUPPLEMENT_FORM_ID, SupplementAnswersSchema, type PutResult } from './records.ts';
// A cycle with server.ts, used only while answering a request (both modules are loaded by then).
import { readBody } from './server.ts';
import type { IntakeStore } from './store.ts';

const LookupSchema = z.object({ personKey: z.string().regex(PERSON_KEY) });
const MAX_API_BODY_BYTES = 64 * 1024;

export type CaseApiContext = {
  /** Cases, supplements and ratings, with the sealed bytes of the latter two (store.ts). */
  store: IntakeStore;
  verifier?: RequestVerifier | undefined;
  privateKeys?: readonly PrivateKeyEntry[] | undefined;
  /** For supplements (scans); other API bodies are capped at 64 KiB. */
  maxBodyBytes: number;
  onEvent?: ((line: string) => void) | undefined;
};

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

export function isCaseApiPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/v1/');
}

const SUPPLEMENT_PATH = /^\/v1\/cases\/([^/?]+)\/supplements(?:\?materialId=([A-Za-z0-9_-]{1,32}))?$/;

export async function handleCaseApi(req: IncomingMessage, res: ServerResponse, ctx: CaseApiContext): Promise<void> {
  const url = req.url ?? '';
  const supplementMatch = SUPPLEMENT_PATH.exec(url);
  const sealedItem = req.method === 'POST' && (supplementMatch !== null || url === '/v1/ratings');
  const body = await readBody(req, sealedItem ? ctx.maxBodyBytes : MAX_API_BODY_BYTES);
  if (body === 'tooLarge') return json(res, 413, { error: 'tooLarge' });
  let signedBy: string | undefined;
  let personKey: string | undefined;
  if (ctx.verifier) {
    const verified = await ctx.verifier.verifyAsync({ method: req.method ?? '', path: url, headers: req.headers, body: body.byteLength > 0 ? body : undefined });
    if (!verified.ok) return json(res, 401, { error: verified.reason });
    signedBy = verified.terminalId;
    personKey = verified.personKey;
  }
  const caseMatch = /^\/v1\/cases\/([^/?]+)$/.exec(url);
  if (req.method === 'POST' && url === '/v1/cases/lookup') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return json(res, 400, { error: 'invalidRequest' });
    }
    const lookup = LookupSchema.safeParse(parsed);
    if (!lookup.success) return json(res, 400, { error: 'invalidRequest' });
    return json(res, 200, { cases: await ctx.store.casesByPerson(lookup.data.personKey) });
  }
  if (req.method === 'GET' && caseMatch) {
    const reference = decodeURIComponent(caseMatch[1] ?? '');
    if (!isValidReference(reference)) return json(res, 400, { error: 'invalidReference' });
    const found = await ctx.store.getCase(reference);
    return found ? json(res, 200, found) : json(res, 404, { error: 'unknownCase' });
  }
  if (sealedItem) {
    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' ? keyHeader.trim() : '';
    if (!isValidReference(key)) return json(res, 400, { error: 'idempotencyKey' });
    let header: SealHeader;
    try {
      header = parseEnvelope(body).header;
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      return json(res, 400, { error: error.code });
    }
    if (header.reference !== key || !key.startsWith(`${header.terminalId}-`)) return json(res, 400, { error: 'tampered' });
    if (signedBy !== undefined && signedBy !== header.terminalId) return json(res, 403, { error: 'wrongTerminal' });
    if (supplementMatch) return supplement(res, ctx, key, header, body, decodeURIComponent(supplementMatch[1] ?? ''), supplementMatch[2], personKey);
    return rating(res, ctx, key, header, body);
  }
  return json(res, 404, { error: 'notFound' });
}

async function supplement(
  res: ServerResponse,
  ctx: CaseApiContext,
  key: string,
  header: SealHeader,
  body: Buffer,
  caseReference: string,
  materialIdInPath: string | undefined,
  personKey: string | undefined,
): Promise<void> {
  if (header.formId !== SUPPLEMENT_FORM_ID) return json(res, 400, { error: 'notASupplement' });
  if (!isValidReference(caseReference)) return json(res, 400, { error: 'invalidReference' });
  const found = await ctx.store.getCase(caseReference);
  if (!found) return json(res, 404, { error: 'unknownCase' });
  let materialId = materialIdInPath;
  if (ctx.privateKeys) {
    // With the key, the sealed answers must name the same case and material as the path.
    try {
      const answers = SupplementAnswersSchema.safeParse(openSealed(body, ctx.privateKeys).content.answers);
      if (!answers.success || answers.data.caseReference !== caseReference || (materialId !== undefined && answers.data.materialId !== materialId)) {
        return json(res, 400, { error: 'tampered' });
      }
      materialId = answers.data.materialId;
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      return json(res, 400, { error: error.code });
    }
  }
  if (materialId === undefined) return json(res, 400, { error: 'materialId' });
  const put = await ctx.store.putSupplement({ id: key, caseReference, materialId, terminalId: header.terminalId }, body);
  if (put.kind === 'stored') ctx.onEvent?.(`supplement ${key} for ${caseReference} (${materialId})`);
  // A signed person key puts the case into "all my cases" if the back office had not linked it yet.
  if (personKey !== undefined && put.kind !== 'conflict') await ctx.store.receiveCase(caseReference, personKey);
  return answerPut(res, put, key);
}

async function rating(res: ServerResponse, ctx: CaseApiContext, key: string, header: SealHeader, body: Buffer): Promise<void> {
  if (header.formId !== RATING_FORM_ID) return json(res, 400, { error: 'notARating' });
  if (!ctx.privateKeys) return json(res, 503, { error: 'cannotOpen', message: 'the intake needs the back office key (serve --key) to record ratings' });
  let record;
  try {
    record = RatingRecordSchema.safeParse(openSealed(body, ctx.privateKeys).content.answers);
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    return json(res, 400, { error: error.code });
  }
  if (!record.success) return json(res, 400, { error: 'invalidRating' });
  const put = await ctx.store.putRating(key, header.terminalId, record.data, body);
  if (put.kind === 'stored') ctx.onEvent?.(`rating ${key}: ${record.data.service} level ${record.data.level}`);
  return answerPut(res, put, key);
}

function answerPut(res: ServerResponse, put: PutResult, key: string): void {
  switch (put.kind) {
    case 'stored':
      return json(res, 201, { status: 'stored', reference: key });
    case 'duplicate':
      return json(res, 200, { status: 'duplicate', reference: key });
    case 'conflict':
      return json(res, 409, { status: 'conflict', reference: key, sha256: put.sha256 });
    default: {
      const unreachable: never = put;
      return unreachable;
    }
  }
}
