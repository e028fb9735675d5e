import { describe, expect, it } from 'vitest';
import { a4Status, canAcceptJob, jobNumber, parseIpptoolCsv, parseJobInfo, parseLpJobId, parsePrinterInfo, printerCondition } from './cups.ts';

describe('CUPS output parsing', () => {
  it('reads the job id lp prints', () => {
    expect(parseLpJobId('request id is OneVisitPDF-12 (1 file(s))\n')).toBe('OneVisitPDF-12');
    expect(parseLpJobId('lp: The printer or class does not exist.')).toBeUndefined();
    expect(jobNumber('Office-A4-307')).toBe(307);
  });

  it('reads ipptool CSV with quoted multi-valued reasons', () => {
    const rows = parseIpptoolCsv('printer-state,printer-state-reasons,printer-is-accepting-jobs\nstopped,"media-empty-error,cover-open-report",true\n');
    expect(rows).toEqual([{ 'printer-state': 'stopped', 'printer-state-reasons': 'media-empty-error,cover-open-report', 'printer-is-accepting-jobs': 'true' }]);
    expect(parsePrinterInfo(rows[0])).toEqual({ state: 'stopped', reasons: ['media-empty-error', 'cover-open-report'], accepting: true });
    expect(parseJobInfo(parseIpptoolCsv('job-state,job-state-reasons,job-impressions-completed\ncompleted,job-completed-successfully,2\n')[0])).toEqual({
      state: 'completed',
      reasons: ['job-completed-successfully'],
      impressionsCompleted: 2,
    });
    expect(parseJobInfo(parseIpptoolCsv('job-state\n')[0])).toBeUndefined();
  });
});

describe('printer state → status', () => {
  const info = (state: 'idle' | 'processing' | 'stopped', reasons: string[], accepting = true) => ({ state, reasons, accepting });

  it('maps IPP printer-state-reasons to conditions', () => {
    expect(printerCondition(info('idle', []))).toBe('online');
    expect(printerCondition(info('processing', []))).toBe('busy');
    expect(printerCondition(info('stopped', ['media-empty-error']))).toBe('paperOut');
    expect(printerCondition(info('stopped', ['media-needed']))).toBe('paperOut');
    expect(printerCondition(info('idle', ['media-low-warning']))).toBe('paperLow');
    expect(printerCondition(info('stopped', ['media-jam-error', 'cover-open-error']))).toBe('paperJam');
    expect(printerCondition(info('idle', ['cover-open-error']))).toBe('coverOpen');
    // A report-level reason on a working printer is information only.
    expect(printerCondition(info('idle', ['cover-open-report']))).toBe('online');
    expect(printerCondition(info('stopped', ['offline-report']))).toBe('offline');
    expect(printerCondition(info('stopped', ['paused']))).toBe('paused');
    expect(printerCondition(info('idle', [], false))).toBe('paused');
    expect(printerCondition(info('stopped', ['toner-empty-error']))).toBe('hardwareFault');
    expect(printerCondition(undefined)).toBe('notFound');
  });

  it('says what staff must do', () => {
    const at = '2026-01-01T00:00:00.000Z';
    expect(a4Status('paperOut', at)).toMatchObject({ device: 'printer', state: 'fault', attention: 'clear', reason: 'paperOut', driver: 'cups' });
    expect(a4Status('paperLow', at)).toMatchObject({ state: 'online', attention: 'clear' });
    expect(a4Status('hardwareFault', at)).toMatchObject({ attention: 'maintenance' });
    expect(a4Status('notFound', at)).toMatchObject({ state: 'offline', reason: 'notConfigured' });
    expect(canAcceptJob('paperLow')).toBe(true);
    expect(canAcceptJob('paused')).toBe(false);
  });
});
