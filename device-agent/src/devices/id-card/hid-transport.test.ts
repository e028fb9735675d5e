import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../protocol/index.ts';
import { ReaderEmulator } from './emulator.ts';
import { encodeCommand } from './gat467.ts';
import { Gat467Reader } from './gat467-reader.ts';
import {
  decodeHidReport,
  DEFAULT_HID_FRAMING,
  encodeHidReports,
  type HidDeviceLike,
  type HidFraming,
  type HidModuleLike,
  openHidTransport,
} from './hid-transport.ts';
import { findSampleIdentity } from './sample-identities.ts';
import { createMemoryTransportPair } from './transport.ts';

/*
 * There is no /dev/hidraw on this machine: the transport is tested at the node-hid boundary,
 * with a fake HIDAsync device that speaks the report framing and hands the byte stream to the
 * reader emulator.
 */

function sample(key: string): Identity {
  const s = findSampleIdentity(key);
  if (s === undefined) throw new Error(`no sample ${key}`);
  return structuredClone(s.identity);
}

class FakeHidDevice extends EventEmitter implements HidDeviceLike {
  readonly reports: Buffer[] = [];
  closed = false;
  readonly emulator: ReaderEmulator;

  constructor(readonly framing: HidFraming) {
    super();
    const { host, device } = createMemoryTransportPair();
    this.emulator = new ReaderEmulator(device, { haltAfterRead: true });
    // What the emulator sends comes back as input reports (without the id when reports are unnumbered).
    host.onData((bytes) => {
      for (const report of encodeHidReports(bytes, framing)) {
        this.emit('data', framing.reportId === 0 ? report.subarray(1) : report);
      }
    });
    this.host = host;
  }

  readonly host;

  write(values: number[] | Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new Error('device closed'));
    const report = Buffer.from(values);
    this.reports.push(report);
    // hidapi sends the report id only for numbered reports; the device sees [len, chunk...].
    const chunk = decodeHidReport(this.framing.reportId === 0 ? report.subarray(1) : report, this.framing);
    if (chunk !== undefined) void this.host.write(chunk);
    return Promise.resolve(report.length);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function fakeModule(device: FakeHidDevice, opened: { vid?: number; pid?: number } = {}): HidModuleLike {
  return {
    HIDAsync: {
      open(vendorId: number, productId: number) {
        opened.vid = vendorId;
        opened.pid = productId;
        return Promise.resolve(device);
      },
    },
  };
}

describe('HID report framing', () => {
  it('puts a command in one report: id, length, bytes, zero padding', () => {
    const [report, ...rest] = encodeHidReports(encodeCommand('findCard'), DEFAULT_HID_FRAMING);
    expect(rest).toHaveLength(0);
    expect(report?.length).toBe(65);
    expect(report?.subarray(0, 12).toString('hex')).toBe('00' + '0a' + 'aaaaaa96690003200122' );
    expect(report?.subarray(12).every((b) => b === 0)).toBe(true);
  });

  it('cuts a long stream into 63-byte chunks and reads them back', () => {
    const stream = new Uint8Array(1295).map((_, i) => i & 0xff);
    const framing: HidFraming = { reportId: 2, reportSizeBytes: 64 };
    const reports = encodeHidReports(stream, framing);
    expect(reports).toHaveLength(Math.ceil(1295 / 63));
    const back = Buffer.concat(reports.map((r) => decodeHidReport(r, framing) ?? new Uint8Array(0)));
    expect(new Uint8Array(back)).toEqual(stream);
  });

  it('ignores reports with another id or an impossible length', () => {
    const framing: HidFraming = { reportId: 2, reportSizeBytes: 64 };
    expect(decodeHidReport(Uint8Array.of(3, 1, 0xaa), framing)).toBeUndefined();
    expect(decodeHidReport(Uint8Array.of(2, 9, 0xaa), framing)).toBeUndefined();
    expect(decodeHidReport(Uint8Array.of(5, 0xaa, 0xbb), DEFAULT_HID_FRAMING)).toBeUndefined();
  });
});

describe('openHidTransport (injected node-hid)', () => {
  const readers: Gat467Reader[] = [];
  afterEach(async () => {
    for (const r of readers) await r.stop();
    readers.length = 0;
  });

  it.each([DEFAULT_HID_FRAMING, { reportId: 1, reportSizeBytes: 64 }])('reads a card through HID reports (%o)', async (framing) => {
    const device = new FakeHidDevice(framing);
    const opened: { vid?: number; pid?: number } = {};
    const reader = new Gat467Reader({
      driver: 'hid',
      open: () => openHidTransport({ vendorId: 0x0400, productId: 0xc35a, framing, loadHid: () => Promise.resolve(fakeModule(device, opened)) }),
      pollIntervalMs: 20,
    });
    readers.push(reader);
    await reader.start();
    expect(opened).toEqual({ vid: 0x0400, pid: 0xc35a });
    expect(reader.status()).toMatchObject({ state: 'online', driver: 'hid' });
    device.emulator.placeCard(sample('longTerm'));
    const result = await reader.readCard({ signal: AbortSignal.timeout(5_000) });
    expect(result).toEqual({ kind: 'read', identity: sample('longTerm') });
    expect(device.reports.every((r) => r.length === 65 && r[0] === framing.reportId)).toBe(true);
  });

  it('reports a missing native library (no libusb) as a value, and the reader as not configured', async () => {
    const dlopen = Object.assign(new Error('libusb-1.0.so.0: cannot open shared object file'), { code: 'ERR_DLOPEN_FAILED' });
    const loadHid = (): Promise<HidModuleLike> => Promise.reject(dlopen);
    expect(await openHidTransport({ vendorId: 1, productId: 2, loadHid })).toEqual({ ok: false, problem: 'libraryUnavailable' });
    const reader = new Gat467Reader({ driver: 'hid', open: () => openHidTransport({ vendorId: 1, productId: 2, loadHid }) });
    readers.push(reader);
    await reader.start();
    expect(reader.status()).toMatchObject({ state: 'offline', reason: 'notConfigured', attention: 'maintenance' });
  });

  it('reports libusb missing when node-hid fails to load its binding at open', async () => {
    const dlopen = Object.assign(new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory'), {
      code: 'ERR_DLOPEN_FAILED',
    });
    const module: HidModuleLike = { HIDAsync: { open: () => Promise.reject(dlopen) } };
    expect(await openHidTransport({ vendorId: 1, productId: 2, loadHid: () => Promise.resolve(module) })).toEqual({
      ok: false,
      problem: 'libraryUnavailable',
    });
  });

  it('says notFound when no device has that vendor and product id', async () => {
    const module: HidModuleLike = {
      HIDAsync: { open: () => Promise.reject(new Error('cannot open device with vendor id 0x1 and product id 0x2')) },
    };
    expect(await openHidTransport({ vendorId: 1, productId: 2, loadHid: () => Promise.resolve(module) })).toEqual({
      ok: false,
      problem: 'notFound',
    });
  });

  it('loads the real node-hid lazily (libusb-1.0-0 is installed here)', async () => {
    // No device 0xFFFF:0xFFFF exists: the library loads and the open fails as notFound.
    expect(await openHidTransport({ vendorId: 0xffff, productId: 0xffff })).toEqual({ ok: false, problem: 'notFound' });
  });

  it('closes as lost when node-hid reports a read error (unplugged)', async () => {
    const device = new FakeHidDevice(DEFAULT_HID_FRAMING);
    const opened = await openHidTransport({ vendorId: 1, productId: 2, loadHid: () => Promise.resolve(fakeModule(device)) });
    if (!opened.ok) throw new Error('expected open');
    const reasons: string[] = [];
    opened.transport.onClose((r) => reasons.push(r));
    device.emit('error', new Error('could not read from HID device'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reasons).toEqual(['lost']);
    expect(device.closed).toBe(true);
    await expect(opened.transport.write(Uint8Array.of(1))).rejects.toThrow();
  });
});
