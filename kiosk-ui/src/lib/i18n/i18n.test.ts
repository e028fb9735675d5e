import { describe, expect, it } from 'vitest';
import { DEVICE_REASONS } from '@onevisit/device-agent/protocol';
import { en } from './en.ts';
import { format } from './format.ts';
import { zhCN } from './zh-cn.ts';
import { READ_ERROR_KINDS, readErrorKind } from '../state/read-error.ts';

describe('i18n', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [key, value] of [...Object.entries(en), ...Object.entries(zhCN)]) expect(value.trim(), key).not.toBe('');
  });

  it('has a text for every device reason and read error', () => {
    const keys = new Set(Object.keys(zhCN));
    for (const reason of DEVICE_REASONS) expect(keys.has(`reason.${reason}`), reason).toBe(true);
    for (const kind of READ_ERROR_KINDS) expect(keys.has(`readError.${kind}.title`), kind).toBe(true);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{seconds} 秒后返回首页', { seconds: 7 })).toBe('7 秒后返回首页');
    expect(format('in {seconds} s', {})).toBe('in {seconds} s');
  });

  it('maps read failures to what the citizen is told', () => {
    expect(readErrorKind('userError', 'cardExpired')).toBe('cardExpired');
    expect(readErrorKind('userError', 'invalidIdNumber')).toBe('notRecognised');
    expect(readErrorKind('deviceNotReady', 'readerNotReady')).toBe('readerOffline');
    expect(readErrorKind('timeOut', 'timeOut')).toBe('noCard');
    expect(readErrorKind('userError', 'cardUnreadable')).toBe('failed');
  });
});
