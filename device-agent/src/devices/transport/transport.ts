import type { Unsubscribe } from '../device.ts';
import { Listeners } from '../listeners.ts';

/**
 * The byte-transport seam (DESIGN.md "four layers per device"): moves bytes, knows no device.
 * Modelled on serialport's bindings-interface: small and promise-based, opened by the caller
 * through an injected opener. The rules every transport keeps (README.md in this folder):
 *
 * - opening fails as a value (`OpenResult`), never a throw;
 * - `write` resolves with a value: ok, or the fault that stopped it;
 * - an error after open is never dropped: the link closes as `lost` and the close event
 *   carries the fault; the driver decides what it means and logs it (without bytes);
 * - `close` is idempotent and never rejects; `onClose` fires exactly once per link.
 */
export interface ByteTransport {
  readonly kind: TransportKind;
  /** False once the link has closed (by us or lost); a closed link is never reopened. */
  readonly isOpen: boolean;
  /** Resolves once the OS has taken the bytes (not when the device has acted on them). */
  write(bytes: Uint8Array): Promise<WriteResult>;
  /** Bytes as they arrive, in whatever chunks the OS hands over. */
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** Fires once when the link ends: `closed` by us, or `lost` with the fault that ended it. */
  onClose(listener: (event: CloseEvent) => void): Unsubscribe;
  close(): Promise<void>;
}

/** Becomes DeviceStatus.driver unless the driver names itself. */
export type TransportKind = 'serial' | 'tcp' | 'usb' | 'hid' | 'memory';

/** How a driver gets a link: it calls `open()` again whenever it has none (reconnect). */
export interface TransportOpener {
  readonly kind: TransportKind;
  open(): Promise<OpenResult>;
}

/**
 * Why a transport could not be opened. Expected, so a value (STYLE.md):
 * - notFound: no such port, device node or USB/HID device (unplugged);
 * - unreachable: nothing answers at that network address (refused, no route);
 * - timeout: the connection was not made in time;
 * - permission: the agent's user may not open it (udev rule, dialout/lp group);
 * - busy: another process holds it;
 * - libraryUnavailable: the native library could not be loaded (node-hid without libusb);
 * - failed: anything else.
 */
export type OpenProblem = 'notFound' | 'unreachable' | 'timeout' | 'permission' | 'busy' | 'libraryUnavailable' | 'failed';

export type OpenResult = { ok: true; transport: ByteTransport } | { ok: false; problem: OpenProblem };

/**
 * What went wrong on an open link:
 * - notOpen: written after the link closed;
 * - disconnected: the device or peer went away (unplugged, reset, connection dropped);
 * - ioError: any other I/O error.
 * `osCode` is the OS error code (EIO, ECONNRESET) and never a message, so that a fault can be
 * logged as it is: messages may quote paths or data.
 */
export type FaultCode = 'notOpen' | 'disconnected' | 'ioError';
export type TransportFault = { code: FaultCode; osCode?: string };

export type WriteResult = { ok: true } | { ok: false; fault: TransportFault };

export type CloseEvent = { reason: 'closed' } | { reason: 'lost'; fault: TransportFault };

export const NOT_OPEN: WriteResult = { ok: false, fault: { code: 'notOpen' } };

function osCodeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Maps an OS error from opening a device or connecting to an OpenProblem. */
export function openProblemOf(error: unknown): OpenProblem {
  const code = osCodeOf(error);
  const message = error instanceof Error ? error.message : '';
  if (code === 'ENOENT' || code === 'ENODEV' || /ENOENT|No such file|cannot open device/i.test(message)) return 'notFound';
  if (code === 'EACCES' || code === 'EPERM' || /EACCES|Permission denied/i.test(message)) return 'permission';
  if (code === 'EBUSY' || /EBUSY|Resource busy|Cannot lock port/i.test(message)) return 'busy';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND') return 'unreachable';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'failed';
}

const DISCONNECTED_CODES = new Set(['ENODEV', 'ENXIO', 'EIO', 'EPIPE', 'ECONNRESET', 'ECONNABORTED', 'ESHUTDOWN', 'ETIMEDOUT']);

/** Maps an error on an open link to a TransportFault (message left out on purpose). */
export function faultOf(error: unknown): TransportFault {
  const osCode = osCodeOf(error);
  // serialport marks the error of a vanished device (USB-serial unplugged) with `disconnected`.
  const disconnected = typeof error === 'object' && error !== null && (error as { disconnected?: unknown }).disconnected === true;
  const code: FaultCode = disconnected || (osCode !== undefined && DISCONNECTED_CODES.has(osCode)) ? 'disconnected' : 'ioError';
  return osCode === undefined ? { code } : { code, osCode };
}

/**
 * The half that every transport shares: data until the link ends, then one close event, after
 * which nothing more is emitted and the listeners are let go.
 */
export abstract class LinkBase implements ByteTransport {
  abstract readonly kind: TransportKind;
  readonly #data = new Listeners<Uint8Array>();
  readonly #close = new Listeners<CloseEvent>();
  #ended = false;

  abstract write(bytes: Uint8Array): Promise<WriteResult>;
  abstract close(): Promise<void>;

  get isOpen(): boolean {
    return !this.#ended;
  }

  protected get ended(): boolean {
    return this.#ended;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.#data.add(listener);
  }

  onClose(listener: (event: CloseEvent) => void): Unsubscribe {
    return this.#close.add(listener);
  }

  /** Hands bytes that came off the wire to the listeners (none after the end). */
  protected deliver(chunk: Uint8Array): void {
    if (!this.#ended) this.#data.emit(chunk);
  }

  /** Ends the link once; later calls do nothing (a late error after close is not news). */
  protected end(event: CloseEvent): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#close.emit(event);
    this.#data.clear();
    this.#close.clear();
  }
}
