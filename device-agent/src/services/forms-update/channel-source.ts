// Where a terminal reads offered form packages and writes its reports (issue 16): the channel
// layout of forms/src/channel.ts, either a folder (a share of the back office, or a local folder in a
// small hall) or the back office's HTTP (/v1/packages/, forms/src/channel-http.ts; the reference
// intake serves it from device-agent/src/intake/packages.ts). Both give the updater the same
// unverified bytes: it verifies every archive against the terminal's trusted keys either way.
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CanaryAnswerSchema,
  ChannelIndexSchema,
  packagesPaths,
  readCanaryIds,
  readReports,
  REPORTS_DIR,
  ReportsAnswerSchema,
  TerminalReportSchema,
  writeFileAtomic,
  type ChannelIndex,
  type TerminalReport,
} from '@onevisit/forms';
import type { z } from 'zod';
import { signRequest } from '../../crypto/request-signing.ts';

export type ChannelRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface ChannelSource {
  /** index.json, validated; a channel without one offers nothing. */
  readIndex(): Promise<ChannelRead<ChannelIndex>>;
  readCanaryIds(): Promise<readonly string[]>;
  /** Every terminal's report (the auto-halt counts failures in them). */
  readReports(): Promise<readonly TerminalReport[]>;
  /** An archive named by the index, at most `maxBytes`. */
  fetchArchive(file: string, maxBytes: number): Promise<ChannelRead<Uint8Array>>;
  writeReport(report: TerminalReport): Promise<void>;
}

const FILE_NAME = /^[A-Za-z0-9._-]+\.ovpkg$/;

export function folderChannel(dir: string): ChannelSource {
  return {
    async readIndex() {
      let text: string;
      try {
        text = await readFile(path.join(dir, 'index.json'), 'utf8');
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ENOENT') return { ok: true, value: { format: 'onevisit-forms-channel/1', forms: {} } };
        return { ok: false, reason: `index.json cannot be read (${typeof code === 'string' ? code : 'error'})` };
      }
      try {
        return { ok: true, value: ChannelIndexSchema.parse(JSON.parse(text)) };
      } catch {
        return { ok: false, reason: 'index.json is not a valid channel index' };
      }
    },
    readCanaryIds: () => readCanaryIds(dir),
    async readReports() {
      return (await readReports(dir)).reports;
    },
    async fetchArchive(file, maxBytes) {
      // The index is not signed: its file names must not lead out of the channel.
      if (!FILE_NAME.test(file) || file.startsWith('.')) return { ok: false, reason: 'the index names an unsafe file' };
      const full = path.join(dir, file);
      try {
        const info = await stat(full);
        if (info.size > maxBytes) return { ok: false, reason: `archive larger than ${maxBytes} bytes` };
        return { ok: true, value: new Uint8Array(await readFile(full)) };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return { ok: false, reason: `archive cannot be read (${typeof code === 'string' ? code : 'error'})` };
      }
    },
    async writeReport(report) {
      const reports = path.join(dir, REPORTS_DIR);
      await mkdir(reports, { recursive: true });
      await writeFileAtomic(path.join(reports, `${report.terminalId}.json`), `${JSON.stringify(TerminalReportSchema.parse(report), null, 2)}\n`);
    },
  };
}

export interface HttpChannelOptions {
  /** The intake's base URL (as --intake-url); the channel is under /v1/packages/. */
  readonly baseUrl: string;
  readonly terminalId: string;
  /** The terminal's own key: every request is signed as this terminal, like its submissions. */
  readonly privateKey: KeyObject;
  readonly now: () => number;
  /** Per request; an archive gets `archiveTimeoutMs`. */
  readonly timeoutMs?: number;
  readonly archiveTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** Limits for what the (unsigned) answers may be: a bigger one is refused before it is all read. */
export const HTTP_CHANNEL_LIMITS = { indexBytes: 1024 * 1024, canaryBytes: 256 * 1024, reportsBytes: 16 * 1024 * 1024 } as const;

type Fetched = { readonly ok: true; readonly status: number; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: string };

export function httpChannel(options: HttpChannelOptions): ChannelSource {
  const doFetch = options.fetch ?? fetch;

  /** One signed request; the answer's body read up to `maxBytes` (Content-Length and the bytes read both count). */
  async function request(method: 'GET' | 'PUT', apiPath: string, body: Uint8Array | undefined, maxBytes: number, timeoutMs: number): Promise<Fetched> {
    const url = new URL(apiPath, options.baseUrl);
    const signInput = { terminalId: options.terminalId, privateKey: options.privateKey, method, path: `${url.pathname}${url.search}`, nowMs: options.now() };
    const headers = signRequest(body === undefined ? signInput : { ...signInput, body });
    const init: RequestInit = { method, headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(timeoutMs) };
    // A copy on its own ArrayBuffer: fetch's BodyInit (DOM typings, as the e2e project compiles this) takes no shared buffer.
    if (body !== undefined) init.body = new Uint8Array(body);
    try {
      const response = await doFetch(url, init);
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > maxBytes) {
        await response.body?.cancel();
        return { ok: false, reason: `${apiPath}: answer larger than ${maxBytes} bytes` };
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      if (response.body) {
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel();
            return { ok: false, reason: `${apiPath}: answer larger than ${maxBytes} bytes` };
          }
          chunks.push(value);
        }
      }
      return { ok: true, status: response.status, bytes: Buffer.concat(chunks) };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      return { ok: false, reason: `${url.origin}${apiPath}: ${name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable (${name})`}` };
    }
  }

  async function getJson<T>(apiPath: string, schema: z.ZodType<T>, maxBytes: number): Promise<ChannelRead<T>> {
    const got = await request('GET', apiPath, undefined, maxBytes, options.timeoutMs ?? 10_000);
    if (!got.ok) return got;
    if (got.status !== 200) return { ok: false, reason: `${apiPath}: answered ${got.status}${errorOf(got.bytes)}` };
    try {
      const parsed = schema.safeParse(JSON.parse(Buffer.from(got.bytes).toString('utf8')));
      if (parsed.success) return { ok: true, value: parsed.data };
    } catch {
      // not JSON: same answer as a wrong shape
    }
    return { ok: false, reason: `${apiPath}: not a valid channel answer` };
  }

  return {
    readIndex: () => getJson(packagesPaths.index, ChannelIndexSchema, HTTP_CHANNEL_LIMITS.indexBytes),
    async readCanaryIds() {
      const got = await getJson(packagesPaths.canary, CanaryAnswerSchema, HTTP_CHANNEL_LIMITS.canaryBytes);
      return got.ok ? got.value : [];
    },
    async readReports() {
      const got = await getJson(packagesPaths.reports, ReportsAnswerSchema, HTTP_CHANNEL_LIMITS.reportsBytes);
      return got.ok ? got.value.reports : [];
    },
    async fetchArchive(file, maxBytes) {
      if (!FILE_NAME.test(file) || file.startsWith('.')) return { ok: false, reason: 'the index names an unsafe file' };
      const got = await request('GET', packagesPaths.archive(file), undefined, maxBytes, options.archiveTimeoutMs ?? 120_000);
      if (!got.ok) return got;
      if (got.status !== 200) return { ok: false, reason: `archive ${file}: answered ${got.status}${errorOf(got.bytes)}` };
      return { ok: true, value: got.bytes };
    },
    async writeReport(report) {
      const body = Buffer.from(JSON.stringify(TerminalReportSchema.parse(report)), 'utf8');
      const got = await request('PUT', packagesPaths.report(report.terminalId), body, 64 * 1024, options.timeoutMs ?? 10_000);
      // The updater logs a failed report and sends the whole report again at its next step.
      if (!got.ok) throw new Error(got.reason);
      if (got.status !== 200) throw new Error(`report: answered ${got.status}${errorOf(got.bytes)}`);
    },
  };
}

/** ` (code)` from an intake's `{ error }` answer, for the log; nothing else of the body. */
function errorOf(bytes: Uint8Array): string {
  try {
    const body: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string' && /^[A-Za-z]{1,32}$/.test(body.error) ? ` (${body.error})` : '';
  } catch {
    return '';
  }
}
