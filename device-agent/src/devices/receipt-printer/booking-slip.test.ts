import { describe, expect, it } from 'vitest';
import { SlipDocumentSchema, receiptFromSlip } from '@onevisit/protocol';
import { SimulatedReceiptPrinter } from './simulator.ts';
import { ManualClock } from '../../clock.ts';

describe('booking slip on the receipt printer', () => {
  it('turns the printer-neutral slip into a receipt and prints it', async () => {
    const slip = SlipDocumentSchema.parse({
      kind: 'bookingSlip',
      code: 'K7Q2M9',
      lines: [
        { kind: 'title', text: '预约凭条', textEn: 'Appointment slip' },
        { kind: 'field', label: '事项', labelEn: 'Service', value: '居住证申领' },
        { kind: 'field', label: '时间', labelEn: 'Time', value: '2026-11-24 09:30–10:00' },
        { kind: 'field', label: '预约码', labelEn: 'Code', value: 'K7Q2M9', emphasis: true },
        { kind: 'rule' },
        { kind: 'list', title: '请携带', titleEn: 'Bring', items: ['居民身份证原件', '近期免冠照片一张'] },
        { kind: 'qr', payload: 'K7Q2M9', caption: '到厅扫码签到' },
      ],
    });
    const receipt = receiptFromSlip(slip);
    expect(receipt.title).toBe('预约凭条');
    const sim = new SimulatedReceiptPrinter({ clock: new ManualClock(0) });
    expect(await sim.print(receipt)).toEqual({ kind: 'printed' });
    const text = sim.lastText() ?? '';
    expect(text).toContain('Appointment slip');
    expect(text).toMatch(/事项 Service +居住证申领/);
    expect(text).toContain('· 近期免冠照片一张');
    expect(text).toContain('[QR K7Q2M9]');
  });
});
