import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '@onevisit/protocol';
import { zhCN } from '../i18n/zh-cn.ts';
import { SCAN_ERROR_CODES, SCAN_FIELD_PROBLEMS, appendIdChar, groupIdNumber, scanErrorCode, scannerProblem } from './scan-codes.ts';

const status = (state: DeviceStatus['state'], reason: DeviceStatus['reason']): DeviceStatus => ({ device: 'scanner', state, reason, attention: 'none', driver: 'sim', since: '2026-01-01T00:00:00Z' });

describe('scan codes', () => {
  it('has a text for every error and field problem', () => {
    const keys = new Set(Object.keys(zhCN));
    for (const code of SCAN_ERROR_CODES) expect(keys.has(`scan.error.${code}.title`) && keys.has(`scan.error.${code}.body`), code).toBe(true);
    for (const problem of SCAN_FIELD_PROBLEMS) expect(keys.has(`scan.field.problem.${problem}`), problem).toBe(true);
  });

  it('maps the agent error codes, and falls back by completion code', () => {
    expect(scanErrorCode('hardwareError', 'paperJam')).toBe('paperJam');
    expect(scanErrorCode('userError', 'idNumberNotFound')).toBe('idNumberNotFound');
    expect(scanErrorCode('deviceNotReady', 'somethingNew')).toBe('scannerNotReady');
    expect(scanErrorCode('busy', undefined)).toBe('scannerBusy');
    expect(scanErrorCode('connectionLost', undefined)).toBe('failed');
  });

  it('says what the pushed scanner status stops', () => {
    expect(scannerProblem(undefined)).toBeUndefined();
    expect(scannerProblem(status('online', 'ok'))).toBeUndefined();
    expect(scannerProblem(status('busy', 'ok'))).toBeUndefined();
    expect(scannerProblem(status('offline', 'simulatedOffline'))).toBe('scannerNotReady');
    expect(scannerProblem(status('fault', 'coverOpen'))).toBe('coverOpen');
    expect(scannerProblem(status('fault', 'paperJam'))).toBe('paperJam');
    expect(scannerProblem(status('fault', 'simulatedFault'))).toBe('scannerFault');
  });

  it('groups an ID number as printed and takes X only as the 18th character', () => {
    expect(groupIdNumber('11010119900307061X')).toEqual(['110101', '19900307', '061X']);
    expect(groupIdNumber('1101011990')).toEqual(['110101', '1990']);
    expect(appendIdChar('1101', 'X')).toBe('1101');
    expect(appendIdChar('11010119900307061', 'x')).toBe('11010119900307061X');
    expect(appendIdChar('11010119900307061X', '1')).toBe('11010119900307061X');
    expect(appendIdChar('1', 'a')).toBe('1');
  });
});
