import { spawn } from 'node:child_process';
import type { SpeechLanguage, SpeechRate } from '@onevisit/protocol';

/** The seam between read-aloud and whatever renders speech (issue 17: offline, behind an interface). */
export interface SpeechEngine {
  readonly name: string;
  /** A WAV file for `text`, or why not. Never throws. */
  synthesize(text: string, language: SpeechLanguage, rate: SpeechRate): Promise<SynthesisResult>;
}

export type SynthesisResult = { ok: true; wav: Buffer } | { ok: false; problem: 'unavailable' | 'failed' };

/** espeak-ng's voices: Mandarin (`cmn`) and English; words per minute, elder mode slower. */
const VOICES: Readonly<Record<SpeechLanguage, string>> = { 'zh-CN': 'cmn', en: 'en' };
const WORDS_PER_MINUTE: Readonly<Record<SpeechRate, number>> = { normal: 165, slow: 115 };
const MAX_WAV_BYTES = 16 * 1024 * 1024;

/**
 * Debian's `espeak-ng` (GPL-3.0, run as a separate program, never linked): offline, Mandarin and
 * English voices, WAV on stdout. The text goes in on stdin, not in argv, so that it does not show
 * in the process list. A missing program is `unavailable`: the kiosk then works without sound.
 */
export class EspeakEngine implements SpeechEngine {
  readonly name = 'espeak-ng';
  readonly #command: string;
  readonly #timeoutMs: number;

  constructor(options: { command?: string; timeoutMs?: number } = {}) {
    this.#command = options.command ?? 'espeak-ng';
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  synthesize(text: string, language: SpeechLanguage, rate: SpeechRate): Promise<SynthesisResult> {
    return new Promise((resolve) => {
      const child = spawn(this.#command, ['-v', VOICES[language], '-s', String(WORDS_PER_MINUTE[rate]), '--stdin', '--stdout'], { stdio: ['pipe', 'pipe', 'ignore'] });
      const chunks: Buffer[] = [];
      let bytes = 0;
      let settled = false;
      const finish = (result: SynthesisResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish({ ok: false, problem: 'failed' });
      }, this.#timeoutMs);
      child.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, problem: error.code === 'ENOENT' ? 'unavailable' : 'failed' }));
      child.stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_WAV_BYTES) {
          child.kill('SIGKILL');
          finish({ ok: false, problem: 'failed' });
          return;
        }
        chunks.push(chunk);
      });
      child.on('close', (code) => {
        const wav = Buffer.concat(chunks);
        finish(code === 0 && wav.subarray(0, 4).toString('latin1') === 'RIFF' ? { ok: true, wav } : { ok: false, problem: 'failed' });
      });
      child.stdin.on('error', () => undefined); // a child that died early: its close event decides
      child.stdin.end(text, 'utf8');
    });
  }
}
