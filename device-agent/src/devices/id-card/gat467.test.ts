import { describe, expect, it } from 'vitest';
import {
  classifyStatus,
  COMMAND_NAMES,
  decodeCardData,
  decodeCommand,
  decodeReply,
  encodeCardData,
  encodeCommand,
  encodeReply,
  type FrameEvent,
  FrameSplitter,
  MIN_COMMAND_LENGTH,
  MIN_REPLY_LENGTH,
  SAM_STATUS_CODES,
  samStatusOf,
  xorChecksum,
} from './gat467.ts';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/*
 * Golden frames, written by hand from GA/T 467: preamble AA AA AA 96 69, LEN (2, big-endian,
 * counting the body and the checksum), body, XOR of LEN and body.
 */
const COMMAND_FIXTURES = {
  // LEN 00 03; 00^03^10^FF = EC
  reset: 'aaaaaa9669 0003 10ff ec',
  // 00^03^11^FF = ED
  samStatus: 'aaaaaa9669 0003 11ff ed',
  // 00^03^20^01 = 22
  findCard: 'aaaaaa9669 0003 2001 22',
  // 00^03^20^02 = 21
  selectCard: 'aaaaaa9669 0003 2002 21',
  // 00^03^30^01 = 32
  readTextPhoto: 'aaaaaa9669 0003 3001 32',
  // 00^03^30^10 = 23
  readTextPhotoFingerprint: 'aaaaaa9669 0003 3010 23',
} as const;

const REPLY_FIXTURES = {
  // SW 00 00 90, LEN 00 04: 04^90 = 94
  ok: 'aaaaaa9669 0004 000090 94',
  // find card: SW 9F + 4 bytes of 管理信息, LEN 00 08: 08^9F = 97
  cardFound: 'aaaaaa9669 0008 00009f 00000000 97',
  // 04^80 = 84
  findFailed: 'aaaaaa9669 0004 000080 84',
  // select card: SW 90 + 8 bytes, LEN 00 0C: 0C^90 = 9C
  selected: 'aaaaaa9669 000c 000090 0000000000000000 9c',
  // 04^81 = 85
  selectFailed: 'aaaaaa9669 0004 000081 85',
  // 04^41 = 45
  readFailed: 'aaaaaa9669 0004 000041 45',
  // 04^60 = 64
  samSelfCheckFailed: 'aaaaaa9669 0004 000060 64',
  // 04^10 = 14
  checksumErrorReceived: 'aaaaaa9669 0004 000010 14',
} as const;

function frames(events: FrameEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [toHex(e.body)] : []));
}
function errors(events: FrameEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'error' ? [e.error.kind] : []));
}

describe('GA/T 467 commands', () => {
  it.each(COMMAND_NAMES)('encodes %s byte for byte', (name) => {
    expect(toHex(encodeCommand(name))).toBe(COMMAND_FIXTURES[name].replace(/\s+/g, ''));
  });

  it.each(COMMAND_NAMES)('decodes %s on the reader side', (name) => {
    const splitter = new FrameSplitter({ minLength: MIN_COMMAND_LENGTH });
    const [event] = splitter.push(hex(COMMAND_FIXTURES[name]));
    expect(event?.kind).toBe('frame');
    if (event?.kind !== 'frame') return;
    const decoded = decodeCommand(event.body);
    expect(decoded).toMatchObject({ ok: true, name });
  });

  it('reports an unknown command', () => {
    expect(decodeCommand(hex('99ff'))).toEqual({ ok: false, problem: 'unknownCommand', cmd: 0x99, para: 0xff });
    expect(decodeCommand(hex('20'))).toEqual({ ok: false, problem: 'tooShort' });
  });
});

describe('GA/T 467 replies', () => {
  it('encodes every reply fixture byte for byte', () => {
    const S = SAM_STATUS_CODES;
    expect(toHex(encodeReply(S.ok))).toBe(REPLY_FIXTURES.ok.replace(/\s+/g, ''));
    expect(toHex(encodeReply(S.cardFound, new Uint8Array(4)))).toBe(REPLY_FIXTURES.cardFound.replace(/\s+/g, ''));
    expect(toHex(encodeReply(S.findFailed))).toBe(REPLY_FIXTURES.findFailed.replace(/\s+/g, ''));
    expect(toHex(encodeReply(S.ok, new Uint8Array(8)))).toBe(REPLY_FIXTURES.selected.replace(/\s+/g, ''));
    expect(toHex(encodeReply(S.selectFailed))).toBe(REPLY_FIXTURES.selectFailed.replace(/\s+/g, ''));
    expect(toHex(encodeReply(S.readFailed))).toBe(REPLY_FIXTURES.readFailed.replace(/\s+/g, ''));
    expect(toHex(encodeReply(S.samSelfCheckFailed))).toBe(REPLY_FIXTURES.samSelfCheckFailed.replace(/\s+/g, ''));
    expect(toHex(encodeReply(S.checksumErrorReceived))).toBe(REPLY_FIXTURES.checksumErrorReceived.replace(/\s+/g, ''));
  });

  it('decodes status words and data', () => {
    const splitter = new FrameSplitter({ minLength: MIN_REPLY_LENGTH });
    const [event] = splitter.push(hex(REPLY_FIXTURES.cardFound));
    if (event?.kind !== 'frame') throw new Error('expected a frame');
    const decoded = decodeReply(event.body);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.reply).toMatchObject({ sw1: 0, sw2: 0, sw3: 0x9f, status: 'cardFound' });
    expect(toHex(decoded.reply.data)).toBe('00000000');
    expect(decodeReply(hex('0000'))).toEqual({ ok: false, problem: 'tooShort' });
  });

  it('maps every SW3 of the standard to a closed set of results', () => {
    const table: [number, string, string][] = [
      [0x90, 'ok', 'success'],
      [0x91, 'noContent', 'success'],
      [0x9f, 'cardFound', 'success'],
      [0x80, 'findFailed', 'noCard'],
      [0x81, 'selectFailed', 'noCard'],
      [0x41, 'readFailed', 'cardError'],
      [0x40, 'unknownCardType', 'cardError'],
      [0x31, 'cardAuthenticatesSamFailed', 'cardError'],
      [0x32, 'samAuthenticatesCardFailed', 'cardError'],
      [0x33, 'infoVerificationFailed', 'cardError'],
      [0x47, 'randomFailed', 'cardError'],
      [0x10, 'checksumErrorReceived', 'transmission'],
      [0x11, 'lengthErrorReceived', 'transmission'],
      [0x21, 'commandError', 'transmission'],
      [0x23, 'unauthorizedOperation', 'samFault'],
      [0x24, 'unrecognizedError', 'samFault'],
      [0x60, 'samSelfCheckFailed', 'samFault'],
      [0x66, 'samNotAuthorized', 'samFault'],
      [0x55, 'unknown', 'samFault'],
    ];
    for (const [code, status, cls] of table) {
      expect(samStatusOf(code), code.toString(16)).toBe(status);
      expect(classifyStatus(samStatusOf(code)), code.toString(16)).toBe(cls);
    }
  });
});

describe('text + photo reply (30 01)', () => {
  it('frames 256 bytes of text and 1024 of photo with LEN 05 08', () => {
    const text = new Uint8Array(256).fill(0x20);
    const photo = new Uint8Array(1024).fill(0x5a);
    const frame = encodeReply(SAM_STATUS_CODES.ok, encodeCardData({ text, photo }));
    // 3 SW + 2 + 2 + 256 + 1024 + 1 checksum = 1288 = 0x0508; 1295 bytes in all.
    expect(frame.length).toBe(1295);
    expect(toHex(frame.subarray(0, 14))).toBe('aaaaaa96690508000090' + '0100' + '0400');
    // XOR of 00^00^90 ^ 01^00^04^00 ^ 05^08 ^ 256×20 (even: 0) ^ 1024×5A (even: 0) = 90^01^04^05^08 = 98
    expect(frame[frame.length - 1]).toBe(0x98);
    const splitter = new FrameSplitter({ minLength: MIN_REPLY_LENGTH });
    const [event] = splitter.push(frame);
    if (event?.kind !== 'frame') throw new Error('expected a frame');
    const reply = decodeReply(event.body);
    if (!reply.ok) throw new Error('expected a reply');
    const card = decodeCardData(reply.reply.data);
    expect(card.ok).toBe(true);
    if (!card.ok) return;
    expect(card.card.text).toEqual(text);
    expect(card.card.photo).toEqual(photo);
  });

  it('refuses declared lengths that disagree with the data', () => {
    const data = encodeCardData({ text: new Uint8Array(256), photo: new Uint8Array(1024) });
    expect(decodeCardData(data.subarray(0, 1000))).toEqual({ ok: false, problem: 'lengthMismatch' });
    expect(decodeCardData(data.subarray(0, 2))).toEqual({ ok: false, problem: 'tooShort' });
    const odd = encodeCardData({ text: new Uint8Array(200), photo: new Uint8Array(1024) });
    expect(decodeCardData(odd)).toEqual({ ok: false, problem: 'unexpectedSizes' });
  });

  it('reads the fingerprint variant (30 10) with its third length', () => {
    const data = encodeCardData({ text: new Uint8Array(256), photo: new Uint8Array(1024), fingerprint: new Uint8Array(1024).fill(1) });
    expect(toHex(data.subarray(0, 6))).toBe('010004000400');
    const card = decodeCardData(data, true);
    expect(card.ok && card.card.fingerprint?.length).toBe(1024);
  });
});

describe('FrameSplitter', () => {
  const reply = (): FrameSplitter => new FrameSplitter({ minLength: MIN_REPLY_LENGTH });

  it('yields a whole frame body', () => {
    expect(frames(reply().push(hex(REPLY_FIXTURES.cardFound)))).toEqual(['00009f00000000']);
  });

  it('reassembles a frame split across reads, even byte by byte', () => {
    const splitter = reply();
    const bytes = hex(REPLY_FIXTURES.selected);
    const events: FrameEvent[] = [];
    for (const b of bytes) events.push(...splitter.push(Uint8Array.of(b)));
    expect(frames(events)).toEqual(['0000900000000000000000']);
    expect(errors(events)).toEqual([]);
    expect(splitter.pendingBytes).toBe(0);
  });

  it('splits two frames that arrive in one read', () => {
    const both = hex(REPLY_FIXTURES.findFailed + REPLY_FIXTURES.cardFound);
    expect(frames(reply().push(both))).toEqual(['000080', '00009f00000000']);
  });

  it('reports a bad checksum, drops that frame and keeps the next', () => {
    // 00 04 00 00 90 should end in 94; 95 is wrong.
    const events = reply().push(hex('aaaaaa9669 0004 000090 95' + REPLY_FIXTURES.ok));
    expect(events[0]).toEqual({ kind: 'error', error: { kind: 'badChecksum', expected: 0x94, actual: 0x95 } });
    expect(frames(events)).toEqual(['000090']);
  });

  it('holds a truncated frame back, and forgets it on reset', () => {
    const splitter = reply();
    expect(splitter.push(hex('aaaaaa9669 000c 000090 00000000'))).toEqual([]);
    expect(splitter.hasPartialFrame).toBe(true);
    expect(splitter.pendingBytes).toBe(14);
    splitter.reset();
    expect(splitter.hasPartialFrame).toBe(false);
    expect(frames(splitter.push(hex(REPLY_FIXTURES.ok)))).toEqual(['000090']);
  });

  it('skips garbage before the preamble and says how much', () => {
    const events = reply().push(hex('01 02 aa 96' + REPLY_FIXTURES.ok));
    expect(events[0]).toEqual({ kind: 'error', error: { kind: 'garbage', skippedBytes: 4 } });
    expect(frames(events)).toEqual(['000090']);
  });

  it('keeps a preamble cut at the end of a read', () => {
    const splitter = reply();
    expect(splitter.push(hex('aaaa'))).toEqual([]);
    expect(frames(splitter.push(hex('aa9669 0004 000080 84')))).toEqual(['000080']);
  });

  it('resynchronises after an impossible length', () => {
    // LEN 00 01 is shorter than SW1 SW2 SW3 CHK; FF FF is longer than any reply.
    const events = reply().push(hex('aaaaaa9669 0001 aaaaaa9669 ffff' + REPLY_FIXTURES.ok));
    expect(errors(events)).toEqual(['badLength', 'garbage', 'badLength', 'garbage']);
    expect(frames(events)).toEqual(['000090']);
  });

  it('computes the XOR over length and body', () => {
    expect(xorChecksum(hex('0003 2001'))).toBe(0x22);
  });
});
