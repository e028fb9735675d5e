import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { IdCardReader } from './devices/id-card/driver.ts';
import type { A4Printer } from './devices/printer/driver.ts';
import type { ReceiptPrinter } from './devices/receipt-printer/driver.ts';
import type { Device } from './devices/device.ts';
import type { DeviceId } from './protocol/index.ts';
import type { Config } from './config.ts';
import type { Simulators } from './devices/registry.ts';
import type { SubmissionService } from './outbox/service.ts';
import type { BookingService } from './services/booking/booking-service.ts';
import type { ApplicationService } from './services/application/application-service.ts';
import type { ScanningServices } from './services/document-check/scanning.ts';

/**
 * Everything a handler may use, built once at boot by `createAgent` (app.ts).
 * Later issues add their services here (forms, outbox, booking, printers, …).
 */
export interface AgentServices {
  readonly clock: Clock;
  readonly log: Logger;
  readonly terminalId: string;
  readonly dev: boolean;
  readonly idleTimeoutMs: number;
  readonly idleCountdownMs: number;
  /** The validated configuration (config.ts), for services that need an option. */
  readonly config: Config;
  readonly devices: {
    readonly idCard: IdCardReader;
    readonly printer: A4Printer;
    readonly receiptPrinter: ReceiptPrinter;
    /** Every device, for Common.Status. */
    all(): readonly Device[];
    get(id: DeviceId): Device | undefined;
  };
  /** The simulators behind simulated devices, for Dev.* commands (dev mode only). */
  readonly simulators: Simulators;
  /** Forms.Submit / Outbox.* (issue 5): undefined until start() has opened the store. */
  readonly submissions?: SubmissionService | undefined;
  /**
   * PDFs the agent produced in this session (e.g. by Forms.Fill), by id, for Printer.PrintPdf
   * `documentId`; undefined until a service provides them.
   */
  readonly printableDocuments?: { get(documentId: string): Uint8Array | undefined } | undefined;
  /** Booking.* (issue 6): undefined until start() has opened the store. */
  readonly booking?: BookingService | undefined;
  /** Scanner.* / Ocr.* (issue 3): the scanner, the scans kept in memory, OCR. */
  readonly scanning?: ScanningServices | undefined;
  /** Forms.List/Get/Prefill/Fill and Application.* (issue 4): undefined until start() has loaded the forms. */
  readonly application?: ApplicationService | undefined;
}
