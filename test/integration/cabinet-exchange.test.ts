import { describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { inProcessAgents } from './in-process-agents.ts';
import { cabinetUnitId, type StorageUnit } from '@onevisit/protocol';
import type { Agent, StartedAgent } from '../../device-agent/src/app.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { successPayload, TestClient } from './client.ts';
import { signInStaff, signOutStaff } from './staff-sign-in.ts';

const agents = inProcessAgents('onevisit-cabinet-exchange-');

function startAgent(): Promise<{ agent: Agent; started: StartedAgent }> {
  return agents.start();
}

const cabinet = (units: readonly StorageUnit[]): StorageUnit[] => units.filter((u) => u.kind === 'cabinetSlot');

/** One deposit the simulated staff member completes: item in, door closed. */
async function depositOne(staff: TestClient, reference: string, idNumber: string): Promise<string> {
  staff.clear();
  const deposit = staff.send('Pickup.Deposit', { reference, idNumber, title: '居民身份证', size: 'S' });
  const opened = await staff.waitFor((m) => m.header.type === 'event' && m.header.name === 'Pickup.SlotOpenedEvent');
  const { slot } = opened.payload as { slot: string };
  await staff.send('Dev.Cabinet', { slot, action: 'placeItem' });
  await staff.send('Dev.Cabinet', { slot, action: 'closeDoor' });
  return successPayload('Pickup.Deposit', await deposit).slot;
}

describe('Loading the cabinet inside a storage exchange (issue 13 on issue 12)', () => {
  it('StartExchange on the compartments → deposits → EndExchange checks the sensors; refused beside a paper exchange; left when staff sign out', async () => {
    const { agent, started } = await startAgent();
    const person = findSampleIdentity('standard')?.identity;
    if (!person) throw new Error('no sample identity');
    const staff = await signInStaff(agent, started);

    const before = successPayload('Storage.Status', await staff.send('Storage.Status', {}));
    const ids = cabinet(before.units).map((u) => u.id);
    expect(ids).toHaveLength(16);
    expect(cabinet(before.units).every((u) => !u.inExchange)).toBe(true);

    // An exchange on the receipt roll is open: the cabinet cannot be loaded beside it.
    await staff.send('Storage.StartExchange', { units: ['receiptPaper'] });
    expect((await staff.send('Pickup.Deposit', { reference: 'SZ-1', idNumber: person.idNumber, title: '居民身份证' })).completion.header).toMatchObject({
      completionCode: 'sequenceError',
      errorCode: 'exchangeActive',
    });
    await staff.send('Storage.EndExchange', { units: ['receiptPaper'], counts: {} });
    expect((await staff.send('Storage.StartExchange', { units: ['cabinet.Z99'] })).completion.header.errorCode).toBe('unknownUnit');

    // The cabinet screen's exchange: every compartment, out of service for citizens until it ends.
    const startedExchange = successPayload('Storage.StartExchange', await staff.send('Storage.StartExchange', { units: ids }));
    expect(cabinet(startedExchange.units).every((u) => u.inExchange)).toBe(true);
    const during = successPayload('Storage.Status', await staff.send('Storage.Status', {}));
    expect(during.exchange?.units).toEqual(ids);
    const slot = await depositOne(staff, 'SZ-2', person.idNumber);

    // Someone leaves a free compartment's door open: the exchange's check fails on it and names it.
    const other = ids.map((id) => id.slice('cabinet.'.length)).find((s) => s !== slot) ?? '';
    await staff.send('Dev.Cabinet', { slot: other, action: 'openDoor' });
    expect((await staff.send('Storage.EndExchange', { units: ids, counts: { [cabinetUnitId(slot)]: 2 } })).completion.header.errorCode).toBe('invalidCount');
    const ended = successPayload('Storage.EndExchange', await staff.send('Storage.EndExchange', { units: ids, counts: { [cabinetUnitId(slot)]: 1 } }));
    expect(ended.tests).toEqual([{ device: 'dispenser', result: 'failed', code: `doorOpen:${other}` }]);
    expect(cabinet(ended.units).every((u) => !u.inExchange)).toBe(true);
    expect(ended.units.find((u) => u.id === cabinetUnitId(slot))).toMatchObject({ count: 1, compartment: { state: 'occupied' } });
    await staff.send('Dev.Cabinet', { slot: other, action: 'closeDoor' });

    // An exchange the staff member forgets to end is left when the session ends.
    await staff.send('Storage.StartExchange', { units: ids });
    await signOutStaff(staff);
    const next = await signInStaff(agent, started);
    expect(successPayload('Storage.Status', await next.send('Storage.Status', {})).exchange).toBeNull();

    // With no exchange open, a deposit gets one of its own for its length (older clients), then none is left.
    const second = await depositOne(next, 'SZ-3', person.idNumber);
    expect(second).not.toBe(slot);
    expect(successPayload('Storage.Status', await next.send('Storage.Status', {})).exchange).toBeNull();
    await signOutStaff(next);
  });

  it("staff place the applicant's card instead of typing the number: their own card is refused, the applicant's fills the deposit and only masked values reach the screen", async () => {
    const { agent, started } = await startAgent();
    const person = findSampleIdentity('standard')?.identity;
    if (!person) throw new Error('no sample identity');
    const staff = await signInStaff(agent, started);
    const load = { reference: 'SZ-2026-000777', title: '居民身份证', size: 'S', applicantCard: true } as const;

    // The staff card the member signed in with was read at sign-in, so the reader waits for a card placed
    // anew (as real readers do); the member lifts their own card and places it again by mistake.
    const mistaken = staff.send('Pickup.Deposit', load);
    await staff.send('Dev.RemoveCard', {});
    await staff.send('Dev.InsertCard', { identity: 'staff' });
    expect((await mistaken).completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'staffCard' });
    expect((await staff.send('Pickup.Deposit', { reference: 'SZ-2026-000778', title: '居民身份证' })).completion.header.errorCode).toBe('noIdNumber');

    await staff.send('Dev.RemoveCard', {});
    await staff.send('Dev.InsertCard', { identity: 'standard' });
    staff.clear();
    const deposit = staff.send('Pickup.Deposit', load);
    const opened = await staff.waitFor((m) => m.header.type === 'event' && m.header.name === 'Pickup.SlotOpenedEvent');
    const { slot } = opened.payload as { slot: string };
    await staff.send('Dev.Cabinet', { slot, action: 'placeItem' });
    await staff.send('Dev.Cabinet', { slot, action: 'closeDoor' });
    const deposited = await deposit;
    expect(successPayload('Pickup.Deposit', deposited).slot).toBe(slot);
    const read = deposited.events.find((e) => e.header.name === 'Pickup.ApplicantCardReadEvent');
    expect(read?.payload).toEqual({ maskedIdNumber: expect.stringMatching(/\*/) as string, maskedName: expect.stringMatching(/\*/) as string });
    expect(JSON.stringify(deposited)).not.toContain(person.idNumber);
    expect(JSON.stringify(deposited)).not.toContain(person.name);
    await staff.send('Dev.RemoveCard', {});
    await staff.send('Staff.SignOut', {});
    await staff.close();

    // The applicant finds it with the same card.
    const citizen = await TestClient.authenticated(started.url, started.token);
    await citizen.send('Dev.InsertCard', { identity: 'standard' });
    expect((await citizen.send('IdCard.Read', {})).completion.header.completionCode).toBe('success');
    expect(successPayload('Pickup.Find', await citizen.send('Pickup.Find', {})).items).toEqual([expect.objectContaining({ reference: 'SZ-2026-000777', slot })]);
    await citizen.close();
  });

  it('a compartment a technician opens outside an exchange is manipulated until an exchange on it ends with the sensors agreeing', async () => {
    const { agent, started } = await startAgent();
    const tech = await signInStaff(agent, started, 'technician');
    const opening = tech.send('Pickup.Open', { slot: 'A05' });
    await tech.waitFor((m) => m.header.type === 'event' && m.header.name === 'Pickup.SlotOpenedEvent');
    await tech.send('Dev.Cabinet', { slot: 'A05', action: 'closeDoor' });
    expect(successPayload('Pickup.Open', await opening)).toEqual({ slot: 'A05', presence: 'empty' });
    const unitOf = async (): Promise<StorageUnit | undefined> => successPayload('Storage.Status', await tech.send('Storage.Status', {})).units.find((u) => u.id === 'cabinet.A05');
    expect(await unitOf()).toMatchObject({ state: 'manipulated', compartment: { state: 'free' } });

    await tech.send('Storage.StartExchange', { units: ['cabinet.A05'] });
    const ended = successPayload('Storage.EndExchange', await tech.send('Storage.EndExchange', { units: ['cabinet.A05'], counts: {} }));
    expect(ended.tests).toEqual([{ device: 'dispenser', result: 'ok' }]);
    expect(await unitOf()).toMatchObject({ state: 'empty', inExchange: false });
    await signOutStaff(tech);
  });
});
