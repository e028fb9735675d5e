import { describe, expect, it } from 'vitest';
import { DEVICE_REASONS } from '@onevisit/protocol';
import { en } from './en.ts';
import { format } from './format.ts';
import { zhCN } from './zh-cn.ts';
import { bookingEn } from './booking.en.ts';
import { bookingZhCN } from './booking.zh-cn.ts';
import { staffEn } from './staff.en.ts';
import { staffZhCN } from './staff.zh-cn.ts';
import { I18n } from './i18n.svelte.ts';
import { READ_ERROR_KINDS, readErrorKind } from '../state/read-error.ts';

describe('i18n', () => {
  it('has the same keys in both languages, none empty, in the core and in the parts loaded later', () => {
    const parts = [[zhCN, en], [bookingZhCN, bookingEn], [staffZhCN, staffEn]] as const;
    const seen = new Set<string>();
    for (const [zh, english] of parts) {
      expect(Object.keys(english).sort()).toEqual(Object.keys(zh).sort());
      for (const [key, value] of [...Object.entries(english), ...Object.entries(zh)]) expect(value.trim(), key).not.toBe('');
      for (const key of Object.keys(zh)) {
        expect(seen.has(key), `${key} is in two parts`).toBe(false);
        seen.add(key);
      }
    }
  });

  it('shows staff texts only once the staff part has loaded, in both languages', async () => {
    const i18n = new I18n();
    expect(i18n.t('staff.signOut')).toBe('staff.signOut');
    await import('./staff-texts.ts');
    expect(i18n.t('staff.signOut')).toBe(staffZhCN['staff.signOut']);
    i18n.toggle();
    expect(i18n.t('staff.signOut')).toBe(staffEn['staff.signOut']);
    await import('./booking-texts.ts');
    expect(i18n.t('booking.error.retry')).toBe(bookingEn['booking.error.retry']);
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
