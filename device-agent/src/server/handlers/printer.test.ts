import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { defaultConfig } from '../../config.ts';
import { minimalPdf } from '../../devices/printer/test-pdf.ts';
import { createDevices } from '../../devices/registry.ts';
import { silentLogger } from '../../log.ts';
import type { CommandName, ParsedCommandPayload } from '@onevisit/protocol';
import type { CommandContext, ConnectionControl } from '../handler.ts';
import { createSession } from '../session.ts';
import { servicesForTest } from '../test-services.ts';
import { printerHandlers, receiptPrinterHandlers } from './printer.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onevisit-print-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new ManualClock(Date.parse('2026-11-23T01:00:00Z'));
  const log = silentLogger();
  const config = defaultConfig({ port: 0, dev: true, dataDir: dir });
  const devices = createDevices(config, { clock, log });
  await devices.start();
  cleanup.push(() => devices.stop());
  const built = await servicesForTest({ config, devices, clock, log });
  cleanup.push(() => built.close());
  const { printer, receiptPrinter } = devices.simulators;
  if (!printer || !receiptPrinter) throw new Error('the default configuration simulates both printers');
  const events: { event: string; payload: unknown }[] = [];
  const connection: ConnectionControl = { id: 1, authenticated: true, authenticate: () => true, cancel: () => [] };
  const ctx = <N extends CommandName>(name: N, payload: ParsedCommandPayload<N>, signal = new AbortController().signal): CommandContext<N> => ({
    name,
    requestId: 1,
    payload,
    timeoutMs: 0,
    signal,
    emit: (event, p) => events.push({ event, payload: p }),
    session: createSession(),
    connection,
    services: built.services,
    log,
  });
  return { printer, receiptPrinter, events, ctx };
}

describe('Printer.* handlers', () => {
  it('prints an inline PDF with queued and printing events', async () => {
    const { ctx, events, printer } = await setup();
    const pdfBase64 = Buffer.from(minimalPdf(2)).toString('base64');
    const out = await printerHandlers['Printer.PrintPdf'](ctx('Printer.PrintPdf', { pdfBase64 }));
    expect(out).toEqual({ completionCode: 'success', payload: { jobId: 'sim-1', pages: 2 } });
    expect(events.map((e) => e.event)).toEqual(['Printer.QueuedEvent', 'Printer.PrintingEvent']);
    expect(printer.printedFiles()).toHaveLength(1);
  });

  it('answers deviceNotReady/paperOut with partial when the paper runs out mid-job, and the retry succeeds', async () => {
    const { ctx, printer } = await setup();
    const pdfBase64 = Buffer.from(minimalPdf()).toString('base64');
    printer.failNextJobWithPaperOut();
    expect(await printerHandlers['Printer.PrintPdf'](ctx('Printer.PrintPdf', { pdfBase64 }))).toMatchObject({
      completionCode: 'deviceNotReady',
      errorCode: 'paperOut',
      payload: { partial: true, jobId: 'sim-1' },
    });
    printer.setState('online');
    expect(await printerHandlers['Printer.PrintPdf'](ctx('Printer.PrintPdf', { pdfBase64 }))).toMatchObject({ completionCode: 'success' });
  });

  it('reports a fault as hardwareError and not-a-PDF as invalidData', async () => {
    const { ctx, printer } = await setup();
    expect(await printerHandlers['Printer.PrintPdf'](ctx('Printer.PrintPdf', { pdfBase64: Buffer.from('hello world').toString('base64') }))).toMatchObject({
      completionCode: 'invalidData',
      errorCode: 'invalidPdf',
    });
    printer.setState('fault');
    expect(await printerHandlers['Printer.PrintPdf'](ctx('Printer.PrintPdf', { pdfBase64: Buffer.from(minimalPdf()).toString('base64') }))).toMatchObject({
      completionCode: 'hardwareError',
      errorCode: 'hardwareFault',
    });
    expect(await printerHandlers['Printer.Status'](ctx('Printer.Status', undefined))).toMatchObject({
      completionCode: 'success',
      payload: { status: { device: 'printer', state: 'fault' } },
    });
  });
});

describe('ReceiptPrinter.* handlers', () => {
  it('prints the receipt document', async () => {
    const { ctx, receiptPrinter } = await setup();
    const out = await receiptPrinterHandlers['ReceiptPrinter.Print'](
      ctx('ReceiptPrinter.Print', { receipt: { title: '预约凭条', blocks: [{ kind: 'row', label: '预约码', value: 'BK7Q2M' }, { kind: 'qr', data: 'BK7Q2M' }] } }),
    );
    expect(out).toEqual({ completionCode: 'success', payload: {} });
    expect(receiptPrinter.lastText()).toContain('BK7Q2M');
  });

  it('maps printer states to stable error codes', async () => {
    const { ctx, receiptPrinter } = await setup();
    const receipt = { blocks: [{ kind: 'text' as const, text: '测试' }] };
    await receiptPrinter.setState('coverOpen');
    expect(await receiptPrinterHandlers['ReceiptPrinter.Print'](ctx('ReceiptPrinter.Print', { receipt }))).toMatchObject({
      completionCode: 'deviceNotReady',
      errorCode: 'coverOpen',
      payload: { partial: false },
    });
    await receiptPrinter.setState('paperJam');
    expect(await receiptPrinterHandlers['ReceiptPrinter.Print'](ctx('ReceiptPrinter.Print', { receipt }))).toMatchObject({ errorCode: 'paperJam' });
    await receiptPrinter.setState('fault');
    expect(await receiptPrinterHandlers['ReceiptPrinter.Print'](ctx('ReceiptPrinter.Print', { receipt }))).toMatchObject({
      completionCode: 'hardwareError',
      errorCode: 'cutterError',
    });
    expect(await receiptPrinterHandlers['ReceiptPrinter.Status'](ctx('ReceiptPrinter.Status', undefined))).toMatchObject({
      payload: { status: { device: 'receiptPrinter', attention: 'maintenance' } },
    });
  });

  it('refuses a character the receipt font lacks without echoing it', async () => {
    const { ctx } = await setup();
    const out = await receiptPrinterHandlers['ReceiptPrinter.Print'](ctx('ReceiptPrinter.Print', { receipt: { blocks: [{ kind: 'row', label: '姓名', value: '𠮷*' }] } }));
    expect(out).toMatchObject({ completionCode: 'invalidData', errorCode: 'unsupportedCharacter' });
    expect(JSON.stringify(out)).not.toContain('𠮷');
  });

  it('answers timeOut when the command timed out', async () => {
    const { ctx } = await setup();
    const controller = new AbortController();
    controller.abort('timeOut');
    expect(
      await receiptPrinterHandlers['ReceiptPrinter.Print'](ctx('ReceiptPrinter.Print', { receipt: { blocks: [] } }, controller.signal)),
    ).toMatchObject({ completionCode: 'timeOut' });
  });
});
