import { describe, expect, it } from 'vitest';
import { Cu16Splitter, decodeCommand, decodeReply, encodeReply, encodeStatusQuery, encodeUnlock, sum8 } from './cu16.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(' ').map((b) => Number.parseInt(b, 16)));
const toHex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

// Board 0, reply to status: lock 1 closed with an item, lock 9 closed and empty, the rest open.
const STATUS_REPLY = '02 00 30 01 01 01 00 03 38';

describe('CU16 frames (golden bytes, issue 13)', () => {
  it('encodes the examples of the issue', () => {
    expect(toHex(encodeStatusQuery(0))).toBe('02 00 30 03 35');
    expect(toHex(encodeUnlock(0, 1))).toBe('02 00 31 03 36');
  });

  it('puts the board in the high nibble and the lock index in the low nibble', () => {
    expect(toHex(encodeUnlock(2, 16))).toBe('02 2f 31 03 65');
    expect(toHex(encodeStatusQuery(15))).toBe('02 f0 30 03 25');
    expect(sum8(hex('02 2f 31 03'))).toBe(0x65);
  });

  it('refuses boards and locks it cannot address', () => {
    expect(() => encodeStatusQuery(16)).toThrow(RangeError);
    expect(() => encodeUnlock(0, 0)).toThrow(RangeError);
    expect(() => encodeUnlock(0, 17)).toThrow(RangeError);
  });

  it('decodes hook and presence bits of a status reply', () => {
    const decoded = decodeReply(hex(STATUS_REPLY));
    if (!decoded.ok) throw new Error(decoded.problem);
    expect(decoded.reply).toMatchObject({ board: 0, lockIndex: 0, command: 'status' });
    expect(decoded.reply.locks[0]).toEqual({ locked: true, present: true });
    expect(decoded.reply.locks[1]).toEqual({ locked: false, present: false });
    expect(decoded.reply.locks[8]).toEqual({ locked: true, present: false });
    expect(decoded.reply.locks).toHaveLength(16);
  });

  it('encodes the reply it decodes (emulator side)', () => {
    const decoded = decodeReply(hex(STATUS_REPLY));
    if (!decoded.ok) throw new Error(decoded.problem);
    expect(toHex(encodeReply(decoded.reply))).toBe(STATUS_REPLY);
  });

  it('reads commands on the board side', () => {
    expect(decodeCommand(hex('02 00 31 03 36'))).toEqual({ ok: true, command: { board: 0, command: 'unlock', lock: 1 } });
    expect(decodeCommand(hex('02 00 30 03 35'))).toEqual({ ok: true, command: { board: 0, command: 'status', lock: undefined } });
    expect(decodeCommand(hex('02 00 39 03 3e'))).toEqual({ ok: false, problem: 'unknownCommand' });
  });
});

describe('Cu16Splitter', () => {
  it('yields a reply split across reads only when complete', () => {
    const s = new Cu16Splitter('host');
    expect(s.push(hex('02 00 30 01'))).toEqual([]);
    expect(s.pendingBytes).toBe(4);
    const events = s.push(hex('01 01 00 03 38'));
    expect(events).toEqual([{ kind: 'frame', bytes: hex(STATUS_REPLY) }]);
    expect(s.pendingBytes).toBe(0);
  });

  it('yields two frames that arrive in one read', () => {
    const s = new Cu16Splitter('board');
    const events = s.push(hex('02 00 30 03 35 02 00 31 03 36'));
    expect(events.map((e) => (e.kind === 'frame' ? toHex(e.bytes) : e.error.kind))).toEqual(['02 00 30 03 35', '02 00 31 03 36']);
  });

  it('drops a frame with a bad sum and keeps the next one', () => {
    const s = new Cu16Splitter('board');
    const events = s.push(hex('02 00 30 03 99 02 00 31 03 36'));
    expect(events[0]).toEqual({ kind: 'error', error: { kind: 'badSum', expected: 0x35, actual: 0x99 } });
    expect(events[1]).toEqual({ kind: 'frame', bytes: hex('02 00 31 03 36') });
  });

  it('resynchronises after a truncated frame followed by a whole one', () => {
    const s = new Cu16Splitter('host');
    const events = s.push(hex(`02 00 30 01 ${STATUS_REPLY}`));
    expect(events.filter((e) => e.kind === 'frame')).toEqual([{ kind: 'frame', bytes: hex(STATUS_REPLY) }]);
    expect(events.some((e) => e.kind === 'error')).toBe(true);
  });

  it('reports garbage before a frame', () => {
    const s = new Cu16Splitter('board');
    expect(s.push(hex('ff 00 02 00 30 03 35'))).toEqual([
      { kind: 'error', error: { kind: 'garbage', skippedBytes: 2 } },
      { kind: 'frame', bytes: hex('02 00 30 03 35') },
    ]);
  });

  it('keeps the board of a reply so the driver can refuse another board', () => {
    const wrong = encodeReply({ board: 1, lockIndex: 0, command: 'status', locks: [] });
    const events = new Cu16Splitter('host').push(wrong);
    const frame = events[0];
    if (frame?.kind !== 'frame') throw new Error('no frame');
    const decoded = decodeReply(frame.bytes);
    expect(decoded.ok && decoded.reply.board).toBe(1);
  });

  it('holds back a truncated frame and forgets it on reset', () => {
    const s = new Cu16Splitter('host');
    s.push(hex('02 00 30'));
    s.reset();
    expect(s.pendingBytes).toBe(0);
    expect(s.push(hex(STATUS_REPLY))).toEqual([{ kind: 'frame', bytes: hex(STATUS_REPLY) }]);
  });
});
