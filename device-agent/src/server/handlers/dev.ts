import { localDate } from '../../clock.ts';
import { DEFAULT_SAMPLE_KEY, findSampleIdentity, SAMPLE_IDENTITIES } from '../../devices/id-card/sample-identities.ts';
import { LONG_TERM, type Identity } from '../../protocol/index.ts';
import { failure, success, type HandlersFor } from '../handler.ts';

/** Dev.* commands: accepted only with --dev (the server refuses devOnly commands otherwise). */
export const devHandlers: HandlersFor<'Dev'> = {
  'Dev.InsertCard': (ctx) => {
    const sim = ctx.services.simulators.idCard;
    if (!sim) return Promise.resolve(failure<'Dev.InsertCard'>('unsupportedCommand', 'notSimulated', 'The ID card reader is not simulated (--idcard sim).'));
    const requested = ctx.payload?.identity ?? DEFAULT_SAMPLE_KEY;
    let identity: Identity;
    if (typeof requested === 'string') {
      const sample = findSampleIdentity(requested);
      if (!sample) {
        return Promise.resolve(
          failure<'Dev.InsertCard'>('invalidData', 'unknownIdentity', `There is no sample identity "${requested}"; Dev.ListIdentities lists them.`),
        );
      }
      identity = sample.identity;
    } else {
      identity = requested;
    }
    sim.insertCard(identity);
    return Promise.resolve(success<'Dev.InsertCard'>({}));
  },

  'Dev.RemoveCard': (ctx) => {
    const sim = ctx.services.simulators.idCard;
    if (!sim) return Promise.resolve(failure<'Dev.RemoveCard'>('unsupportedCommand', 'notSimulated', 'The ID card reader is not simulated (--idcard sim).'));
    sim.removeCard();
    return Promise.resolve(success<'Dev.RemoveCard'>({}));
  },

  'Dev.SetDeviceState': (ctx) => {
    const { device, state } = ctx.payload;
    const sim = ctx.services.simulators.get(device);
    if (!sim) {
      return Promise.resolve(failure<'Dev.SetDeviceState'>('invalidData', 'notSimulated', `The device "${device}" is not simulated on this agent.`));
    }
    if (!sim.setSimulatedState(state)) {
      return Promise.resolve(failure<'Dev.SetDeviceState'>('invalidData', 'unsupportedState', `The device "${device}" has no state "${state}".`));
    }
    return Promise.resolve(success<'Dev.SetDeviceState'>({}));
  },

  'Dev.PrintedOutput': (ctx) => {
    const last = ctx.payload?.last ?? 100;
    const receipts = (ctx.services.simulators.receiptPrinter?.printed() ?? [])
      .slice(-last)
      .map((r) => ({ text: r.text, bytesBase64: Buffer.from(r.bytes).toString('base64') }));
    const a4 = (ctx.services.simulators.printer?.printedFiles() ?? []).slice(-last).map((file) => ({ file }));
    return Promise.resolve(success<'Dev.PrintedOutput'>({ receipts, a4 }));
  },

  'Dev.ListIdentities': (ctx) => {
    const today = localDate(ctx.services.clock.now());
    return Promise.resolve(
      success<'Dev.ListIdentities'>({
        identities: SAMPLE_IDENTITIES.map((s) => ({
          key: s.key,
          label: s.label,
          cardType: s.identity.cardType,
          expired: s.identity.validTo !== LONG_TERM && s.identity.validTo < today,
        })),
      }),
    );
  },
};
