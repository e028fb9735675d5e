import { describe, expect, it } from 'vitest';
import type { CommandName, PickupItem } from '@onevisit/protocol';
import type { CommandEvent } from '../../agent/client.ts';
import { PickupFlow, type PickupHost, type PickupSend } from './pickup-flow.svelte.ts';

const ITEM: PickupItem = { itemId: 'i1', reference: 'SZ-1', title: '居民身份证', slot: 'A03', depositedAt: '2026-12-01T16:20:00+08:00' };

/** A host whose `send` answers from a script: each command's events, then its result. */
function rig(script: (name: CommandName, payload: unknown, emit: (event: { name: string; payload: unknown }) => void) => unknown) {
  const sent: { name: CommandName; payload: unknown }[] = [];
  const ends: (() => void)[] = [];
  const identified: string[] = [];
  const send: PickupSend = (name, payload, options) => {
    sent.push({ name, payload });
    const emit = (event: { name: string; payload: unknown }): void => options?.onEvent?.(event as CommandEvent<typeof name>);
    return Promise.resolve(script(name, payload, emit) as never);
  };
  const host: PickupHost = {
    send,
    hasIdentity: () => true,
    identify: () => identified.push('identify'),
    show: () => undefined,
    home: () => undefined,
    finish: () => undefined,
    onSessionEnd: (listener) => ends.push(listener),
  };
  return { flow: new PickupFlow(host), sent, endSession: () => ends.forEach((l) => l()) };
}

describe('PickupFlow', () => {
  it('says how many code attempts are left, then lists what the code finds', async () => {
    let right = false;
    const { flow } = rig((name) =>
      name === 'Pickup.Find'
        ? right
          ? { ok: true, payload: { items: [ITEM] } }
          : { ok: false, completionCode: 'invalidData', errorCode: 'wrongCode', errorDescription: undefined, payload: { attemptsLeft: 3 } }
        : undefined,
    );
    for (const d of '12345') flow.typeDigit(d);
    expect(flow.codeComplete).toBe(false);
    flow.typeDigit('6');
    flow.typeDigit('7');
    expect(flow.code).toBe('123456');
    flow.findByCode();
    await Promise.resolve();
    await Promise.resolve();
    expect(flow.problem).toEqual({ code: 'wrongCode', attempts: 3 });
    expect(flow.code).toBe('');
    right = true;
    for (const d of '654321') flow.typeDigit(d);
    flow.findByCode();
    await Promise.resolve();
    await Promise.resolve();
    expect(flow.step).toEqual({ name: 'list' });
    expect(flow.items).toEqual([ITEM]);
  });

  it('follows the cabinet: opened → taken → done with the receipt; the session end forgets it', async () => {
    const phases: string[] = [];
    const { flow, endSession } = rig((name, _payload, emit) => {
      if (name === 'Pickup.Find') return { ok: true, payload: { items: [ITEM] } };
      emit({ name: 'Pickup.SlotOpenedEvent', payload: { slot: 'A03' } });
      phases.push(flow.step.name === 'collect' ? flow.step.phase : flow.step.name);
      emit({ name: 'Pickup.ItemTakenEvent', payload: { slot: 'A03' } });
      phases.push(flow.step.name === 'collect' ? flow.step.phase : flow.step.name);
      emit({ name: 'Pickup.DoorLeftOpenEvent', payload: { slot: 'A03', openMs: 61_000 } });
      phases.push(flow.step.name === 'collect' && flow.step.leftOpen ? 'leftOpen' : 'no');
      return { ok: true, payload: { outcome: 'collected', slot: 'A03', receipt: 'printed' } };
    });
    flow.findMine();
    await Promise.resolve();
    await Promise.resolve();
    await flow.collect('i1');
    expect(phases).toEqual(['open', 'taken', 'leftOpen']);
    expect(flow.step).toEqual({ name: 'done', slot: 'A03', receipt: 'printed' });
    expect(flow.items).toEqual([]);
    endSession();
    expect(flow.step).toEqual({ name: 'find' });
    expect(flow.collected).toBe(0);
  });

  it('asks the person on a board without a presence sensor and sends the answer', async () => {
    let finish: (value: unknown) => void = () => undefined;
    const { flow, sent } = rig((name, _payload, emit) => {
      if (name === 'Pickup.Find') return { ok: true, payload: { items: [ITEM] } };
      if (name === 'Pickup.ConfirmRemoval') return { ok: true, payload: {} };
      emit({ name: 'Pickup.SlotOpenedEvent', payload: { slot: 'A03' } });
      emit({ name: 'Pickup.ConfirmRemovalEvent', payload: { slot: 'A03' } });
      return new Promise((resolve) => (finish = resolve));
    });
    flow.findMine();
    await Promise.resolve();
    await Promise.resolve();
    const collecting = flow.collect('i1');
    expect(flow.step).toMatchObject({ name: 'collect', phase: 'confirm' });
    flow.confirmRemoval(false);
    expect(sent.at(-1)).toEqual({ name: 'Pickup.ConfirmRemoval', payload: { itemId: 'i1', taken: false } });
    finish({ ok: true, payload: { outcome: 'notRemoved', slot: 'A03', receipt: 'none' } });
    await collecting;
    expect(flow.step).toEqual({ name: 'notRemoved', slot: 'A03' });
    expect(flow.items).toEqual([ITEM]);
  });

  it('a lock that fails: back to the list with what to do, the item kept', async () => {
    const { flow } = rig((name) =>
      name === 'Pickup.Find'
        ? { ok: true, payload: { items: [ITEM] } }
        : { ok: false, completionCode: 'hardwareError', errorCode: 'lockFailed', errorDescription: undefined, payload: { slot: 'A03' } },
    );
    flow.findMine();
    await Promise.resolve();
    await Promise.resolve();
    await flow.collect('i1');
    expect(flow.step).toEqual({ name: 'list' });
    expect(flow.problem).toEqual({ code: 'lockFailed', slot: 'A03' });
    expect(flow.items).toEqual([ITEM]);
  });
  it('once the door closes, offers a rating (好差评) about the certificate: a case reference goes with it, a short item reference or the code never', async () => {
    const CASE_ITEM: PickupItem = { ...ITEM, itemId: 'i2', reference: 'T0001-261204-0007-K' };
    const { flow, sent } = rig((name) => {
      if (name === 'Pickup.Find') return { ok: true, payload: { items: [ITEM, CASE_ITEM] } };
      return { ok: true, payload: { outcome: 'collected', slot: 'A03', receipt: 'printed' } };
    });
    flow.findMine();
    await Promise.resolve();
    await Promise.resolve();
    await flow.collect('i1');
    expect(flow.rating.service).toBe('pickup');
    expect(flow.rating.reference).toBeUndefined();
    expect(flow.rating.subject).toEqual({ 'zh-CN': '居民身份证', en: '居民身份证' });
    await flow.collect('i2');
    expect(flow.rating.reference).toBe('T0001-261204-0007-K');
    // Nothing is asked of the agent for the offer itself: the reasons come when a bottom level is chosen.
    expect(sent.map((c) => c.name)).toEqual(['Pickup.Find', 'Pickup.Collect', 'Pickup.Collect']);
  });
});
