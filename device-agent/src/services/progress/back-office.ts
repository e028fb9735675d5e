/**
 * The terminal's one adapter to the back office (issue 15): everything the terminal asks of it goes
 * through `BackOffice`, so a province's own platform is plugged in by implementing this interface.
 * `HttpBackOffice` speaks the reference intake's API (`npm run intake -- serve`), signing every
 * request as this terminal (crypto/request-signing.ts). Failures are values.
 * TODO(issue 15): submitSupplement and submitRating (through the outbox).
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { signRequest } from '../../crypto/request-signing.ts';
import { CaseSchema, type BackOfficeCase } from '../../intake/cases.ts';

export type BackOfficeFailure = 'unreachable' | 'refused' | 'badAnswer';
export type CaseResult = { ok: true; case: BackOfficeCase } | { ok: false; reason: 'unknownCase' | BackOfficeFailure };
export type LookupResult = { ok: true; cases: BackOfficeCase[] } | { ok: false; reason: BackOfficeFailure };

export interface BackOffice {
  getCase(reference: string): Promise<CaseResult>;
  /** All cases of a person, newest first; `personKey` is the hall HMAC of the ID number. */
  lookup(personKey: string): Promise<LookupResult>;
}

export type HttpBackOfficeOptions = {
  /** The intake's base URL, e.g. http://intake.example:8080 (the API lives under /v1/). */
  baseUrl: string;
  terminalId: string;
  privateKey: KeyObject;
  now: () => number;
  timeoutMs?: number;
  fetch?: typeof fetch;
};

const LookupAnswer = z.object({ cases: z.array(CaseSchema) });

export class HttpBackOffice implements BackOffice {
  readonly #o: HttpBackOfficeOptions;
  readonly #fetch: typeof fetch;
  constructor(options: HttpBackOfficeOptions) {
    this.#o = options;
    this.#fetch = options.fetch ?? fetch;
  }

  async getCase(reference: string): Promise<CaseResult> {
    const answer = await this.#request('GET', `/v1/cases/${encodeURIComponent(reference)}`, undefined);
    if (!answer.ok) return answer;
    if (answer.status === 404) return { ok: false, reason: 'unknownCase' };
    if (answer.status !== 200) return { ok: false, reason: 'refused' };
    const parsed = CaseSchema.safeParse(answer.body);
    return parsed.success ? { ok: true, case: parsed.data } : { ok: false, reason: 'badAnswer' };
  }

  async lookup(personKey: string): Promise<LookupResult> {
    const answer = await this.#request('POST', '/v1/cases/lookup', Buffer.from(JSON.stringify({ personKey }), 'utf8'));
    if (!answer.ok) return answer;
    if (answer.status !== 200) return { ok: false, reason: 'refused' };
    const parsed = LookupAnswer.safeParse(answer.body);
    return parsed.success ? { ok: true, cases: parsed.data.cases } : { ok: false, reason: 'badAnswer' };
  }

  async #request(method: 'GET' | 'POST', apiPath: string, body: Buffer | undefined): Promise<{ ok: true; status: number; body: unknown } | { ok: false; reason: BackOfficeFailure }> {
    const url = new URL(apiPath, this.#o.baseUrl);
    const signInput = { terminalId: this.#o.terminalId, privateKey: this.#o.privateKey, method, path: `${url.pathname}${url.search}`, nowMs: this.#o.now() };
    const headers = signRequest(body ? { ...signInput, body } : signInput);
    let response: Response;
    try {
      const init: RequestInit = { method, headers: body ? { ...headers, 'Content-Type': 'application/json' } : headers, signal: AbortSignal.timeout(this.#o.timeoutMs ?? 5000) };
      if (body) init.body = Uint8Array.from(body);
      response = await this.#fetch(url, init);
    } catch {
      return { ok: false, reason: 'unreachable' };
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      return response.status >= 500 ? { ok: false, reason: 'unreachable' } : { ok: false, reason: 'badAnswer' };
    }
    if (response.status >= 500) return { ok: false, reason: 'unreachable' };
    return { ok: true, status: response.status, body: parsed };
  }
}
