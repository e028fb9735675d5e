/**
 * Plays what the agent rendered (a WAV) and short cues made on the spot with Web Audio: no files,
 * no network. One voice at a time: a new prompt stops the one before.
 */
export type Cue = 'success' | 'error' | 'attention';

/** Frequencies (Hz) and lengths (ms) of each cue: rising for done, low for a problem, three beeps to look. */
const CUES: Readonly<Record<Cue, readonly (readonly [number, number])[]>> = {
  success: [
    [660, 120],
    [880, 160],
  ],
  error: [
    [330, 220],
    [262, 280],
  ],
  attention: [
    [740, 110],
    [740, 110],
    [740, 110],
  ],
};

export class AudioOut {
  #audio: HTMLAudioElement | undefined;
  #url: string | undefined;
  #context: AudioContext | undefined;

  /** Plays a WAV given as base64; stops whatever was speaking. */
  play(base64: string): void {
    this.stop();
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    this.#url = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
    this.#audio = new Audio(this.#url);
    // A browser that refuses to play (autoplay policy) leaves the kiosk silent, never broken.
    this.#audio.play().catch(() => undefined);
  }

  stop(): void {
    this.#audio?.pause();
    this.#audio = undefined;
    if (this.#url !== undefined) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }

  cue(kind: Cue): void {
    try {
      this.#context ??= new AudioContext();
      const context = this.#context;
      let at = context.currentTime;
      for (const [hz, ms] of CUES[kind]) {
        const tone = context.createOscillator();
        const gain = context.createGain();
        tone.frequency.value = hz;
        gain.gain.setValueAtTime(0.2, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + ms / 1000);
        tone.connect(gain).connect(context.destination);
        tone.start(at);
        tone.stop(at + ms / 1000);
        at += ms / 1000 + 0.04;
      }
    } catch {
      // No audio device: cues are a help, never a requirement.
    }
  }
}
