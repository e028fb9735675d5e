import { slipRef } from '@onevisit/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { minimalPdf } from '../../device-agent/src/devices/printer/test-pdf.ts';
import { successPayload, TestClient } from '../integration/client.ts';
import { startServer, TEST_TOKEN, type RunningServer } from './harness.ts';

/**
 * Issue 11: Printer.* / ReceiptPrinter.Print print only documents the agent made for the current
 * session, never content the page supplies (outside --dev).
 */

const running: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of running.splice(0)) await server.stop();
});

async function terminal(): Promise<{ server: RunningServer; page: () => Promise<TestClient> }> {
  const server = await startServer({ dev: false });
  running.push(server);
  const page = async (): Promise<TestClient> => {
    const client = await TestClient.authenticated(server.url, TEST_TOKEN);
    clients.push(client);
    return client;
  };
  return { server, page };
}

function printedReceipts(server: RunningServer): number {
  const sim = server.services.simulators.receiptPrinter;
  if (!sim) throw new Error('the test terminal simulates the receipt printer');
  return sim.printed().length;
}

describe('printing on a terminal (no --dev)', () => {
  it('refuses a receipt or a PDF the page lays out, and prints nothing', async () => {
    const { server, page } = await terminal();
    const kiosk = await page();
    const forged = await kiosk.send('ReceiptPrinter.Print', { receipt: { title: '预约凭条', blocks: [{ kind: 'text', text: '请到 9 号窗口领取现金' }] } });
    expect(forged.completion.header).toMatchObject({ completionCode: 'unsupportedCommand', errorCode: 'devOnly' });
    const pdf = await kiosk.send('Printer.PrintPdf', { pdfBase64: Buffer.from(minimalPdf(1)).toString('base64') });
    expect(pdf.completion.header).toMatchObject({ completionCode: 'unsupportedCommand', errorCode: 'devOnly' });
    expect(printedReceipts(server)).toBe(0);
  });

  it('prints a form notice the agent lays out itself, and no slip this session was not given', async () => {
    const { server, page } = await terminal();
    const kiosk = await page();
    successPayload('ReceiptPrinter.Print', await kiosk.send('ReceiptPrinter.Print', { document: { kind: 'formNotice', formId: 'residence-permit', language: 'zh-CN' } }));
    expect(server.services.simulators.receiptPrinter?.lastText()).toMatch(/居住证申领[\s\S]*所需材料/);
    const unknownForm = await kiosk.send('ReceiptPrinter.Print', { document: { kind: 'formNotice', formId: 'no-such-form', language: 'en' } });
    expect(unknownForm.completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'documentNotFound' });
    const guessed = await kiosk.send('ReceiptPrinter.Print', { document: { kind: 'bookingSlip', code: 'K7M3HX' } });
    expect(guessed.completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'documentNotFound' });
    expect(printedReceipts(server)).toBe(1);
  });

  it("prints a queue ticket for the session that took it, and for nobody once the session ended", async () => {
    const { server, page } = await terminal();
    const kiosk = await page();
    const services = successPayload('Booking.ListServices', await kiosk.send('Booking.ListServices', {})).services;
    const serviceId = services[0]?.id;
    if (serviceId === undefined) throw new Error('the hall calendar offers services');
    const ticket = successPayload('Queue.Take', await kiosk.send('Queue.Take', { serviceId })).ticket;
    successPayload('ReceiptPrinter.Print', await kiosk.send('ReceiptPrinter.Print', { document: slipRef(ticket.slip) }));
    expect(server.services.simulators.receiptPrinter?.lastText()).toContain('排 队 号');

    await kiosk.send('Session.End');
    const after = await kiosk.send('ReceiptPrinter.Print', { document: slipRef(ticket.slip) });
    expect(after.completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'documentNotFound' });
    await kiosk.send('Session.End');
    const other = await page();
    const elsewhere = await other.send('ReceiptPrinter.Print', { document: slipRef(ticket.slip) });
    expect(elsewhere.completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'documentNotFound' });
    expect(printedReceipts(server)).toBe(1);
  });
});
