import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '@onevisit/protocol';
import { ReaderEmulator } from './emulator.ts';
import { Gat467Reader } from './gat467-reader.ts';
import {
  decodeHidReport,
  DEFAULT_HID_FRAMING,
  encodeHidReports,
  hidTransport,
  type HidDeviceLike,
  type HidFraming,
  type HidModuleLike,
} from '../transport/hid.ts';
import { findSampleIdentity } from './sample-identities.ts';
import { createMemoryTransportPair } from '../transport/memory.ts';

/*
 * There is no /dev/hidraw on this machine: the reader is tested at the node-hid boundary,
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

describe('Gat467Reader over HID (injected node-hid)', () => {
  const readers: Gat467Reader[] = [];
  afterEach(async () => {
    for (const r of readers) await r.stop();
    readers.length = 0;
  });

  it.each([DEFAULT_HID_FRAMING, { reportId: 1, reportSizeBytes: 64 }])('reads a card through HID reports (%o)', async (framing) => {
    const device = new FakeHidDevice(framing);
    const opened: { vid?: number; pid?: number } = {};
    const reader = new Gat467Reader({
      transport: hidTransport({ vendorId: 0x0400, productId: 0xc35a, framing, loadHid: () => Promise.resolve(fakeModule(device, opened)) }),
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
    expect(await hidTransport({ vendorId: 1, productId: 2, loadHid }).open()).toEqual({ ok: false, problem: 'libraryUnavailable' });
    const reader = new Gat467Reader({ transport: hidTransport({ vendorId: 1, productId: 2, loadHid }) });
    readers.push(reader);
    await reader.start();
    expect(reader.status()).toMatchObject({ state: 'offline', reason: 'notConfigured', attention: 'maintenance' });
  });
});
