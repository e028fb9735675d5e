import { describe, expect, it } from 'vitest';
import { RECEIPT_CONDITIONS, canPrint, conditionStatus, decodeRealtimeStatus, isStatusByte, statusBytesFor } from './escpos-status.ts';

const OK = { printer: 0x12, offlineCause: 0x12, errorCause: 0x12, paperSensor: 0x12 };

describe('DLE EOT status decoding', () => {
  it('checks the fixed bits (0xx1xx10)', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect(isStatusByte(0x16)).toBe(true);
    expect(isStatusByte(0x7e)).toBe(true);
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x13)).toBe(false);
    expect(isStatusByte(0x92)).toBe(false);
    expect(decodeRealtimeStatus({ ...OK, errorCause: 0xff })).toEqual({ ok: false, reason: 'notAStatusByte', which: 'errorCause' });
  });

  it('decodes real replies (Epson bit layouts)', () => {
    expect(decodeRealtimeStatus(OK)).toEqual({ ok: true, condition: 'online', paperLow: false });
    // n=4 0x1e: near-end bits 2,3 on -> paper low, still prints.
    expect(decodeRealtimeStatus({ ...OK, paperSensor: 0x1e })).toEqual({ ok: true, condition: 'paperLow', paperLow: true });
    // n=1 0x1a offline; n=2 0x72 paper-end stop + error; n=4 0x7e near end + end.
    expect(decodeRealtimeStatus({ printer: 0x1a, offlineCause: 0x72, errorCause: 0x12, paperSensor: 0x7e })).toMatchObject({ condition: 'paperOut' });
    // n=2 0x16: cover open.
    expect(decodeRealtimeStatus({ printer: 0x1a, offlineCause: 0x56, errorCause: 0x12, paperSensor: 0x12 })).toMatchObject({ condition: 'coverOpen' });
    // n=3 0x1a: auto-cutter error; 0x32 unrecoverable; 0x16 mechanical (jam); 0x52 head hot.
    expect(decodeRealtimeStatus({ ...OK, printer: 0x1a, errorCause: 0x1a })).toMatchObject({ condition: 'cutterError' });
    expect(decodeRealtimeStatus({ ...OK, printer: 0x1a, errorCause: 0x32 })).toMatchObject({ condition: 'unrecoverableError' });
    expect(decodeRealtimeStatus({ ...OK, printer: 0x1a, errorCause: 0x16 })).toMatchObject({ condition: 'paperJam' });
    expect(decodeRealtimeStatus({ ...OK, printer: 0x1a, errorCause: 0x52 })).toMatchObject({ condition: 'headHot' });
    // Offline without a known cause.
    expect(decodeRealtimeStatus({ ...OK, printer: 0x1a })).toMatchObject({ condition: 'offline' });
  });

  it('ranks the worst condition first: a cutter error with the cover open is a cutter error', () => {
    expect(decodeRealtimeStatus({ printer: 0x1a, offlineCause: 0x56, errorCause: 0x1a, paperSensor: 0x1e })).toMatchObject({
      condition: 'cutterError',
      paperLow: true,
    });
  });

  it('round-trips every condition through the bytes the simulator sends', () => {
    for (const condition of RECEIPT_CONDITIONS) {
      if (condition === 'noResponse') continue;
      expect(decodeRealtimeStatus(statusBytesFor(condition))).toMatchObject({ ok: true, condition });
    }
  });

  it('says what staff must do', () => {
    const s = (c: (typeof RECEIPT_CONDITIONS)[number]) => conditionStatus(c, 'tcp', '2026-01-01T00:00:00.000Z');
    expect(s('paperOut')).toMatchObject({ state: 'fault', attention: 'clear', reason: 'paperOut', device: 'receiptPrinter' });
    expect(s('coverOpen')).toMatchObject({ state: 'fault', attention: 'clear', reason: 'coverOpen' });
    expect(s('paperLow')).toMatchObject({ state: 'online', attention: 'clear', reason: 'paperLow' });
    expect(s('paperJam')).toMatchObject({ state: 'fault', attention: 'clear', reason: 'paperJam' });
    expect(s('cutterError')).toMatchObject({ state: 'fault', attention: 'maintenance', reason: 'hardwareFault' });
    expect(s('unrecoverableError')).toMatchObject({ attention: 'maintenance' });
    expect(s('noResponse')).toMatchObject({ state: 'offline', attention: 'maintenance' });
    expect(s('online')).toMatchObject({ state: 'online', attention: 'none', reason: 'ok' });
    expect(canPrint('paperLow')).toBe(true);
    expect(canPrint('coverOpen')).toBe(false);
  });
});
