import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { DeviceStatus } from '@onevisit/protocol';
import { SimulatedReceiptPrinter } from './simulator.ts';

const clock = (): ManualClock => new ManualClock(Date.UTC(2026, 10, 24, 1, 0));

describe('simulated receipt printer', () => {
  it('prints through the real encoder and shows the receipt as text', async () => {
    const sim = new SimulatedReceiptPrinter({ clock: clock() });
    await sim.start();
    expect(sim.status()).toMatchObject({ state: 'online', driver: 'sim' });
    const result = await sim.print({
      title: '受理回执',
      blocks: [
        { kind: 'row', label: '受理编号', value: 'OV-0042' },
        { kind: 'row', label: '事项', value: '灵活就业人员参保登记' },
        { kind: 'qr', data: 'OV-0042', caption: '扫码查询进度' },
      ],
    });
    expect(result).toEqual({ kind: 'printed' });
    const text = sim.lastText() ?? '';
    expect(text).toContain('受 理 回 执');
    expect(text).toContain('灵活就业人员参保登记');
    expect(text).toContain('[QR OV-0042]');
    expect(text).toContain('partial cut');
    expect(sim.printed()[0]?.bytes[0]).toBe(0x1b);
  });

  it('can be told paper low/out, cover open, jam, fault, offline and back', async () => {
    const sim = new SimulatedReceiptPrinter({ clock: clock() });
    const pushed: DeviceStatus[] = [];
    sim.onStatus((s) => pushed.push(s));
    await sim.start();
    expect(await sim.setState('paperLow')).toMatchObject({ state: 'online', attention: 'clear', reason: 'paperLow' });
    expect(await sim.setState('paperOut')).toMatchObject({ state: 'fault', attention: 'clear', reason: 'paperOut' });
    expect(await sim.print({ blocks: [{ kind: 'text', text: '测试' }] })).toEqual({ kind: 'paperOut', partial: false });
    expect(await sim.setState('coverOpen')).toMatchObject({ reason: 'coverOpen' });
    expect(await sim.setState('paperJam')).toMatchObject({ reason: 'paperJam', attention: 'clear' });
    expect(await sim.setState('fault')).toMatchObject({ reason: 'hardwareFault', attention: 'maintenance' });
    expect(await sim.setState('offline')).toMatchObject({ state: 'offline' });
    expect(await sim.print({ blocks: [{ kind: 'text', text: '测试' }] })).toEqual({ kind: 'offline', partial: false });
    expect(await sim.setState('online')).toMatchObject({ state: 'online', reason: 'ok' });
    expect(await sim.print({ blocks: [{ kind: 'text', text: '测试' }] })).toEqual({ kind: 'printed' });
    expect(pushed.map((s) => `${s.state}:${s.reason}`)).toEqual([
      'online:ok',
      'online:paperLow',
      'fault:paperOut',
      'fault:coverOpen',
      'fault:paperJam',
      'fault:hardwareFault',
      'offline:disconnected',
      'online:ok',
      'busy:ok',
      'online:ok',
    ]);
    expect(sim.printed()).toHaveLength(1);
  });

  it('reports a failure in the middle of a receipt', async () => {
    const sim = new SimulatedReceiptPrinter({ clock: clock() });
    sim.runOutOfPaperAfter(10);
    expect(await sim.print({ blocks: [{ kind: 'text', text: '一二三四五六七八九十' }] })).toEqual({ kind: 'paperOut', partial: true });
    expect(sim.printed()).toHaveLength(0);
  });
});
