import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { decodeHidReport, DEFAULT_HID_FRAMING, encodeHidReports, hidTransport, type HidDeviceLike, type HidFraming, type HidModuleLike } from './hid.ts';
import type { CloseEvent } from './transport.ts';

/*
 * There is no /dev/hidraw on this machine: the transport is tested at the node-hid boundary,
 * with a fake HIDAsync device that records the reports written to it and emits input reports.
 */

/** GA/T 467 find-card (20 01), as a byte stream a HID reader would carry. */
const FIND_CARD = Buffer.from('aaaaaa96690003200122', 'hex');

class FakeHidDevice extends EventEmitter implements HidDeviceLike {
  readonly reports: Buffer[] = [];
  closed = false;
  closeCalls = 0;
  failWrites = false;

  write(values: number[] | Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new Error('device closed'));
    if (this.failWrites) return Promise.reject(Object.assign(new Error('could not write to HID device'), { code: 'EIO' }));
    const report = Buffer.from(values);
    this.reports.push(report);
    return Promise.resolve(report.length);
  }

  close(): Promise<void> {
    this.closeCalls += 1;
    this.closed = true;
    return Promise.resolve();
  }
}

function fakeModule(device: FakeHidDevice): HidModuleLike {
  return { HIDAsync: { open: () => Promise.resolve(device) } };
}

async function openFake(device: FakeHidDevice, framing: HidFraming = DEFAULT_HID_FRAMING) {
  const opened = await hidTransport({ vendorId: 1, productId: 2, framing, loadHid: () => Promise.resolve(fakeModule(device)) }).open();
  if (!opened.ok) throw new Error('expected open');
  return opened.transport;
}

describe('HID report framing', () => {
  it('puts a command in one report: id, length, bytes, zero padding', () => {
    const [report, ...rest] = encodeHidReports(FIND_CARD, DEFAULT_HID_FRAMING);
    expect(rest).toHaveLength(0);
    expect(report?.length).toBe(65);
    expect(report?.subarray(0, 12).toString('hex')).toBe('00' + '0a' + 'aaaaaa96690003200122');
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

describe('hidTransport (injected node-hid)', () => {
  it('reports libusb missing when node-hid fails to load its binding at open', async () => {
    const dlopen = Object.assign(new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory'), {
      code: 'ERR_DLOPEN_FAILED',
    });
    const module: HidModuleLike = { HIDAsync: { open: () => Promise.reject(dlopen) } };
    expect(await hidTransport({ vendorId: 1, productId: 2, loadHid: () => Promise.resolve(module) }).open()).toEqual({
      ok: false,
      problem: 'libraryUnavailable',
    });
  });

  it('says notFound when no device has that vendor and product id', async () => {
    const module: HidModuleLike = {
      HIDAsync: { open: () => Promise.reject(new Error('cannot open device with vendor id 0x1 and product id 0x2')) },
    };
    expect(await hidTransport({ vendorId: 1, productId: 2, loadHid: () => Promise.resolve(module) }).open()).toEqual({
      ok: false,
      problem: 'notFound',
    });
  });

  it('loads the real node-hid lazily (libusb-1.0-0 is installed here)', async () => {
    // No device 0xFFFF:0xFFFF exists: the library loads and the open fails as notFound.
    expect(await hidTransport({ vendorId: 0xffff, productId: 0xffff }).open()).toEqual({ ok: false, problem: 'notFound' });
  });

  it('writes the stream as output reports and hands input reports back as stream bytes', async () => {
    const device = new FakeHidDevice();
    const transport = await openFake(device, { reportId: 1, reportSizeBytes: 64 });
    expect(transport.kind).toBe('hid');
    expect(await transport.write(FIND_CARD)).toEqual({ ok: true });
    expect(device.reports.map((r) => r.subarray(0, 12).toString('hex'))).toEqual(['01' + '0a' + 'aaaaaa96690003200122']);
    const chunks: Uint8Array[] = [];
    transport.onData((chunk) => chunks.push(chunk));
    device.emit('data', Buffer.from([1, 3, 0xaa, 0xbb, 0xcc, 0, 0]));
    device.emit('data', Buffer.from([9, 1, 0xee])); // another report id: not ours
    expect(chunks.map((c) => Buffer.from(c).toString('hex'))).toEqual(['aabbcc']);
  });

  it('closes as lost with the fault when node-hid reports a read error (unplugged)', async () => {
    const device = new FakeHidDevice();
    const transport = await openFake(device);
    const events: CloseEvent[] = [];
    transport.onClose((e) => events.push(e));
    device.emit('error', Object.assign(new Error('could not read from HID device'), { code: 'EIO' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([{ reason: 'lost', fault: { code: 'disconnected', osCode: 'EIO' } }]);
    expect(device.closed).toBe(true);
    expect(transport.isOpen).toBe(false);
    // Writing after the loss is a value, not a throw.
    expect(await transport.write(Uint8Array.of(1))).toEqual({ ok: false, fault: { code: 'notOpen' } });
  });

  it('returns a failed write as a value and closes the link as lost', async () => {
    const device = new FakeHidDevice();
    const transport = await openFake(device);
    const events: CloseEvent[] = [];
    transport.onClose((e) => events.push(e));
    device.failWrites = true;
    expect(await transport.write(FIND_CARD)).toEqual({ ok: false, fault: { code: 'disconnected', osCode: 'EIO' } });
    expect(events).toEqual([{ reason: 'lost', fault: { code: 'disconnected', osCode: 'EIO' } }]);
  });

  it('closes once, however often close() is called', async () => {
    const device = new FakeHidDevice();
    const transport = await openFake(device);
    const events: CloseEvent[] = [];
    transport.onClose((e) => events.push(e));
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    expect(events).toEqual([{ reason: 'closed' }]);
    expect(device.closeCalls).toBe(1);
    // A late error from the closed device is not news and throws nowhere.
    device.emit('error', new Error('late'));
    expect(events).toHaveLength(1);
  });
});
