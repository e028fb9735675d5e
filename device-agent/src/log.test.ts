import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskText, REDACTED, scrub } from './log.ts';

function capture(): { lines: () => Record<string, unknown>[]; raw: () => string; stream: Writable & { write: Writable['write'] } } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return {
    stream,
    raw: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('maskText', () => {
  it('masks 18-character ID numbers, including a final x or X', () => {
    expect(maskText('card 11010519850721004X read')).toBe('card 110105********004X read');
    expect(maskText('id=11010519850721004x;')).toBe('id=110105********004X;');
    expect(maskText('110105199003070017')).toBe('110105********0017');
  });

  it('masks mobile numbers but not longer digit runs or timestamps', () => {
    expect(maskText('call 13812345678 now')).toBe('call 138****5678 now');
    expect(maskText('t=1733000000000')).toBe('t=1733000000000');
    expect(maskText('ref 2025112300001')).toBe('ref 2025112300001');
  });

  it('leaves ordinary text alone', () => {
    expect(maskText('IdCard.Read completed in 12 ms')).toBe('IdCard.Read completed in 12 ms');
  });
});

describe('scrub', () => {
  it('redacts sensitive keys at any depth and masks strings elsewhere', () => {
    const out = scrub({ a: { identity: { name: '王小明' } }, list: [{ phone: '13812345678' }], note: 'x 13812345678', Name: 'x' });
    expect(out).toEqual({ a: { identity: REDACTED }, list: [{ phone: REDACTED }], note: 'x 138****5678', Name: REDACTED });
  });
});

describe('createLogger', () => {
  it('never writes a name, ID number, address or phone in clear', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    log.info({ identity: { name: '王小明', idNumber: '110105199003070017', address: '北京市朝阳区建国路88号' } }, 'read card');
    log.info({ command: 'IdCard.Read', detail: 'number 110105199003070017' }, 'for %s', '110105199003070017');
    log.warn('phone 13812345678 in message');
    log.error(new Error('bad number 11010519850721004X'));
    log.child({ token: 'abc', phone: '13812345678' }).info('child');
    const raw = out.raw();
    for (const secret of ['王小明', '110105199003070017', '11010519850721004X', '北京市朝阳区', '13812345678', 'abc"']) {
      expect(raw).not.toContain(secret);
    }
    const lines = out.lines();
    expect(lines[0]?.identity).toBe(REDACTED);
    expect(lines[1]?.command).toBe('IdCard.Read');
    expect(lines[1]?.msg).toBe('for 110105********0017');
    expect(lines[2]?.msg).toBe('phone 138****5678 in message');
    expect(lines[3]?.msg).toBe('bad number 110105********004X');
    expect((lines[3]?.err as { message?: string } | undefined)?.message).toBe('bad number 110105********004X');
  });
});
