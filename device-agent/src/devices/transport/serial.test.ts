import { afterEach, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../testing/pty-pair.ts';
import { serialTransport, type SerialOptions } from './serial.ts';
import { expectClosesOnce, expectLostWith, recordCloses, until } from '../testing/transport-checks.ts';
import type { ByteTransport } from './transport.ts';

/* serialport on a real pty pair made by socat. Real timers; nothing asserts on durations. */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function pair(): Promise<PtyPair> {
  const pty = await openPtyPair();
  cleanups.push(() => pty.close());
  return pty;
}

async function open(options: SerialOptions): Promise<ByteTransport> {
  const opened = await serialTransport(options).open();
  if (!opened.ok) throw new Error(`cannot open ${options.path}: ${opened.problem}`);
  cleanups.push(() => opened.transport.close());
  return opened.transport;
}

describe('serialTransport (socat pty pair)', () => {
  it('says notFound, as a value, for a port that does not exist', async () => {
    const pty = await pair();
    expect(await serialTransport({ path: `${pty.a}-missing`, baudRate: 9600 }).open()).toEqual({ ok: false, problem: 'notFound' });
  });

  it('moves binary bytes both ways, with the line settings an RS-485 board may need (8E1)', async () => {
    const pty = await pair();
    const host = await open({ path: pty.a, baudRate: 9600, parity: 'even', dataBits: 8, stopBits: 1 });
    const device = await open({ path: pty.b, baudRate: 9600, parity: 'even' });
    expect(host.kind).toBe('serial');
    const atDevice: number[] = [];
    const atHost: number[] = [];
    device.onData((chunk) => atDevice.push(...chunk));
    host.onData((chunk) => atHost.push(...chunk));
    const bytes = Uint8Array.of(0x8a, 0x01, 0x00, 0x11, 0x9a, 0x00, 0xff, 0x0a, 0x0d);
    expect(await host.write(bytes)).toEqual({ ok: true });
    await until('bytes at the device end', () => atDevice.length === bytes.length);
    expect(atDevice).toEqual([...bytes]);
    expect(await device.write(Uint8Array.of(0x80, 0x00, 0xff))).toEqual({ ok: true });
    await until('the reply', () => atHost.length === 3);
    expect(atHost).toEqual([0x80, 0x00, 0xff]);
  });

  it('delivers the line going away after open (unplugged) as a lost link, not silence', async () => {
    const pty = await pair();
    const host = await open({ path: pty.a, baudRate: 115_200 });
    const events = recordCloses(host);
    await pty.unplug();
    // A pty that hung up is noticed when written to, or by the read that is always pending: the
    // write gets the fault as a value (EIO from its own write, or, when the read noticed first and
    // the port is closing, the fault of that close, which serialport gives without an OS code), or
    // notOpen when the link has already ended. A loaded machine can go any of these ways (CI saw
    // all three). Never success, never a hang…
    const written = await host.write(Uint8Array.of(1));
    expect([
      { ok: false, fault: { code: 'disconnected', osCode: 'EIO' } },
      { ok: false, fault: { code: 'disconnected' } },
      { ok: false, fault: { code: 'notOpen' } },
    ]).toContainEqual(written);
    // …and with the close event that ends the link: EIO when the write found the loss; when the
    // pending read found it first, serialport closes with its own "disconnected" error, which
    // carries no OS code (CI saw that too).
    await expectLostWith(host, events, [{ code: 'disconnected', osCode: 'EIO' }, { code: 'disconnected' }]);
  });

  it('closes once, however often close() is called', async () => {
    const pty = await pair();
    const host = await open({ path: pty.a, baudRate: 115_200 });
    await expectClosesOnce(host);
  });
});
