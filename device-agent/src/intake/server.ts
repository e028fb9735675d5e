/**
 * A minimal HTTP intake for the back office (and the tests): `POST /` (any path) with the
 * sealed bytes and `Idempotency-Key: <reference>`.
 *
 * - 201 the first time (stored as `<out>/<reference>.ovsl`, atomically);
 * - 200 when the same bytes come again (a redelivery); 409 when other bytes come with a known key;
 * - 400 when the key is missing, the blob is not a sealed submission, its reference differs from
 *   the key, or (with private keys) it does not open: the terminal dead-letters it;
 * - 413 for bodies over the limit. `GET /health` answers 200.
 * `intercept` lets tests play an intake that is down, slow, or refuses one submission.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { openSealed, parseEnvelope, SealError, type PrivateKeyEntry } from '../crypto/seal.ts';
import { sealedFileName } from '../outbox/delivery.ts';
import { isValidReference } from '../outbox/reference.ts';

export type InterceptInfo = { reference: string | undefined; method: string; requestNumber: number };
/** Return a status to answer with instead of handling the request, or undefined to handle it. */
export type Intercept = (info: InterceptInfo) => number | undefined | Promise<number | undefined>;

export type IntakeServerOptions = {
  port: number;
  host?: string;
  outDir: string;
  privateKeys?: readonly PrivateKeyEntry[];
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

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'tooLarge'> {
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

async function writeAtomic(dir: string, name: string, bytes: Buffer): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(tmp, 'wx', 0o640);
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(tmp, path.join(dir, name));
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export async function startIntakeServer(options: IntakeServerOptions): Promise<IntakeServer> {
  const outDir = path.resolve(options.outDir);
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
  const stats = { requests: 0, stored: 0, repeats: 0, refused: 0 };
  /** One request per key at a time, so that two copies racing store once. */
  const locks = new Map<string, Promise<void>>();
  const note = (line: string): void => options.onEvent?.(line);

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
    try {
      const { header } = parseEnvelope(body);
      if (header.reference !== key) throw new SealError('tampered', 'the sealed reference differs from the Idempotency-Key');
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
      const name = sealedFileName(key);
      let existing: Buffer | undefined;
      try {
        existing = await readFile(path.join(outDir, name));
      } catch {
        existing = undefined;
      }
      if (existing) {
        stats.repeats += 1;
        if (existing.equals(body)) return send(res, 200, { status: 'duplicate', reference: key });
        return send(res, 409, { status: 'conflict', reference: key });
      }
      await writeAtomic(outDir, name, body);
      stats.stored += 1;
      note(`stored ${key}`);
      if (options.afterStore) await options.afterStore(key);
      send(res, 201, { status: 'stored', reference: key });
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
      }),
  };
}
