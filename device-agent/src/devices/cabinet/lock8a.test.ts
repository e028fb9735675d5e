import { describe, expect, it } from 'vitest';
import { decodeCommand, decodeReply, encodeOpen, encodeQueryAll, encodeQueryOne, encodeReply, isClosed, Lock8aSplitter, statusByte } from './lock8a.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(' ').map((b) => Number.parseInt(b, 16)));
const toHex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('8A/80 frames (golden bytes, issue 13)', () => {
  it('encodes open, query one and query all with the XOR of the bytes before it', () => {
    expect(toHex(encodeOpen(1, 1))).toBe('8a 01 01 11 9b');
    expect(toHex(encodeQueryOne(1, 1))).toBe('80 01 01 33 b3');
    expect(toHex(encodeQueryAll(1))).toBe('80 01 00 33 b2');
    expect(toHex(encodeOpen(99, 24))).toBe('8a 63 18 11 e0');
  });

  it('refuses board 0, board 100 and lock 25', () => {
    expect(() => encodeOpen(0, 1)).toThrow(RangeError);
    expect(() => encodeQueryAll(100)).toThrow(RangeError);
    expect(() => encodeQueryOne(1, 25)).toThrow(RangeError);
  });

  it('decodes a query-all reply: S3 S2 S1 are locks 17–24, 9–16, 1–8', () => {
    const decoded = decodeReply(hex('80 01 80 00 05 33 37'));
    if (!decoded.ok || decoded.value.kind !== 'queryAll') throw new Error('not a query-all reply');
    const set = decoded.value.bits.flatMap((bit, i) => (bit ? [i + 1] : []));
    expect(set).toEqual([1, 3, 24]);
  });

  it('decodes open and query-one replies', () => {
    expect(decodeReply(hex('8a 01 01 00 8a'))).toEqual({ ok: true, value: { kind: 'open', board: 1, lock: 1, status: 0 } });
    expect(decodeReply(hex('80 01 02 11 92'))).toEqual({ ok: true, value: { kind: 'queryOne', board: 1, lock: 2, status: 0x11 } });
    expect(decodeReply(hex('81 01 02 11 93'))).toEqual({ ok: false, problem: 'unknownHeader' });
  });

  it('reads the feedback as the layout says it is wired', () => {
    expect(isClosed(0x11, 'closed11')).toBe(true);
    expect(isClosed(0x00, 'closed11')).toBe(false);
    expect(isClosed(0x00, 'closed00')).toBe(true);
    expect(statusByte(true, 'closed00')).toBe(0x00);
    expect(statusByte(false, 'closed00')).toBe(0x11);
  });

  it('round-trips replies and commands', () => {
    const reply = { kind: 'queryAll' as const, board: 7, bits: Array.from({ length: 24 }, (_, i) => i % 5 === 0) };
    expect(decodeReply(encodeReply(reply))).toEqual({ ok: true, value: reply });
    expect(decodeCommand(encodeQueryAll(7))).toEqual({ ok: true, value: { kind: 'queryAll', board: 7 } });
    expect(decodeCommand(encodeOpen(7, 3))).toEqual({ ok: true, value: { kind: 'open', board: 7, lock: 3 } });
    expect(decodeCommand(hex('8a 01 01 22 a8'))).toEqual({ ok: false, problem: 'badCode' });
  });
});

describe('Lock8aSplitter', () => {
  it('joins a reply split across reads', () => {
    const s = new Lock8aSplitter();
    expect(s.push(hex('8a 01'))).toEqual([]);
    expect(s.push(hex('01 00 8a'))).toEqual([{ kind: 'frame', bytes: hex('8a 01 01 00 8a') }]);
  });

  it('reads a 7-byte query-all reply only when told to expect one', () => {
    const s = new Lock8aSplitter();
    s.expect = 'queryAll';
    expect(s.push(hex('80 01 80 00 05 33 37'))).toEqual([{ kind: 'frame', bytes: hex('80 01 80 00 05 33 37') }]);
  });

  it('yields two frames in one read', () => {
    const s = new Lock8aSplitter();
    const events = s.push(hex('8a 01 01 11 9b 80 01 01 33 b3'));
    expect(events.map((e) => (e.kind === 'frame' ? toHex(e.bytes) : e.error.kind))).toEqual(['8a 01 01 11 9b', '80 01 01 33 b3']);
  });

  it('drops a frame with a bad XOR and resynchronises on the next header', () => {
    const s = new Lock8aSplitter();
    const events = s.push(hex('8a 01 01 11 00 8a 01 01 11 9b'));
    expect(events[0]).toEqual({ kind: 'error', error: { kind: 'badXor', expected: 0x9b, actual: 0x00 } });
    expect(events.filter((e) => e.kind === 'frame')).toEqual([{ kind: 'frame', bytes: hex('8a 01 01 11 9b') }]);
  });

  it('skips garbage and a truncated frame', () => {
    const s = new Lock8aSplitter();
    const events = s.push(hex('00 ff 8a 01 8a 01 01 00 8a'));
    expect(events[0]).toEqual({ kind: 'error', error: { kind: 'garbage', skippedBytes: 2 } });
    expect(events.filter((e) => e.kind === 'frame')).toEqual([{ kind: 'frame', bytes: hex('8a 01 01 00 8a') }]);
  });

  it('passes a reply from another board on (the driver refuses it by its board byte)', () => {
    const events = new Lock8aSplitter().push(encodeReply({ kind: 'open', board: 2, lock: 1, status: 0 }));
    const frame = events[0];
    if (frame?.kind !== 'frame') throw new Error('no frame');
    expect(decodeReply(frame.bytes)).toEqual({ ok: true, value: { kind: 'open', board: 2, lock: 1, status: 0 } });
  });
});
