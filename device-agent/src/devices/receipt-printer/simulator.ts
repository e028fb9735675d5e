import type { Clock } from '../../clock.ts';
import type { DevDeviceState, DeviceStatus } from '@onevisit/protocol';
import type { ReceiptDocument } from '@onevisit/protocol';
import type { Unsubscribe } from '../device.ts';
import type { SimulatedDevice } from '../simulated.ts';
import { EscPosReceiptPrinter, type ReceiptJobResult, type ReceiptPrinter } from './driver.ts';
import { FakeEscPosPrinter } from './fake-printer.ts';
import { MemoryLine } from '../transport/memory.ts';
import { PROFILE_80MM, type EscPosProfile } from './escpos.ts';
import { previewText, type ReceiptPreview } from './preview.ts';

export type SimulatedReceipt = {
  /** The ESC/POS bytes the real printer would have received. */
  bytes: Uint8Array;
  preview: ReceiptPreview;
  /** The paper as text (GB18030 decoded back), for the dev dock and tests. */
  text: string;
};

/**
 * The simulated receipt printer: the real ESC/POS driver talking to a printer model in memory,
 * so the dev kiosk and the tests run the same encoder, status queries and job logic as the
 * hardware. It can be told paper low/out, cover open, jam, offline (Dev.SetDeviceState).
 */
export class SimulatedReceiptPrinter implements ReceiptPrinter, SimulatedDevice {
  readonly id = 'receiptPrinter' as const;
  readonly printer = new FakeEscPosPrinter();
  /** The printer model on the device end of an in-memory cable; replies go back like on a wire. */
  readonly #line = new MemoryLine((device) => {
    device.onData((chunk) => {
      const reply = this.printer.receive(chunk);
      if (reply.length > 0) device.emitData(reply);
    });
  });
  readonly #driver: EscPosReceiptPrinter;
  readonly #profile: EscPosProfile;

  constructor(options: { clock: Clock; profile?: EscPosProfile }) {
    this.#profile = options.profile ?? PROFILE_80MM;
    this.#driver = new EscPosReceiptPrinter(this.#line, {
      clock: options.clock,
      profile: this.#profile,
      statusTimeoutMs: 200,
      pollIntervalMs: 0,
      driverName: 'sim',
    });
  }

  status(): DeviceStatus {
    return this.#driver.status();
  }
  onStatus(listener: (status: DeviceStatus) => void): Unsubscribe {
    return this.#driver.onStatus(listener);
  }
  start(): Promise<void> {
    return this.#driver.start();
  }
  stop(): Promise<void> {
    return this.#driver.stop();
  }
  print(receipt: ReceiptDocument, options?: { signal?: AbortSignal }): Promise<ReceiptJobResult> {
    return this.#driver.print(receipt, options);
  }
  refreshStatus(): Promise<DeviceStatus> {
    return this.#driver.refreshStatus();
  }

  /** Puts the simulated printer into a state (Dev.SetDeviceState) and pushes the new status. */
  async setState(state: DevDeviceState): Promise<DeviceStatus> {
    if (state === 'offline') this.#line.unplug();
    else this.#line.plug();
    this.printer.setPaperLow(state === 'paperLow');
    switch (state) {
      case 'online':
      case 'offline':
        this.printer.setCondition('online');
        break;
      case 'paperLow':
        this.printer.setCondition('paperLow');
        break;
      case 'paperOut':
        this.printer.setCondition('paperOut');
        break;
      case 'coverOpen':
        this.printer.setCondition('coverOpen');
        break;
      case 'paperJam':
        this.printer.setCondition('paperJam');
        break;
      case 'fault':
        this.printer.setCondition('cutterError');
        break;
      default: {
        const unreachable: never = state;
        return unreachable;
      }
    }
    return this.#driver.refreshStatus();
  }

  /** SimulatedDevice (Dev.SetDeviceState): every DevDeviceState applies to a receipt printer. */
  setSimulatedState(state: DevDeviceState): boolean {
    // The status is pushed (onStatus) when the driver has asked the simulated printer.
    this.setState(state).catch(() => undefined);
    return true;
  }

  /** The paper runs out after this many more bytes (a failure in the middle of a receipt). */
  runOutOfPaperAfter(bytes: number): void {
    this.printer.runOutOfPaperAfter(bytes);
  }

  /** Receipts that came out whole, oldest first. */
  printed(): SimulatedReceipt[] {
    return this.printer
      .jobs()
      .filter((j) => j.printed)
      .map((j, i) => {
        const preview = this.printer.printedPreviews()[i] ?? { lines: [] };
        return { bytes: j.bytes, preview, text: previewText(preview, this.#profile.columns) };
      });
  }

  /** The last receipt that came out whole, as text. */
  lastText(): string | undefined {
    return this.printed().at(-1)?.text;
  }
}
