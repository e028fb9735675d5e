import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { ReceiptDocument } from '@onevisit/protocol';
import { EscPosReceiptPrinter } from './driver.ts';
import { encodeReceipt, toHex } from './escpos.ts';
import { FakeEscPosPrinter } from './fake-printer.ts';
import { openPtyPair } from '../testing/pty-pair.ts';
import { serialTransport } from '../transport/serial.ts';
import { findUsbLpNode, usbTransport } from '../transport/usb.ts';

const RECEIPT: ReceiptDocument = {
  title: '预约凭条',
  blocks: [
    { kind: 'row', label: '预约码', value: 'BK7Q2M' },
    { kind: 'qr', data: 'BK7Q2M' },
  ],
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Plays the printer on the far end of a pty: feeds a FakeEscPosPrinter and answers its status. */
async function printerOnPty(devicePath: string): Promise<FakeEscPosPrinter> {
  const printer = new FakeEscPosPrinter();
  const port = new SerialPort({ path: devicePath, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on('data', (chunk: Buffer) => {
    const reply = printer.receive(new Uint8Array(chunk));
    if (reply.length > 0) port.write(Buffer.from(reply));
  });
  cleanups.push(() => new Promise<void>((r) => port.close(() => r())));
  return printer;
}

describe('serial transport (socat pty pair)', () => {
  it('prints a receipt and reads DLE EOT replies through a real serial port', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const printer = await printerOnPty(pty.b);
    const driver = new EscPosReceiptPrinter(serialTransport({ path: pty.a, baudRate: 9600 }), {
      clock: new ManualClock(0),
      pollIntervalMs: 0,
    });
    cleanups.push(() => driver.dispose());
    await driver.start();
    expect(driver.status()).toMatchObject({ state: 'online', driver: 'serial' });
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'printed' });
    expect(toHex(printer.jobs()[0]?.bytes ?? new Uint8Array())).toBe(toHex(encodeReceipt(RECEIPT)));
    printer.setCondition('paperOut');
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'paperOut', partial: false });
  });

  it('reports offline for a port that does not exist', async () => {
    const driver = new EscPosReceiptPrinter(serialTransport({ path: '/dev/onevisit-no-such-port', baudRate: 9600 }), { clock: new ManualClock(0), pollIntervalMs: 0 });
    cleanups.push(() => driver.dispose());
    await driver.start();
    expect(driver.status()).toMatchObject({ state: 'offline', reason: 'disconnected', driver: 'serial' });
  });
});

describe('USB transport (usblp character device)', () => {
  function fakeSysfs(devices: { lp: string; vendor: string; product: string }[]): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'onevisit-sysfs-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    for (const [i, d] of devices.entries()) {
      const usb = path.join(root, 'sys/bus/usb/devices', `1-${i + 1}`);
      const iface = path.join(usb, `1-${i + 1}:1.0`);
      mkdirSync(iface, { recursive: true });
      writeFileSync(path.join(usb, 'idVendor'), `${d.vendor}\n`);
      writeFileSync(path.join(usb, 'idProduct'), `${d.product}\n`);
      const cls = path.join(root, 'sys/class/usbmisc', d.lp);
      mkdirSync(cls, { recursive: true });
      symlinkSync(iface, path.join(cls, 'device'));
    }
    return root;
  }

  it('finds the lp node of the configured VID:PID in sysfs', async () => {
    const root = fakeSysfs([
      { lp: 'lp0', vendor: '04b8', product: '0202' },
      { lp: 'lp1', vendor: '0fe6', product: '811e' },
    ]);
    expect(await findUsbLpNode({ vendorId: 0x0fe6, productId: 0x811e, sysRoot: root })).toBe('/dev/usb/lp1');
    expect(await findUsbLpNode({ vendorId: 0x1234, productId: 0x5678, sysRoot: root })).toBeUndefined();
    expect(await findUsbLpNode({ vendorId: 0x0fe6, productId: 0x811e, sysRoot: '/nonexistent' })).toBeUndefined();
  });

  it('prints through the device node and polls status replies (node played by a pty)', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const printer = await printerOnPty(pty.b);
    const root = fakeSysfs([{ lp: 'lp0', vendor: '0fe6', product: '811e' }]);
    const devDir = path.join(root, 'dev-usb');
    mkdirSync(devDir);
    symlinkSync(pty.a, path.join(devDir, 'lp0'));
    const driver = new EscPosReceiptPrinter(usbTransport({ vendorId: 0x0fe6, productId: 0x811e, sysRoot: root, devDir, pollIntervalMs: 5 }), {
      clock: new ManualClock(0),
      pollIntervalMs: 0,
    });
    cleanups.push(() => driver.dispose());
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'printed' });
    expect(driver.status()).toMatchObject({ state: 'online', driver: 'usb' });
    expect(toHex(printer.jobs()[0]?.bytes ?? new Uint8Array())).toBe(toHex(encodeReceipt(RECEIPT)));
  });

  it('reports offline when no such USB printer is attached', async () => {
    const root = fakeSysfs([]);
    const driver = new EscPosReceiptPrinter(usbTransport({ vendorId: 1, productId: 2, sysRoot: root }), { clock: new ManualClock(0), pollIntervalMs: 0 });
    cleanups.push(() => driver.dispose());
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'offline', partial: false });
  });
});
