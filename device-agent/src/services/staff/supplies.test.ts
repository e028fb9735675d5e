import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '@onevisit/protocol';
import { ManualClock } from '../../clock.ts';
import { openStore, type Store } from '../../store/db.ts';
import { DEFAULT_HALL_SETTINGS } from './hall-settings.ts';
import { estimateReceiptMm, SupplyService, supplyMigrations } from './supplies.ts';

const stores: Store[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(): { supplies: SupplyService; store: Store } {
  const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-supplies-'));
  dirs.push(dir);
  const store = openStore({ dataDir: dir, migrations: [supplyMigrations] });
  stores.push(store);
  return { supplies: new SupplyService({ db: store.db, clock: new ManualClock(0), settings: () => DEFAULT_HALL_SETTINGS }), store };
}

const status = (device: 'receiptPrinter' | 'printer', state: DeviceStatus['state'], reason: DeviceStatus['reason']): DeviceStatus => ({
  device,
  state,
  reason,
  attention: 'none',
  driver: 'sim',
  since: '2026-11-23T20:00:00+08:00',
});

describe('supplies', () => {
  it('estimates a receipt’s length from its lines, QR code and cut', () => {
    const short = estimateReceiptMm({ blocks: [{ kind: 'text', text: 'x' }] });
    const longer = estimateReceiptMm({ title: '回执', blocks: [{ kind: 'text', text: '汉'.repeat(48) }, { kind: 'qr', data: 'x' }] });
    expect(short).toBeGreaterThan(20);
    expect(longer).toBeGreaterThan(short + 30);
  });

  it('counts down from the exchange’s counts as receipts and A4 sheets print, and crosses the thresholds', () => {
    const { supplies } = setup();
    expect(supplies.unit('a4Paper')).toMatchObject({ count: null, state: 'unknown' });
    expect(supplies.startExchange(['a4Paper', 'receiptPaper'], false).kind).toBe('started');
    expect(supplies.printing().a4).toEqual({ available: false, reason: 'exchange' });
    expect(supplies.endExchange(['a4Paper', 'receiptPaper'], { a4Paper: 32, receiptPaper: 6000 }).kind).toBe('ended');
    expect(supplies.unit('a4Paper')).toMatchObject({ count: 32, initialCount: 32, state: 'ok' });
    supplies.a4Printed(2);
    expect(supplies.unit('a4Paper')).toMatchObject({ count: 30, state: 'low' });
    supplies.a4Printed(40);
    expect(supplies.unit('a4Paper')).toMatchObject({ count: 0, state: 'empty' });
    expect(supplies.printing().a4).toEqual({ available: false, reason: 'paperEmpty' });
    const before = supplies.unit('receiptPaper').count ?? 0;
    supplies.receiptPrinted({ blocks: [{ kind: 'text', text: 'T0001-261123-0001-7' }] });
    const after = supplies.unit('receiptPaper').count ?? 0;
    expect(before - after).toBe(estimateReceiptMm({ blocks: [{ kind: 'text', text: 'T0001-261123-0001-7' }] }));
    expect(supplies.unit('receiptPaper').state).toBe('ok');
  });

  it('refuses an exchange during a citizen transaction or while one is open; refuses counts above the unit', () => {
    const { supplies } = setup();
    expect(supplies.startExchange(['receiptPaper'], true)).toEqual({ kind: 'transactionActive' });
    supplies.setTransactionActive(true);
    expect(supplies.startExchange(['receiptPaper'], false)).toEqual({ kind: 'transactionActive' });
    supplies.setTransactionActive(false);
    expect(supplies.endExchange(['receiptPaper'], {})).toEqual({ kind: 'noExchange' });
    expect(supplies.startExchange(['nope'], false)).toEqual({ kind: 'unknownUnit' });
    expect(supplies.startExchange(['receiptPaper'], false).kind).toBe('started');
    expect(supplies.inExchange('receiptPrinter')).toBe(true);
    expect(supplies.startExchange(['a4Paper'], false)).toEqual({ kind: 'exchangeActive' });
    expect(supplies.endExchange(['a4Paper'], {})).toEqual({ kind: 'notInExchange' });
    expect(supplies.endExchange(['receiptPaper'], { receiptPaper: 999_999 })).toEqual({ kind: 'invalidCount', unit: 'receiptPaper', maxCount: 50_000 });
    expect(supplies.endExchange(['receiptPaper'], { receiptPaper: 50_000 }).kind).toBe('ended');
    expect(supplies.inExchange('receiptPrinter')).toBe(false);
  });

  it('a paper-out that clears without an exchange marks the unit manipulated until an exchange ends', () => {
    const { supplies } = setup();
    supplies.startExchange(['receiptPaper'], false);
    supplies.endExchange(['receiptPaper'], { receiptPaper: 20_000 });
    supplies.deviceStatus(status('receiptPrinter', 'online', 'ok'));
    supplies.deviceStatus(status('receiptPrinter', 'fault', 'paperOut'));
    expect(supplies.unit('receiptPaper')).toMatchObject({ sensor: 'out', state: 'empty' });
    expect(supplies.printing().receipt).toEqual({ available: false, reason: 'paperEmpty' });
    supplies.deviceStatus(status('receiptPrinter', 'online', 'ok'));
    expect(supplies.unit('receiptPaper').state).toBe('manipulated');
    supplies.startExchange(['receiptPaper'], false);
    supplies.endExchange(['receiptPaper'], { receiptPaper: 50_000 });
    expect(supplies.unit('receiptPaper').state).toBe('ok');
    // Out and back inside an exchange is the refill itself.
    supplies.startExchange(['receiptPaper'], false);
    supplies.deviceStatus(status('receiptPrinter', 'fault', 'paperOut'));
    supplies.deviceStatus(status('receiptPrinter', 'online', 'ok'));
    supplies.endExchange(['receiptPaper'], {});
    expect(supplies.unit('receiptPaper').state).toBe('ok');
  });
});
