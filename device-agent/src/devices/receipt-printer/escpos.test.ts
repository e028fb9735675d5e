import { describe, expect, it } from 'vitest';
import {
  PROFILE_58MM,
  PROFILE_80MM,
  ReceiptEncodeError,
  align,
  characterSize,
  chineseModeOff,
  chineseModeOn,
  cut,
  emphasis,
  encodeReceipt,
  encodeText,
  initialize,
  lineFeed,
  qrCode,
  qrErrorCorrection,
  qrModel2,
  qrModuleSize,
  qrPrint,
  qrStore,
  realtimeStatus,
  textColumns,
  toHex,
  wrapText,
} from './escpos.ts';
import { decodeJob, previewText } from './preview.ts';
import type { ReceiptDocument } from '@onevisit/protocol';

const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

describe('ESC/POS command bytes (golden fixtures)', () => {
  it('encodes the basic commands', () => {
    expect(toHex(initialize())).toBe('1b40');
    expect(toHex(chineseModeOn())).toBe('1c26');
    expect(toHex(chineseModeOff())).toBe('1c2e');
    expect(toHex(align('left'))).toBe('1b6100');
    expect(toHex(align('center'))).toBe('1b6101');
    expect(toHex(align('right'))).toBe('1b6102');
    expect(toHex(emphasis(true))).toBe('1b4501');
    expect(toHex(emphasis(false))).toBe('1b4500');
    expect(toHex(characterSize(2, 2))).toBe('1d2111');
    expect(toHex(characterSize(1, 2))).toBe('1d2101');
    expect(toHex(characterSize(1, 1))).toBe('1d2100');
    expect(toHex(lineFeed(3))).toBe('0a0a0a');
    expect(toHex(cut('partial'))).toBe('1d564200');
    expect(toHex(cut('full', 3))).toBe('1d564103');
    expect(toHex(realtimeStatus(1))).toBe('100401');
    expect(toHex(realtimeStatus(4))).toBe('100404');
  });

  it('rejects sizes and feeds outside the command ranges', () => {
    expect(() => characterSize(9, 1)).toThrow(ReceiptEncodeError);
    expect(() => cut('full', 256)).toThrow(ReceiptEncodeError);
    expect(() => qrModuleSize(17)).toThrow(ReceiptEncodeError);
  });

  it('encodes Chinese in GB18030: 居住证申领 (GB2312 居 BED3 住 D7A1 证 D6A4 申 C9EA 领 C1EC)', () => {
    expect(toHex(encodeText('居住证申领', PROFILE_80MM))).toBe('bed3d7a1d6a4c9eac1ec');
    expect(toHex(encodeText('A1号', PROFILE_80MM))).toBe('4131bac5');
    expect(textColumns('居住证A1', PROFILE_80MM)).toBe(8);
  });

  it('throws a typed error for a character outside the printer font, or prints 〓 when asked', () => {
    // 𠮷 (U+20BB7) is GB18030 four-byte 9534B235: receipt fonts do not have it.
    const err = captureError(() => encodeText('吉𠮷', PROFILE_80MM));
    expect(err).toBeInstanceOf(ReceiptEncodeError);
    expect(err).toMatchObject({ code: 'unsupportedCharacter', codePoint: 0x20bb7 });
    expect(toHex(encodeText('吉𠮷', PROFILE_80MM, { unsupported: 'marker' }))).toBe('bcaaa1fe');
    // A printer whose font has the four-byte area gets the real bytes.
    expect(toHex(encodeText('𠮷', { ...PROFILE_80MM, fourByteGb18030: true }))).toBe('9534b235');
  });

  it('refuses control characters in text, even with the marker option (they would be commands)', () => {
    expect(captureError(() => encodeText('a\x1b@b', PROFILE_80MM, { unsupported: 'marker' }))).toMatchObject({ code: 'controlCharacter' });
    expect(captureError(() => encodeText('a\u0085', PROFILE_80MM))).toMatchObject({ code: 'controlCharacter' });
  });

  it('encodes the native QR command with pL/pH', () => {
    expect(toHex(qrModel2())).toBe('1d286b0400314132' + '00');
    expect(toHex(qrModuleSize(6))).toBe('1d286b0300314306');
    expect(toHex(qrErrorCorrection('M'))).toBe('1d286b0300314531');
    expect(toHex(qrErrorCorrection('H'))).toBe('1d286b0300314533');
    // Store "BK-12345678": 11 data bytes + 3 = 14 = pL 0e pH 00.
    expect(toHex(qrStore(new TextEncoder().encode('BK-12345678')))).toBe('1d286b0e00315030' + ascii('BK-12345678'));
    expect(toHex(qrPrint())).toBe('1d286b0300315130');
  });

  it('uses pH for QR data longer than 252 bytes', () => {
    const data = 'X'.repeat(300); // 303 = 0x012f
    const bytes = qrStore(new TextEncoder().encode(data));
    expect(toHex(bytes.subarray(0, 8))).toBe('1d286b2f01315030');
    expect(bytes.length).toBe(8 + 300);
  });

  it('refuses QR data beyond the capacity of its error-correction level', () => {
    expect(captureError(() => qrCode('x'.repeat(1274), { errorCorrection: 'H' }))).toMatchObject({ code: 'qrTooLarge' });
    expect(qrCode('x'.repeat(1273), { errorCorrection: 'H' }).length).toBeGreaterThan(1273);
  });
});

describe('layout', () => {
  it('wraps Chinese by width and never starts a line with closing punctuation', () => {
    // 10 columns = 5 CJK characters per line.
    expect(wrapText('请携带身份证原件，复印件一份。', 10, PROFILE_80MM)).toEqual(['请携带身份', '证原件，复', '印件一份。']);
    // Here the comma would open line 2: 份 is carried over with it.
    const lines = wrapText('请携带身份，证原件', 10, PROFILE_80MM);
    expect(lines).toEqual(['请携带身', '份，证原件']);
    for (const line of lines) expect(line.startsWith('，')).toBe(false);
  });

  it('never ends a paragraph on a line of one Chinese character (a widow such as a lone 柜)', () => {
    // 11 characters at 5 a line would leave 柜 alone on the third line: the second gives up 取.
    expect(wrapText('请到本厅证照自助领取柜', 10, PROFILE_80MM)).toEqual(['请到本厅证', '照自助领', '取柜']);
    // With its full stop it is still a widow.
    expect(wrapText('请到本厅证照自助领取柜。', 10, PROFILE_80MM)).toEqual(['请到本厅证', '照自助领', '取柜。']);
    // A comma that would then open the line goes down with the character before it.
    expect(wrapText('请到本厅证照自助领，柜', 10, PROFILE_80MM)).toEqual(['请到本厅证', '照自助', '领，柜']);
    // Every line still fits, and nothing is lost.
    for (const text of ['请到本厅证照自助领取柜', '请到本厅证照自助领，柜', '一二三四五六', '请到窗口']) {
      const lines = wrapText(text, 10, PROFILE_80MM);
      expect(lines.join('')).toBe(text);
      for (const line of lines) expect(textColumns(line, PROFILE_80MM)).toBeLessThanOrEqual(10);
    }
  });

  it('keeps Latin words whole when they fit', () => {
    expect(wrapText('Bring your passport please', 12, PROFILE_80MM)).toEqual(['Bring your', 'passport', 'please']);
  });

  it('renders a booking slip document to bytes that read back as the slip', () => {
    const doc: ReceiptDocument = {
      title: '预约凭条',
      blocks: [
        { kind: 'row', label: '事项', value: '居住证申领' },
        { kind: 'row', label: '时间', value: '2026-11-24 09:30-10:00' },
        { kind: 'row', label: '姓名', value: '张*' },
        { kind: 'separator' },
        { kind: 'text', text: 'BK7Q2M', align: 'center', bold: true, size: 'double' },
        { kind: 'qr', data: 'BK7Q2M', caption: '到厅扫码签到' },
      ],
    };
    const bytes = encodeReceipt(doc, PROFILE_80MM);
    expect(toHex(bytes.subarray(0, 4))).toBe('1b401c26');
    expect(toHex(bytes.subarray(bytes.length - 6))).toBe('1d5642001c2e');
    const text = previewText(decodeJob(bytes), 48);
    expect(text).toContain('事项' + ' '.repeat(48 - 4 - 10) + '居住证申领');
    expect(text).toContain('[QR BK7Q2M]');
    expect(text).toContain('到厅扫码签到');
    expect(text).toContain('-'.repeat(48));
    const preview = decodeJob(bytes);
    expect(preview.lines).toContainEqual({ kind: 'text', text: '预约凭条', align: 'center', bold: true, widthTimes: 2, heightTimes: 2 });
    expect(preview.lines).toContainEqual({ kind: 'qr', data: 'BK7Q2M', moduleSize: 6, errorCorrection: 'M' });
    expect(preview.lines.at(-1)).toEqual({ kind: 'cut', cut: 'partial' });
  });

  it('wraps a long row value under itself on 58 mm paper', () => {
    const bytes = encodeReceipt(
      { blocks: [{ kind: 'row', label: '地址', value: '北京市朝阳区建国门外大街一号国贸大厦三十层' }], cut: 'none' },
      PROFILE_58MM,
    );
    const lines = previewText(decodeJob(bytes), 32).split('\n').filter((l) => l.trim().length > 0);
    // 32 columns, 5 for the label: 13 characters of value per line.
    expect(lines[0]).toBe('地址 北京市朝阳区建国门外大街一');
    expect(lines[1]).toBe('     号国贸大厦三十层');
  });

  it('throws on a document whose text the printer cannot print', () => {
    const doc: ReceiptDocument = { blocks: [{ kind: 'row', label: '姓名', value: '𠮷*' }] };
    expect(captureError(() => encodeReceipt(doc))).toMatchObject({ code: 'unsupportedCharacter' });
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
