import { describe, expect, it } from 'vitest';
import type { CommandName, StorageUnit } from '@onevisit/protocol';
import type { CommandEvent } from '../../agent/client.ts';
import { CabinetDesk } from './cabinet-desk.svelte.ts';
import type { PickupSend } from './pickup-flow.svelte.ts';

const unit = (slot: string): StorageUnit => ({
  id: `cabinet.${slot}`,
  kind: 'cabinetSlot',
  device: 'dispenser',
  countUnit: 'items',
  count: 0,
  initialCount: null,
  thresholds: { low: 0, empty: 0 },
  maxCount: 1,
  state: 'empty',
  sensor: 'ok',
  inExchange: false,
  lastExchangeAt: null,
  compartment: { slot, size: 'S', state: 'free' },
});
const RECEIPT: StorageUnit = { ...unit('X'), id: 'receiptPaper', kind: 'receiptPaper', device: 'receiptPrinter', countUnit: 'mm', compartment: undefined };

/** A desk whose `send` answers from a script: each command's events, then its result. */
function rig(script: (name: CommandName, payload: unknown, emit: (event: { name: string; payload: unknown }) => void) => unknown) {
  const sent: { name: CommandName; payload: unknown }[] = [];
  const send: PickupSend = (name, payload, options) => {
    sent.push({ name, payload });
    const emit = (event: { name: string; payload: unknown }): void => options?.onEvent?.(event as CommandEvent<typeof name>);
    return Promise.resolve(script(name, payload, emit) as never);
  };
  return { desk: new CabinetDesk(send), sent };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

describe('CabinetDesk (issue 13: loading inside a storage exchange, the applicant card)', () => {
  it('opens an exchange on every compartment when the screen shows and ends it when it closes', async () => {
    const { desk, sent } = rig((name) => {
      if (name === 'Storage.Status') return { ok: true, payload: { units: [RECEIPT, unit('A01'), unit('A02')], exchange: null } };
      if (name === 'Storage.StartExchange' || name === 'Storage.EndExchange') return { ok: true, payload: { units: [], tests: [] } };
      return undefined;
    });
    await desk.openExchange();
    expect(desk.exchange).toBe('open');
    await desk.closeExchange();
    expect(desk.exchange).toBe('none');
    expect(sent.map((s) => [s.name, s.payload])).toEqual([
      ['Storage.Status', {}],
      ['Storage.StartExchange', { units: ['cabinet.A01', 'cabinet.A02'] }],
      ['Storage.EndExchange', { units: ['cabinet.A01', 'cabinet.A02'], counts: {} }],
    ]);
  });

  it('says so when another exchange is open, and a screen closed while the exchange is starting never leaves one open', async () => {
    const refused = rig((name) =>
      name === 'Storage.Status'
        ? { ok: true, payload: { units: [unit('A01')], exchange: null } }
        : { ok: false, completionCode: 'sequenceError', errorCode: 'exchangeActive', errorDescription: undefined, payload: {} },
    );
    await refused.desk.openExchange();
    expect(refused.desk.exchange).toBe('none');
    expect(refused.desk.problem).toEqual({ code: 'exchangeActive' });

    const { desk, sent } = rig((name) => (name === 'Storage.Status' ? { ok: true, payload: { units: [unit('A01')], exchange: null } } : { ok: true, payload: { units: [], tests: [] } }));
    const opening = desk.openExchange();
    void desk.closeExchange();
    await opening;
    await settle();
    expect(sent.map((s) => s.name)).toEqual(['Storage.Status']);
    expect(desk.exchange).toBe('none');
  });

  it("a deposit by the applicant's card sends no number, waits for the card, then shows only the masked values", async () => {
    const phases: string[] = [];
    const seen: { desk?: CabinetDesk } = {};
    const r = rig((name, _payload, emit) => {
      if (name !== 'Pickup.Deposit') return undefined;
      phases.push(seen.desk?.phase ?? '');
      emit({ name: 'Pickup.ApplicantCardReadEvent', payload: { maskedIdNumber: '1101**********002X', maskedName: '王*明' } });
      phases.push(seen.desk?.phase ?? '');
      emit({ name: 'Pickup.SlotOpenedEvent', payload: { slot: 'A04' } });
      return { ok: true, payload: { itemId: 'i1', slot: 'A04' } };
    });
    const { desk } = r;
    seen.desk = desk;
    desk.type('reference', 'sz-1');
    desk.titleId = 'idCard';
    expect(desk.formReady).toBe(false);
    desk.useCard();
    expect(desk.formReady).toBe(true);
    await desk.deposit(() => '居民身份证');
    expect(phases).toEqual(['card', 'opening']);
    expect(r.sent[0]?.payload).toEqual({ reference: 'SZ-1', applicantCard: true, title: '居民身份证' });
    expect(desk.applicant).toEqual({ maskedIdNumber: '1101**********002X', maskedName: '王*明' });
    expect(desk.note).toEqual({ kind: 'loaded', slot: 'A04' });
    // Typing a number goes back to the keyboard's number.
    desk.type('idNumber', '11010519491231002x');
    expect(desk.idSource).toBe('typed');
  });

  it("says when the staff member's own card was read", async () => {
    const { desk } = rig(() => ({ ok: false, completionCode: 'userError', errorCode: 'staffCard', errorDescription: undefined, payload: {} }));
    desk.type('reference', 'SZ-2');
    desk.titleId = 'idCard';
    desk.useCard();
    await desk.deposit(() => '居民身份证');
    expect(desk.problem).toEqual({ code: 'staffCard' });
    expect(desk.phase).toBe('idle');
  });
});
