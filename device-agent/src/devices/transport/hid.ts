import { faultOf, LinkBase, NOT_OPEN, openProblemOf, type CloseEvent, type OpenResult, type TransportOpener, type WriteResult } from './transport.ts';

/**
 * HID devices that carry a byte stream inside HID reports (ID card readers that speak the same
 * GA/T 467 frames over HID as over serial).
 *
 * Report framing (the assumption this transport makes; it is what the HID readers we target do,
 * and what node-hid / hidapi expect on Linux hidraw):
 *
 *   output report: [reportId] [n] [n bytes of the byte stream] [zero padding to reportSizeBytes]
 *   input report:  [reportId]? [n] [n bytes of the byte stream] [padding, ignored]
 *
 * - The byte stream is cut into chunks of at most reportSizeBytes − 1 bytes; a frame may span
 *   several reports and a report may end one frame and start the next: the frame splitter above
 *   this transport reassembles them exactly as for a serial port.
 * - hidapi always takes the report id as the first byte written (0 for devices without numbered
 *   reports, and then it is not sent on the wire). On input it includes the report id only for
 *   numbered reports, so with reportId 0 an input report starts with the length byte.
 */
export interface HidFraming {
  /** 0 when the device does not number its reports. */
  reportId: number;
  /** Bytes per report after the report id (the interrupt endpoint's size, usually 64). */
  reportSizeBytes: number;
}

export const DEFAULT_HID_FRAMING: HidFraming = { reportId: 0, reportSizeBytes: 64 };

/** The part of node-hid's HIDAsync this transport uses; tests inject a fake. */
export interface HidDeviceLike {
  write(values: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

export interface HidModuleLike {
  HIDAsync: { open(vendorId: number, productId: number): Promise<HidDeviceLike> };
}

export interface HidOptions {
  vendorId: number;
  productId: number;
  framing?: HidFraming;
  /** How to load node-hid; default a lazy `import('node-hid')`. Tests pass a fake module. */
  loadHid?: () => Promise<HidModuleLike>;
}

const loadNodeHid = async (): Promise<HidModuleLike> => {
  const mod: HidModuleLike = await import('node-hid');
  return mod;
};

function isDlopenFailure(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : '';
  return code === 'ERR_DLOPEN_FAILED' || /cannot open shared object|libusb/i.test(message);
}

/** Splits a byte stream into output reports. Pure. */
export function encodeHidReports(bytes: Uint8Array, framing: HidFraming): Buffer[] {
  const maxChunk = framing.reportSizeBytes - 1;
  if (maxChunk < 1 || maxChunk > 0xff) throw new RangeError('reportSizeBytes must be 2..256');
  const reports: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += maxChunk) {
    const chunk = bytes.subarray(at, Math.min(bytes.length, at + maxChunk));
    const report = Buffer.alloc(1 + framing.reportSizeBytes);
    report[0] = framing.reportId;
    report[1] = chunk.length;
    report.set(chunk, 2);
    reports.push(report);
  }
  return reports;
}

/** The stream bytes carried by one input report; undefined for a report that is not ours. Pure. */
export function decodeHidReport(report: Uint8Array, framing: HidFraming): Uint8Array | undefined {
  let at = 0;
  if (framing.reportId !== 0) {
    if (report[0] !== framing.reportId) return undefined;
    at = 1;
  }
  const length = report[at];
  if (length === undefined || length > report.length - at - 1) return undefined;
  return report.slice(at + 1, at + 1 + length);
}

/**
 * The first HID device with this vendor and product id. node-hid is loaded when it is opened,
 * lazily: without Debian's libusb-1.0-0 (or on a machine without hidraw) loading fails, and
 * that is a `libraryUnavailable` value, not a crash of the agent.
 */
export function hidTransport(options: HidOptions): TransportOpener {
  return { kind: 'hid', open: () => openHid(options) };
}

async function openHid(options: HidOptions): Promise<OpenResult> {
  const framing = options.framing ?? DEFAULT_HID_FRAMING;
  let hid: HidModuleLike;
  try {
    hid = await (options.loadHid ?? loadNodeHid)();
  } catch {
    return { ok: false, problem: 'libraryUnavailable' };
  }
  let device: HidDeviceLike;
  try {
    device = await hid.HIDAsync.open(options.vendorId, options.productId);
  } catch (error) {
    // node-hid loads its native binding on first use, so a missing libusb shows up here.
    if (isDlopenFailure(error)) return { ok: false, problem: 'libraryUnavailable' };
    const problem = openProblemOf(error);
    // hidapi says "cannot open device with vendor id ..." when it is simply not there.
    return { ok: false, problem: problem === 'failed' ? 'notFound' : problem };
  }
  return { ok: true, transport: new HidLink(device, framing) };
}

class HidLink extends LinkBase {
  readonly kind = 'hid';
  readonly #device: HidDeviceLike;
  readonly #framing: HidFraming;
  /** Set by the first close or loss; later calls share it. */
  #closing: Promise<void> | undefined;

  constructor(device: HidDeviceLike, framing: HidFraming) {
    super();
    this.#device = device;
    this.#framing = framing;
    device.on('data', (report: Buffer) => {
      const bytes = decodeHidReport(report, this.#framing);
      if (bytes !== undefined && bytes.length > 0) this.deliver(bytes);
    });
    // node-hid reports an unplugged device as a read error and stops reading.
    device.on('error', (error: unknown) => {
      void this.#shutDown({ reason: 'lost', fault: faultOf(error) });
    });
  }

  override get isOpen(): boolean {
    return !this.ended && this.#closing === undefined;
  }

  async write(bytes: Uint8Array): Promise<WriteResult> {
    if (!this.isOpen) return NOT_OPEN;
    try {
      for (const report of encodeHidReports(bytes, this.#framing)) await this.#device.write(report);
      return { ok: true };
    } catch (error) {
      // hidapi fails a write only when the device is gone or broken: the link is over.
      const fault = faultOf(error);
      await this.#shutDown({ reason: 'lost', fault });
      return { ok: false, fault };
    }
  }

  close(): Promise<void> {
    return this.#shutDown({ reason: 'closed' });
  }

  #shutDown(event: CloseEvent): Promise<void> {
    this.#closing ??= this.#release(event);
    return this.#closing;
  }

  async #release(event: CloseEvent): Promise<void> {
    // Listeners stay until close() (node-hid removes them itself; removing `data` listeners
    // first would make it pause a reader that close() is about to free).
    this.#device.on('error', () => undefined);
    try {
      await this.#device.close();
    } catch {
      // Closing a device that is already gone fails; it is closed either way.
    }
    this.end(event);
  }
}
