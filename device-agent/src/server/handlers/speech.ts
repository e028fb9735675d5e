import { failure, success, type HandlersFor } from '../handler.ts';

/** `Speech.Say`: thin mapping to SpeechService (services/speech), with this session's facts for the personal-data rule. */
export const speechHandlers: HandlersFor<'Speech'> = {
  'Speech.Say': async (ctx) => {
    const identity = ctx.session.identity;
    const result = await ctx.services.speech.say(ctx.payload.text, ctx.payload.language, ctx.payload.rate ?? 'normal', {
      name: identity?.name,
      englishName: identity?.englishName,
      address: identity?.address,
      idNumber: identity?.idNumber,
    });
    if (result.ok) return success<'Speech.Say'>({ mediaType: 'audio/wav', audioBase64: result.wav.toString('base64'), cached: result.cached });
    switch (result.error) {
      case 'personalData':
        return failure<'Speech.Say'>('invalidData', 'personalData', `Not read aloud: the text holds personal data (${result.kind}).`);
      case 'engineUnavailable':
        return failure<'Speech.Say'>('deviceNotReady', 'engineUnavailable', 'The speech engine is not available on this terminal.');
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  },
};
