import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';

/** The languages read aloud: the UI's two (zh-CN first). */
export const SpeechLanguageSchema = z.enum(['zh-CN', 'en']);
export type SpeechLanguage = z.infer<typeof SpeechLanguageSchema>;

/** `slow` for elder mode: about two thirds of the normal rate. */
export const SpeechRateSchema = z.enum(['normal', 'slow']);
export type SpeechRate = z.infer<typeof SpeechRateSchema>;

/** At most a screen's title, instructions and focused control. */
export const SPEECH_MAX_CHARS = 400;

export const speechCommands = {
  'Speech.Say': defineCommand({
    // Any page: the attract screen and staff screens read aloud too. What it may read is the agent's
    // rule, not the page's: text with personal data is refused before it reaches the engine.
    role: 'none',
    description:
      'Renders text to speech offline (issue 17: read-aloud of a screen\'s title, instructions and focused control). The text must hold no personal data (an ID number, a phone number, a long digit run, the session holder\'s name or address): such text is refused and never reaches the engine. Prompts are cached, so a prompt that never changes is rendered once.',
    payload: z.strictObject({
      text: z.string().trim().min(1).max(SPEECH_MAX_CHARS),
      language: SpeechLanguageSchema,
      rate: SpeechRateSchema.optional(),
    }),
    completion: z.object({
      mediaType: z.literal('audio/wav'),
      /** The WAV file, base64: the page plays it from a blob URL (no network, nothing stored). */
      audioBase64: z.string(),
      /** True when the audio came from the cache. */
      cached: z.boolean(),
    }),
    errors: errorsOf(['personalData', 'engineUnavailable']),
    events: {},
  }),
} as const;
