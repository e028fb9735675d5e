import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { DeviceStatus } from '@onevisit/protocol';
import type { ReceiptDocument } from '@onevisit/protocol';
import { EscPosReceiptPrinter } from './driver.ts';
import { encodeReceipt, toHex } from './escpos.ts';
import { previewText } from './preview.ts';
import { TcpTestPrinter } from './tcp-test-printer.ts';
import { unusedTcpPort } from '../testing/transport-checks.ts';
import { tcpTransport } from '../transport/tcp.ts';

const RECEIPT: ReceiptDocument = {
  title: '受理回执',
  blocks: [
    { kind: 'row', label: '受理编号', value: 'OV-20261124-0042' },
    { kind: 'row', label: '事项', value: '居住证申领' },
    { kind: 'row', label: '终端', value: 'T-001' },
    { kind: 'qr', data: 'OV-20261124-0042' },
  ],
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: { statusTimeoutMs?: number } = {}) {
  const fake = new TcpTestPrinter();
  const port = await fake.listen();
  const driver = new EscPosReceiptPrinter(tcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: 1000 }), {
    clock: new ManualClock(Date.UTC(2026, 10, 24, 1, 0)),
    statusTimeoutMs: options.statusTimeoutMs ?? 1000,
    pollIntervalMs: 0,
  });
  cleanups.push(() => fake.close(), () => driver.dispose());
  return { fake, driver, port };
}

describe('ESC/POS driver over TCP 9100 (loopback test printer)', () => {
  it('asks DLE EOT 1–4 before and after, sends the exact encoded bytes, and reports printed', async () => {
    const { fake, driver } = await setup();
    const statuses: DeviceStatus[] = [];
    driver.onStatus((s) => statuses.push(s));
    await driver.start();
    expect(driver.status()).toMatchObject({ state: 'online', reason: 'ok', driver: 'tcp' });

    const result = await driver.print(RECEIPT);
    expect(result).toEqual({ kind: 'printed' });
    const jobs = fake.printer.jobs();
    expect(jobs).toHaveLength(1);
    expect(toHex(jobs[0]?.bytes ?? new Uint8Array())).toBe(toHex(encodeReceipt(RECEIPT)));
    // start: 1-4; job: 1-4 before, 1-4 after.
    expect(fake.printer.statusQueries).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    const text = previewText(fake.printer.printedPreviews()[0] ?? { lines: [] });
    expect(text).toContain('居住证申领');
    expect(text).toContain('[QR OV-20261124-0042]');
    expect(statuses.map((s) => s.state)).toEqual(['online', 'busy', 'online']);
  });

  it('does not send a job when the cover is open, and says so', async () => {
    const { fake, driver } = await setup();
    fake.printer.setCondition('coverOpen');
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'coverOpen', partial: false });
    expect(fake.printer.jobs()).toHaveLength(0);
    expect(driver.status()).toMatchObject({ state: 'fault', attention: 'clear', reason: 'coverOpen' });
  });

  it('reports paper running out in the middle of a job as partial, and the retry prints it whole', async () => {
    const { fake, driver } = await setup();
    fake.printer.runOutOfPaperAfter(40);
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'paperOut', partial: true });
    expect(driver.status()).toMatchObject({ state: 'fault', attention: 'clear', reason: 'paperOut' });
    // Staff load paper; the same document is sent again.
    fake.printer.setCondition('online');
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'printed' });
    expect(fake.printer.jobs().map((j) => j.printed)).toEqual([false, true]);
  });

  it('maps jam and cutter error to their results and attention', async () => {
    const { fake, driver } = await setup();
    fake.printer.setCondition('paperJam');
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'jam', partial: false });
    fake.printer.setCondition('cutterError');
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'failed', reason: 'cutterError', partial: false });
    expect(driver.status()).toMatchObject({ attention: 'maintenance', reason: 'hardwareFault' });
  });

  it('keeps printing on paper low and pushes paperLow', async () => {
    const { fake, driver } = await setup();
    fake.printer.setPaperLow(true);
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'printed' });
    expect(driver.status()).toMatchObject({ state: 'online', attention: 'clear', reason: 'paperLow' });
  });

  it('reports offline when the printer does not answer status queries', async () => {
    const { fake, driver } = await setup({ statusTimeoutMs: 50 });
    fake.printer.setCondition('noResponse');
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'offline', partial: false });
    expect(driver.status()).toMatchObject({ state: 'offline', attention: 'maintenance' });
  });

  it('prints blind to a connected network printer that never answers status, when told to', async () => {
    // A plain listener that only records bytes: a raw port 9100 with real-time status switched off.
    const received: Buffer[] = [];
    const server = net.createServer((socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const driver = new EscPosReceiptPrinter(tcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: 1000 }), {
      clock: new ManualClock(Date.UTC(2026, 10, 24, 1, 0)),
      statusTimeoutMs: 50,
      pollIntervalMs: 0,
      assumeReadyWhenSilent: true,
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())), () => driver.dispose());
    await driver.start();
    expect(driver.status()).toMatchObject({ state: 'online' });
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'printed' });
    const expected = Buffer.from(encodeReceipt(RECEIPT));
    const deadline = Date.now() + 2000;
    while (Buffer.concat(received).indexOf(expected) < 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // The whole receipt arrived in one piece (status queries may stand before and after it).
    expect(Buffer.concat(received).indexOf(expected)).toBeGreaterThanOrEqual(0);
  });

  it('reports offline when nothing listens, then reconnects when the printer is back', async () => {
    const driver = new EscPosReceiptPrinter(tcpTransport({ host: '127.0.0.1', port: await unusedTcpPort(), connectTimeoutMs: 500 }), {
      clock: new ManualClock(0),
      pollIntervalMs: 0,
    });
    cleanups.push(() => driver.dispose());
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'offline', partial: false });
    expect(driver.status()).toMatchObject({ state: 'offline', reason: 'disconnected' });
  });

  it('reconnects after the printer dropped the connection', async () => {
    const { fake, driver } = await setup();
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'printed' });
    const lost = new Promise<void>((resolve) => {
      driver.onStatus((s) => {
        if (s.state === 'offline') resolve();
      });
    });
    fake.dropConnections();
    await lost;
    expect(await driver.print(RECEIPT)).toEqual({ kind: 'printed' });
    expect(fake.connections).toBe(2);
    expect(fake.printer.jobs().filter((j) => j.printed)).toHaveLength(2);
  });

  it('runs one job at a time, in order', async () => {
    const { fake, driver } = await setup();
    const docs = ['一', '二', '三'].map((t): ReceiptDocument => ({ blocks: [{ kind: 'text', text: t }] }));
    const results = await Promise.all(docs.map((d) => driver.print(d)));
    expect(results).toEqual([{ kind: 'printed' }, { kind: 'printed' }, { kind: 'printed' }]);
    const texts = fake.printer.printedPreviews().map((p) => previewText(p).trim().split('\n')[0]);
    expect(texts).toEqual(['一', '二', '三']);
    // Never interleaved: each job's status queries come in whole groups of four.
    expect(fake.printer.statusQueries.join('')).toBe('1234'.repeat(6));
  });

  it('returns unprintable for a name the font lacks, without touching the printer', async () => {
    const { fake, driver } = await setup();
    expect(await driver.print({ blocks: [{ kind: 'row', label: '姓名', value: '𠮷*' }] })).toEqual({
      kind: 'unprintable',
      code: 'unsupportedCharacter',
    });
    expect(fake.printer.statusQueries).toEqual([]);
  });

  it('returns canceled when the signal is already aborted', async () => {
    const { driver } = await setup();
    const controller = new AbortController();
    controller.abort();
    expect(await driver.print(RECEIPT, { signal: controller.signal })).toEqual({ kind: 'canceled', partial: false });
  });
});
