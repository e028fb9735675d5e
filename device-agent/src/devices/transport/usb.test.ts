import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPtyPair } from '../testing/pty-pair.ts';
import { serialTransport } from './serial.ts';
import { expectClosesOnce, expectLostWith, recordCloses, until } from '../testing/transport-checks.ts';
import { usbTransport } from './usb.ts';

/*
 * There is no USB bus here: sysfs is a temporary folder, and the usblp character device node
 * `lp0` is a symlink to one end of a socat pty pair (both are character devices that read and
 * write bytes non-blocking), the "printer" on the other end.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function fakeSysfs(vendor: string, product: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'onevisit-sysfs-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const usb = path.join(root, 'sys/bus/usb/devices/1-1');
  const iface = path.join(usb, '1-1:1.0');
  mkdirSync(iface, { recursive: true });
  writeFileSync(path.join(usb, 'idVendor'), `${vendor}\n`);
  writeFileSync(path.join(usb, 'idProduct'), `${product}\n`);
  const cls = path.join(root, 'sys/class/usbmisc/lp0');
  mkdirSync(cls, { recursive: true });
  symlinkSync(iface, path.join(cls, 'device'));
  return root;
}

async function rig() {
  const pty = await openPtyPair();
  cleanups.push(() => pty.close());
  const root = fakeSysfs('0fe6', '811e');
  const devDir = path.join(root, 'dev-usb');
  mkdirSync(devDir);
  symlinkSync(pty.a, path.join(devDir, 'lp0'));
  const printerSide = await serialTransport({ path: pty.b, baudRate: 9600 }).open();
  if (!printerSide.ok) throw new Error('cannot open the printer end');
  cleanups.push(() => printerSide.transport.close());
  const opened = await usbTransport({ vendorId: 0x0fe6, productId: 0x811e, sysRoot: root, devDir, pollIntervalMs: 5 }).open();
  if (!opened.ok) throw new Error(`expected open: ${opened.problem}`);
  cleanups.push(() => opened.transport.close());
  return { pty, printer: printerSide.transport, usb: opened.transport };
}

describe('usbTransport (usblp character device)', () => {
  it('says notFound, as a value, when no USB printer with that VID:PID is attached', async () => {
    const root = fakeSysfs('04b8', '0202');
    expect(await usbTransport({ vendorId: 0x0fe6, productId: 0x811e, sysRoot: root }).open()).toEqual({ ok: false, problem: 'notFound' });
  });

  it('writes to the node and polls the replies', async () => {
    const { printer, usb } = await rig();
    expect(usb.kind).toBe('usb');
    const atPrinter: number[] = [];
    printer.onData((chunk) => atPrinter.push(...chunk));
    const atHost: number[] = [];
    usb.onData((chunk) => atHost.push(...chunk));
    expect(await usb.write(Uint8Array.of(0x10, 0x04, 0x01))).toEqual({ ok: true });
    await until('bytes at the printer', () => atPrinter.length === 3);
    expect(await printer.write(Uint8Array.of(0x12))).toEqual({ ok: true });
    await until('the reply', () => atHost.length === 1);
    expect(atHost).toEqual([0x12]);
  });

  it('delivers an error after open (device gone) as a value and as a lost link with its fault', async () => {
    const { pty, usb } = await rig();
    const events = recordCloses(usb);
    await pty.unplug();
    expect(await usb.write(Uint8Array.of(0x10, 0x04, 0x01))).toEqual({ ok: false, fault: { code: 'disconnected', osCode: 'EIO' } });
    await expectLostWith(usb, events, { code: 'disconnected', osCode: 'EIO' });
  });

  it('closes once, however often close() is called', async () => {
    const { usb } = await rig();
    await expectClosesOnce(usb);
  });
});
