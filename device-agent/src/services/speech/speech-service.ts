import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { SpeechLanguage, SpeechRate } from '@onevisit/protocol';
import type { SpeechEngine } from './engine.ts';
import { findPersonalData, type PersonalDataKind, type SessionFacts } from './personal-data.ts';

export type SayResult =
  | { ok: true; wav: Buffer; cached: boolean }
  | { ok: false; error: 'personalData'; kind: PersonalDataKind }
  | { ok: false; error: 'engineUnavailable' };

/** Prompts kept rendered: a screen's texts never change, so the second visitor hears them at once. */
const DEFAULT_CACHE_ENTRIES = 256;

/**
 * Read-aloud (issue 17): refuses personal data before the engine sees it, and caches what it renders
 * in memory (by language, rate and text: none of it personal, by the rule above).
 */
export class SpeechService {
  readonly #engine: SpeechEngine;
  readonly #log: Logger;
  readonly #cache = new Map<string, Buffer>();
  readonly #maxEntries: number;

  constructor(options: { engine: SpeechEngine; log: Logger; cacheEntries?: number }) {
    this.#engine = options.engine;
    this.#log = options.log;
    this.#maxEntries = options.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
  }

  async say(text: string, language: SpeechLanguage, rate: SpeechRate, facts: SessionFacts): Promise<SayResult> {
    const found = findPersonalData(text, facts);
    if (found !== undefined) {
      // The kind only: never the text.
      this.#log.info({ kind: found }, 'read-aloud refused text with personal data');
      return { ok: false, error: 'personalData', kind: found };
    }
    const key = createHash('sha256').update(`${language}\u0000${rate}\u0000${text}`).digest('hex');
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return { ok: true, wav: hit, cached: true };
    }
    const result = await this.#engine.synthesize(text, language, rate);
    if (!result.ok) {
      this.#log.warn({ engine: this.#engine.name, problem: result.problem }, 'read-aloud engine failed');
      return { ok: false, error: 'engineUnavailable' };
    }
    this.#cache.set(key, result.wav);
    while (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
    return { ok: true, wav: result.wav, cached: false };
  }
}
