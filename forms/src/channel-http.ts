// The form-package channel over the back office's HTTP (issue 16): the same folder layout as
// channel.ts, served by the reference intake (device-agent/src/intake/packages.ts) under /v1/packages/.
//
//   GET  /v1/packages/index                  index.json (ChannelIndexSchema)
//   GET  /v1/packages/canary                 canary.json (terminal ids of the canary ring)
//   GET  /v1/packages/reports                { reports: TerminalReport[], invalid: string[] }
//   GET  /v1/packages/archives/NAME.ovpkg    the archive's bytes
//   PUT  /v1/packages/reports/TERMINAL_ID    a terminal's report (signed by that terminal)
//   POST /v1/packages/releases?ring=RING     ops: publish the archive in the body
//   POST /v1/packages/rollout/FORM_ID/ACTION ops: halt | resume | rollback | widen?ring=RING
//
// Terminals sign their requests with their own key (as for submissions); ops send
// `Authorization: Bearer <token>` (the intake's --ops-token-file). Who may change the index matters even
// though every archive is signed: the index decides who gets which release, and when.
// This module is the ops side (`npm run forms -- publish|rollout --channel URL`).
import { z } from 'zod';
import { ChannelIndexSchema, ReleaseSchema, TerminalReportSchema, type ChannelChange, type ChannelIndex, type RolloutAction, type TerminalReport } from './channel.ts';

export const PACKAGES_API = '/v1/packages';
export const packagesPaths = {
  index: `${PACKAGES_API}/index`,
  canary: `${PACKAGES_API}/canary`,
  reports: `${PACKAGES_API}/reports`,
  report: (terminalId: string): string => `${PACKAGES_API}/reports/${encodeURIComponent(terminalId)}`,
  archive: (file: string): string => `${PACKAGES_API}/archives/${encodeURIComponent(file)}`,
  releases: (ring: string, haltAfterFailures?: number): string =>
    `${PACKAGES_API}/releases?ring=${encodeURIComponent(ring)}${haltAfterFailures === undefined ? '' : `&haltAfter=${haltAfterFailures}`}`,
  rollout: (formId: string, action: RolloutAction, ring?: string): string =>
    `${PACKAGES_API}/rollout/${encodeURIComponent(formId)}/${action}${ring === undefined ? '' : `?ring=${encodeURIComponent(ring)}`}`,
} as const;

export const ReportsAnswerSchema = z.strictObject({ reports: z.array(TerminalReportSchema), invalid: z.array(z.string()) });
export const CanaryAnswerSchema = z.array(z.string());
/** What the intake answers to a publish or rollout change: the changed release, or the refusal of channel.ts. */
export const ChangeAnswerSchema = z.union([
  z.strictObject({ formId: z.string(), release: ReleaseSchema }),
  z.strictObject({ error: z.string(), detail: z.string().optional() }),
]);

/** True for `http://` and `https://` channels; anything else is a folder. */
export function isChannelUrl(channel: string): boolean {
  return /^https?:\/\//i.test(channel);
}

/** A token for `intake serve --ops-token-file`: at least 32 characters of one line. */
export function parseOpsToken(text: string): string | undefined {
  const token = text.trim();
  return token.length >= 32 && /^[\x21-\x7e]+$/.test(token) ? token : undefined;
}

export type HttpChannelFailure = { readonly ok: false; readonly detail: string };

export interface OpsChannelClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** The ops side of an HTTP channel: every failure is a value with a reason ops can act on. */
export class OpsChannelClient {
  readonly #o: OpsChannelClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: OpsChannelClientOptions) {
    this.#o = options;
    this.#fetch = options.fetch ?? fetch;
  }

  async publish(archive: Uint8Array, ring: string, haltAfterFailures?: number): Promise<ChannelChange | HttpChannelFailure> {
    return this.#change(packagesPaths.releases(ring, haltAfterFailures), archive);
  }

  async rollout(formId: string, action: RolloutAction, ring?: string): Promise<ChannelChange | HttpChannelFailure> {
    return this.#change(packagesPaths.rollout(formId, action, ring), undefined);
  }

  /** index, canary ids and reports, as `rollout status` reads them from a folder. */
  async read(): Promise<{ ok: true; index: ChannelIndex; canary: readonly string[]; reports: readonly TerminalReport[]; invalid: readonly string[] } | HttpChannelFailure> {
    const index = await this.#getJson(packagesPaths.index, ChannelIndexSchema);
    if (!index.ok) return index;
    const canary = await this.#getJson(packagesPaths.canary, CanaryAnswerSchema);
    if (!canary.ok) return canary;
    const reports = await this.#getJson(packagesPaths.reports, ReportsAnswerSchema);
    if (!reports.ok) return reports;
    return { ok: true, index: index.value, canary: canary.value, reports: reports.value.reports, invalid: reports.value.invalid };
  }

  async #change(apiPath: string, body: Uint8Array | undefined): Promise<ChannelChange | HttpChannelFailure> {
    const answer = await this.#request('POST', apiPath, body);
    if (!answer.ok) return answer;
    const parsed = ChangeAnswerSchema.safeParse(answer.json);
    if (!parsed.success) return { ok: false, detail: `${answer.status} with an answer that is not a channel change` };
    if ('release' in parsed.data) return { ok: true, formId: parsed.data.formId, release: parsed.data.release };
    const code = parsed.data.error;
    if (isChannelRefusal(code)) return { ok: false, code, detail: parsed.data.detail ?? code };
    return { ok: false, detail: explainStatus(answer.status, code) };
  }

  async #getJson<T>(apiPath: string, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | HttpChannelFailure> {
    const answer = await this.#request('GET', apiPath, undefined);
    if (!answer.ok) return answer;
    if (answer.status !== 200) {
      const error = typeof answer.json === 'object' && answer.json !== null && 'error' in answer.json ? String(answer.json.error) : 'error';
      return { ok: false, detail: explainStatus(answer.status, error) };
    }
    const parsed = schema.safeParse(answer.json);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, detail: `${apiPath}: the answer is not what a channel serves` };
  }

  async #request(method: 'GET' | 'POST', apiPath: string, body: Uint8Array | undefined): Promise<{ ok: true; status: number; json: unknown } | HttpChannelFailure> {
    const url = new URL(apiPath, this.#o.baseUrl);
    const init: RequestInit = {
      method,
      headers: { Authorization: `Bearer ${this.#o.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/octet-stream' }) },
      signal: AbortSignal.timeout(this.#o.timeoutMs ?? 60_000),
    };
    // A copy on its own ArrayBuffer: fetch's BodyInit (DOM typings, as the e2e project compiles this) takes no shared buffer.
    if (body !== undefined) init.body = new Uint8Array(body);
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (e) {
      return { ok: false, detail: `${url.origin}: unreachable (${e instanceof Error ? e.name : 'error'})` };
    }
    try {
      return { ok: true, status: response.status, json: await response.json() };
    } catch {
      return { ok: false, detail: `${url.origin}: answered ${response.status} without JSON (is it the intake?)` };
    }
  }
}

const CHANNEL_REFUSALS: readonly string[] = ['badArchive', 'badRing', 'notNewer', 'noRelease', 'allWithdrawn', 'noEarlier', 'notWider'] satisfies readonly Exclude<ChannelChange, { ok: true }>['code'][];

function isChannelRefusal(code: string): code is Exclude<ChannelChange, { ok: true }>['code'] {
  return CHANNEL_REFUSALS.includes(code);
}

function explainStatus(status: number, error: string): string {
  if (status === 401 && error === 'opsOnly') return 'refused: the ops token is wrong or the intake has no --ops-token-file';
  if (status === 401) return `refused (${error}): this request needs the ops token or a registered terminal's signature`;
  if (status === 413) return 'refused: the archive is larger than the intake accepts';
  return `answered ${status} (${error})`;
}
