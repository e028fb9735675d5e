import type { SpeechRate } from '@onevisit/protocol';
import type { AgentClient } from '../agent/client.ts';
import type { Locale } from '../i18n/i18n.svelte.ts';
import type { AudioOut, Cue } from '../read-aloud/audio.ts';

/**
 * Read-aloud (语音播报, issue 17): asks the agent to render a text (Speech.Say: offline engine,
 * personal data refused there) and plays it; a newer prompt replaces one still on its way.
 */
export class ReadAloud {
  /** The last text the agent was asked to read, for the screen reader's own tests and the dev dock. */
  lastText = $state('');
  readonly #client: () => AgentClient;
  readonly #audio: AudioOut;
  readonly #locale: () => Locale;
  readonly #rate: () => SpeechRate;
  #seq = 0;

  constructor(options: { client: () => AgentClient; audio: AudioOut; locale: () => Locale; rate: () => SpeechRate }) {
    this.#client = options.client;
    this.#audio = options.audio;
    this.#locale = options.locale;
    this.#rate = options.rate;
  }

  async say(text: string): Promise<void> {
    const trimmed = text.trim();
    if (trimmed === '') return;
    const seq = ++this.#seq;
    this.lastText = trimmed;
    const result = await this.#client().send('Speech.Say', { text: trimmed, language: this.#locale(), rate: this.#rate() }).result;
    // Refused (personal data), no engine, or a newer prompt: stay silent rather than say something stale.
    if (seq !== this.#seq || !result.ok) return;
    this.#audio.play(result.payload.audioBase64);
  }

  cue(kind: Cue): void {
    this.#audio.cue(kind);
  }

  stop(): void {
    this.#seq += 1;
    this.#audio.stop();
  }
}
