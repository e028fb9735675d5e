/**
 * A minimal HTTP intake for the back office (and the tests): `POST /` (any path) with the
 * sealed bytes and `Idempotency-Key: <reference>`.
 *
 * - 201 the first time (kept by the store: `<out>/<reference>.ovsl` written atomically, or a row in
 *   PostgreSQL with `--db`; store.ts);
 * - 200 when the same bytes come again (a redelivery); 409 when other bytes come with a known key,
 *   with the SHA-256 of the stored bytes (the terminal dead-letters its own unless they match);
 * - 400 when the key is missing, the blob is not a sealed submission, its reference differs from
 *   the key or its terminal id from the reference's, or (with private keys) it does not open: the terminal dead-letters it;
 * - 413 for bodies over the limit. `GET /health` answers 200.
 * - with a `verifier` (issue 15): 401 `{error: unsigned|unknownTerminal|outsideWindow|replayed|badSignature}`
 *   unless the request is signed by a registered terminal (crypto/request-signing.ts), and 403
 *   `wrongTerminal` when a terminal delivers a submission sealed by another.
 * - a signed `X-OneVisit-Person-Key` (crypto/request-signing.ts) puts that hall person key on the case
 *   (creating it as `received` when the back office has none), so "all my cases" finds it at once.
 * - the form-package channel under /v1/packages/ (issue 16, packages.ts).
 * `intercept` lets tests play an intake that is down, slow, or refuses one submission.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestVerifier } from '../crypto/request-signing.ts';
import { openSealed, parseEnvelope, SealError, type PrivateKeyEntry } from '../crypto/seal.ts';
import { handleCaseApi, isCaseApiPath } from './case-api.ts';
import { handlePackages, isPackagesPath, packagesFolder } from './packages.ts';
import { isValidReference } from '../outbox/reference.ts';
import { SqliteIntakeStore } from './sqlite-store.ts';
import type { IntakeStore } from './store.ts';

export { writeAtomic } from './sqlite-store.ts';

export type InterceptInfo = { reference: string | undefined; method: string; requestNumber: number };
/** Return a status to answer with instead of handling the request, or undefined to handle it. */
export type Intercept = (info: InterceptInfo) => number | undefined | Promise<number | undefined>;

export type IntakeServerOptions = {
  port: number;
  host?: string;
  /** Where the intake keeps its state (store.ts); the server does not close it. */
  store?: IntakeStore;
  /** Without `store`: a SQLite store in this folder, opened and closed with the server. */
  outDir?: string;
  privateKeys?: readonly PrivateKeyEntry[];
  /** When given, every request but `GET /health` must be signed by a registered terminal. */
  verifier?: RequestVerifier;
  /** The form-package channel folder served under /v1/packages/ (packages.ts); default `<outDir>/packages`, none without outDir. */
  packagesDir?: string;
  /** Ops' token for changing that channel; none: it can be read, not changed. */
  opsToken?: string;
  maxBodyBytes?: number;
  intercept?: Intercept;
  /** Called after a first copy is stored, before the answer (tests: an intake slow to reply). */
  afterStore?: (reference: string) => Promise<void>;
  onEvent?: (line: string) => void;
};

export type IntakeServer = {
  readonly port: number;
  readonly url: string;
  readonly stats: { requests: number; stored: number; repeats: number; refused: number };
  close(): Promise<void>;
};

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body, or 'tooLarge' once it passes `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'tooLarge'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.byteLength;
    if (size > maxBytes) return 'tooLarge';
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export async function startIntakeServer(options: IntakeServerOptions): Promise<IntakeServer> {
  if (options.store === undefined && options.outDir === undefined) throw new Error('startIntakeServer needs a store or an outDir');
  const ownStore = options.store === undefined ? new SqliteIntakeStore(options.outDir ?? '') : undefined;
  const store: IntakeStore = options.store ?? (ownStore as IntakeStore);
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
  const stats = { requests: 0, stored: 0, repeats: 0, refused: 0 };
  /** One request per key at a time, so that two copies racing store once. */
  const locks = new Map<string, Promise<void>>();
  const note = (line: string): void => options.onEvent?.(line);
  const packagesDir = options.packagesDir ?? (options.outDir === undefined ? undefined : packagesFolder(options.outDir));
  const packagesLock = { chain: Promise.resolve() as Promise<unknown> };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' ? keyHeader.trim() : undefined;
    if (options.intercept) {
      const status = await options.intercept({ reference: key, method: req.method ?? '', requestNumber: stats.requests });
      if (status !== undefined) {
        req.resume();
        send(res, status, { status: 'intercepted' });
        return;
      }
    }
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
    if (isPackagesPath(req.url)) {
      if (packagesDir === undefined) return send(res, 404, { error: 'notFound' });
      return handlePackages(req, res, { dir: packagesDir, verifier: options.verifier, opsToken: options.opsToken, lock: packagesLock, onEvent: options.onEvent });
    }
    if (isCaseApiPath(req.url)) {
      return handleCaseApi(req, res, { store, verifier: options.verifier, privateKeys: options.privateKeys, maxBodyBytes, onEvent: options.onEvent });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method' });
    if (key === undefined || !isValidReference(key)) {
      stats.refused += 1;
      req.resume();
      return send(res, 400, { error: 'idempotencyKey', message: 'Idempotency-Key must be the reference number' });
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === 'tooLarge') {
      stats.refused += 1;
      return send(res, 413, { error: 'tooLarge' });
    }
    let signedBy: string | undefined;
    let personKey: string | undefined;
    if (options.verifier) {
      const verified = await options.verifier.verifyAsync({ method: req.method, path: req.url ?? '', headers: req.headers, body });
      if (!verified.ok) {
        stats.refused += 1;
        note(`refused ${key}: ${verified.reason}`);
        return send(res, 401, { error: verified.reason });
      }
      signedBy = verified.terminalId;
      personKey = verified.personKey;
    }
    let terminalId: string;
    try {
      const { header } = parseEnvelope(body);
      terminalId = header.terminalId;
      if (header.reference !== key) throw new SealError('tampered', 'the sealed reference differs from the Idempotency-Key');
      if (!key.startsWith(`${header.terminalId}-`)) throw new SealError('tampered', 'the sealed terminal id differs from the reference');
      if (signedBy !== undefined && signedBy !== header.terminalId) {
        stats.refused += 1;
        return send(res, 403, { error: 'wrongTerminal' });
      }
      if (options.privateKeys) openSealed(body, options.privateKeys);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      stats.refused += 1;
      note(`refused ${key}: ${error.message}`);
      return send(res, 400, { error: error.code, message: error.message });
    }
    const previous = locks.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = previous.then(() => mine);
    locks.set(key, chained);
    await previous;
    try {
      const put = await store.putSubmission({ reference: key, terminalId, bytes: body });
      // Only a signed key is taken (an unsigned intake has nobody to vouch for it); a redelivery may bring it too.
      if (personKey !== undefined && put.kind !== 'conflict') await store.receiveCase(key, personKey);
      switch (put.kind) {
        case 'duplicate':
          stats.repeats += 1;
          return send(res, 200, { status: 'duplicate', reference: key });
        case 'conflict':
          stats.repeats += 1;
          note(`conflict ${key}: other bytes than the stored ones`);
          return send(res, 409, { status: 'conflict', reference: key, sha256: put.sha256 });
        case 'stored':
          stats.stored += 1;
          note(`stored ${key}`);
          if (options.afterStore) await options.afterStore(key);
          return send(res, 201, { status: 'stored', reference: key });
        default: {
          const unreachable: never = put;
          return unreachable;
        }
      }
    } finally {
      release();
      if (locks.get(key) === chained) locks.delete(key);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}/intake`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(() => ownStore?.close()),
  };
}
