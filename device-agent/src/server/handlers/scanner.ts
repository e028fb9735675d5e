import type { ScanColorMode, ScanSource } from '../../devices/scanner/driver.ts';
import { SAMPLE_PEOPLE, type SamplePersonKey } from '../../devices/scanner/sample-pages.ts';
import { abortedOutcome, failure, success, type CommandOutcome, type HandlersFor } from '../handler.ts';

const DEFAULT_RESOLUTION_DPI = 300;

export const scannerHandlers: HandlersFor<'Scanner'> = {
  'Scanner.Scan': async (ctx): Promise<CommandOutcome<'Scanner.Scan'>> => {
    const scanning = ctx.services.scanning;
    const pages = ctx.payload?.pages ?? 1;
    const colorMode: ScanColorMode = ctx.payload?.colorMode ?? 'gray';
    const source: ScanSource | undefined = ctx.payload?.source ?? (pages > 1 ? 'adf' : undefined);
    const resolutionDpi = ctx.payload?.resolution ?? DEFAULT_RESOLUTION_DPI;
    const result = await scanning.scan(
      { resolutionDpi, colorMode, pages, ...(source ? { source } : {}) },
      {
        format: ctx.payload?.format ?? 'jpeg',
        signal: ctx.signal,
        onPage: (page) => ctx.emit('Scanner.PageScannedEvent', { index: page.index, width: page.width, height: page.height }),
      },
    );
    switch (result.kind) {
      case 'canceled':
        // Our signal fired (cancel, timeout, disconnect), or the driver's own scan timeout did.
        return ctx.signal.aborted ? abortedOutcome<'Scanner.Scan'>(ctx.signal) : failure<'Scanner.Scan'>('timeOut', 'scanTimeout', 'The scanner took too long. Please try again.');
      case 'busy':
        return failure<'Scanner.Scan'>('busy', 'scannerBusy', 'The scanner is busy with another scan.');
      case 'deviceNotReady':
        return failure<'Scanner.Scan'>('deviceNotReady', 'scannerNotReady', 'The scanner is not ready. Please ask the hall staff for help.');
      case 'failed':
        switch (result.problem) {
          case 'noDocuments':
            return failure<'Scanner.Scan'>('userError', 'noDocument', 'No document was found. Please place the document in the scanner.');
          case 'jammed':
            return failure<'Scanner.Scan'>('hardwareError', 'paperJam', 'The paper is jammed in the scanner. Please ask the hall staff for help.');
          case 'coverOpen':
            return failure<'Scanner.Scan'>('hardwareError', 'coverOpen', 'The scanner cover is open. Please close it and try again.');
          case 'busy':
            return failure<'Scanner.Scan'>('busy', 'scannerBusy', 'The scanner is in use. Please try again in a moment.');
          case 'noDevice':
            return failure<'Scanner.Scan'>('deviceNotReady', 'scannerNotReady', 'The scanner is not ready. Please ask the hall staff for help.');
          case 'ioError':
          case 'noMemory':
          case 'accessDenied':
          case 'badOutput':
            return failure<'Scanner.Scan'>('hardwareError', 'scannerFault', 'The scanner reported a fault. Please ask the hall staff for help.');
          case 'unsupported':
          case 'invalid':
            return failure<'Scanner.Scan'>('unsupportedData', 'scanSettingsUnsupported', 'The scanner does not support these settings.');
          default: {
            const unreachable: never = result.problem;
            return unreachable;
          }
        }
      case 'unreadableImage':
        return failure<'Scanner.Scan'>('hardwareError', 'scannerFault', 'The scanner returned an unreadable image.');
      case 'scanned':
        ctx.log.info({ pages: result.pages.length, resolutionDpi, colorMode }, 'scan stored');
        return success<'Scanner.Scan'>({ scanId: result.scanId, pages: result.pages });
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  },

  'Scanner.DiscardScan': (ctx) => {
    const scanning = ctx.services.scanning;
    const scanId = ctx.payload?.scanId;
    if (scanId !== undefined) return Promise.resolve(success<'Scanner.DiscardScan'>({ discarded: scanning.scans.delete(scanId) ? 1 : 0 }));
    const discarded = scanning.scans.size;
    scanning.scans.clear();
    return Promise.resolve(success<'Scanner.DiscardScan'>({ discarded }));
  },

  'Scanner.PlaceSampleDocument': (ctx) => {
    const simulator = ctx.services.scanning.simulator;
    if (!simulator) return Promise.resolve(failure<'Scanner.PlaceSampleDocument'>('unsupportedCommand', 'notSimulated', 'The scanner is not simulated (--scanner sim).'));
    const key = ctx.payload.person ?? 'wangXiaoming';
    if (!Object.hasOwn(SAMPLE_PEOPLE, key)) return Promise.resolve(failure<'Scanner.PlaceSampleDocument'>('invalidData', 'unknownSample', 'No sample person has this key.'));
    simulator.place([{ sample: { kind: ctx.payload.kind, person: SAMPLE_PEOPLE[key as SamplePersonKey] } }]);
    return Promise.resolve(success<'Scanner.PlaceSampleDocument'>({}));
  },
};
