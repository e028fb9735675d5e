import { describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { inProcessAgents } from './in-process-agents.ts';
import type { Envelope } from '@onevisit/protocol';
import type { Agent, StartedAgent } from '../../device-agent/src/app.ts';
import { findSampleIdentity } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { successPayload, TestClient } from './client.ts';
import { signInStaff, signOutStaff } from './staff-sign-in.ts';

const agents = inProcessAgents('onevisit-pickup-');

async function startAgent(dispenserProtocol: 'cu16' | 'lock8a' = 'cu16'): Promise<{ agent: Agent; started: StartedAgent }> {
  return agents.start({ dispenserProtocol });
}

const eventsOf = (events: Envelope[]): string[] => events.map((e) => e.header.name);
const slotOfEvent = (client: TestClient, name: string, after: number): Promise<string> =>
  client
    .waitFor((m) => m.header.type === 'event' && m.header.name === name && Number(m.header.requestId) > after)
    .then((m) => (m.payload as { slot: string }).slot);

/**
 * Staff load one certificate for the standard sample person (the simulated hand places it and closes
 * the door) and sign out; then that person's card is read on a new connection, which has found it.
 */
async function depositThenCitizenWithCard(
  protocol: 'cu16' | 'lock8a',
  item: { reference: string; title: string; size?: 'S' | 'M' | 'L' },
): Promise<{ citizen: TestClient; slot: string; itemId: string }> {
  const { agent, started } = await startAgent(protocol);
  const person = findSampleIdentity('standard')?.identity;
  if (!person) throw new Error('no sample identity');
  const staff = await signInStaff(agent, started);
  const deposit = staff.send('Pickup.Deposit', { ...item, idNumber: person.idNumber });
  const slot = await slotOfEvent(staff, 'Pickup.SlotOpenedEvent', 0);
  await staff.send('Dev.Cabinet', { slot, action: 'placeItem' });
  await staff.send('Dev.Cabinet', { slot, action: 'closeDoor' });
  const { itemId } = successPayload('Pickup.Deposit', await deposit);
  await signOutStaff(staff);
  const citizen = await agents.connect(started);
  await citizen.send('Dev.InsertCard', { identity: 'standard' });
  await citizen.send('IdCard.Read', {});
  successPayload('Pickup.Find', await citizen.send('Pickup.Find', {}));
  return { citizen, slot, itemId };
}

describe('Pickup.* over the WebSocket (issue 13)', () => {
  it('staff deposit, the sensors decide; a citizen finds by card, collects once, gets the receipt', async () => {
    const { agent, started } = await startAgent();
    const person = findSampleIdentity('standard')?.identity;
    if (!person) throw new Error('no sample identity');

    // Staff load a certificate: the agent opens a compartment, the simulated person puts it in and closes the door.
    const staff = await signInStaff(agent, started);
    const deposit = staff.send('Pickup.Deposit', { reference: 'SZ-2026-000123', idNumber: person.idNumber, title: '居民身份证', size: 'S' });
    const slot = await slotOfEvent(staff, 'Pickup.SlotOpenedEvent', 0);
    expect((await staff.send('Dev.Cabinet', { slot, action: 'placeItem' })).completion.header.completionCode).toBe('success');
    await staff.send('Dev.Cabinet', { slot, action: 'closeDoor' });
    const deposited = await deposit;
    expect(eventsOf(deposited.events)).toEqual(['Pickup.SlotOpenedEvent', 'Pickup.ItemPlacedEvent', 'Pickup.DoorClosedEvent']);
    const { itemId } = successPayload('Pickup.Deposit', deposited);
    expect(successPayload('Pickup.Deposit', deposited).slot).toBe(slot);

    // A door closed on an empty compartment records nothing.
    const empty = staff.send('Pickup.Deposit', { reference: 'SZ-2026-000124', idNumber: person.idNumber, title: '营业执照', size: 'S' });
    // Requests so far on this connection: card, sign-in, deposit, two Dev.Cabinet; this deposit is the 6th.
    const emptySlot = await slotOfEvent(staff, 'Pickup.SlotOpenedEvent', 5);
    expect(emptySlot).not.toBe(slot);
    await staff.send('Dev.Cabinet', { slot: emptySlot, action: 'closeDoor' });
    expect((await empty).completion.header).toMatchObject({ errorCode: 'doorClosedEmpty' });
    await signOutStaff(staff);

    const citizen = await TestClient.authenticated(started.url, started.token);
    agents.keep(citizen);
    // No card and no code; a made-up code; an item id this session never found.
    expect((await citizen.send('Pickup.Find', {})).completion.header).toMatchObject({ errorCode: 'noCard' });
    const wrong = await citizen.send('Pickup.Find', { code: '000000' });
    expect(wrong.completion.header).toMatchObject({ errorCode: 'wrongCode' });
    expect(wrong.completion.payload).toEqual({ attemptsLeft: 4 });
    expect((await citizen.send('Pickup.Collect', { itemId })).completion.header).toMatchObject({ errorCode: 'notFound' });

    // The card: Find lists the item, Collect opens its compartment, the person takes it and closes the door.
    await citizen.send('Dev.InsertCard', { identity: 'standard' });
    expect((await citizen.send('IdCard.Read', {})).completion.header.completionCode).toBe('success');
    const found = successPayload('Pickup.Find', await citizen.send('Pickup.Find', {}));
    expect(found.items).toEqual([expect.objectContaining({ itemId, reference: 'SZ-2026-000123', title: '居民身份证', slot })]);
    const collect = citizen.send('Pickup.Collect', { itemId });
    await slotOfEvent(citizen, 'Pickup.SlotOpenedEvent', 0);
    await citizen.send('Dev.Cabinet', { slot, action: 'takeItem' });
    await citizen.send('Dev.Cabinet', { slot, action: 'closeDoor' });
    const collected = await collect;
    expect(successPayload('Pickup.Collect', collected)).toEqual({ outcome: 'collected', slot, receipt: 'printed' });
    expect(eventsOf(collected.events)).toEqual(['Pickup.SlotOpenedEvent', 'Pickup.ItemTakenEvent', 'Pickup.DoorClosedEvent']);
    const printed = successPayload('Dev.PrintedOutput', await citizen.send('Dev.PrintedOutput', {}));
    expect(printed.receipts.at(-1)?.text).toMatch(/领\s*取\s*凭\s*证/);
    expect(printed.receipts.at(-1)?.text).toContain('SZ-2026-000123');

    // Never twice: not listed any more, and the id no longer opens anything.
    expect(successPayload('Pickup.Find', await citizen.send('Pickup.Find', {})).items).toEqual([]);
    expect((await citizen.send('Pickup.Collect', { itemId })).completion.header).toMatchObject({ errorCode: 'notFound' });
    const cabinet = successPayload('Dev.Cabinet', await citizen.send('Dev.Cabinet'));
    expect(cabinet.compartments.find((c) => c.slot === slot)).toMatchObject({ door: 'closed', item: false });
  });

  it('8A/80 boards (no presence sensor): the person confirms removal once the door is closed', async () => {
    const { citizen, slot, itemId } = await depositThenCitizenWithCard('lock8a', { reference: 'SZ-2026-000300', title: '营业执照' });
    expect((await citizen.send('Pickup.ConfirmRemoval', { itemId, taken: true })).completion.header).toMatchObject({ errorCode: 'notAsked' });

    // The door closes; the board cannot tell, so the person is asked: "still inside" keeps it waiting.
    const first = citizen.send('Pickup.Collect', { itemId }, { requestId: 500 });
    await slotOfEvent(citizen, 'Pickup.SlotOpenedEvent', 499);
    await citizen.send('Dev.Cabinet', { slot, action: 'closeDoor' });
    await citizen.waitFor((m) => m.header.type === 'event' && m.header.name === 'Pickup.ConfirmRemovalEvent' && Number(m.header.requestId) === 500);
    expect(successPayload('Pickup.ConfirmRemoval', await citizen.send('Pickup.ConfirmRemoval', { itemId, taken: false }))).toEqual({});
    expect(successPayload('Pickup.Collect', await first)).toMatchObject({ outcome: 'notRemoved', slot });

    // Again, and this time taken: collected, with the receipt.
    const second = citizen.send('Pickup.Collect', { itemId }, { requestId: 600 });
    await slotOfEvent(citizen, 'Pickup.SlotOpenedEvent', 599);
    await citizen.send('Dev.Cabinet', { slot, action: 'takeItem' });
    await citizen.send('Dev.Cabinet', { slot, action: 'closeDoor' });
    await citizen.waitFor((m) => m.header.type === 'event' && m.header.name === 'Pickup.ConfirmRemovalEvent' && Number(m.header.requestId) === 600);
    successPayload('Pickup.ConfirmRemoval', await citizen.send('Pickup.ConfirmRemoval', { itemId, taken: true }));
    expect(successPayload('Pickup.Collect', await second)).toEqual({ outcome: 'collected', slot, receipt: 'printed' });
  });

  it('a door closed with the certificate still inside: notRemoved, the item stays waiting', async () => {
    const { citizen, slot, itemId } = await depositThenCitizenWithCard('cu16', { reference: 'SZ-2026-000200', title: '不动产权证书', size: 'L' });
    const collect = citizen.send('Pickup.Collect', { itemId });
    await slotOfEvent(citizen, 'Pickup.SlotOpenedEvent', 0);
    await citizen.send('Dev.Cabinet', { slot, action: 'closeDoor' });
    expect(successPayload('Pickup.Collect', await collect)).toEqual({ outcome: 'notRemoved', slot, receipt: 'none' });
    expect(successPayload('Pickup.Find', await citizen.send('Pickup.Find', {})).items.map((i) => i.itemId)).toEqual([itemId]);
  });
});
