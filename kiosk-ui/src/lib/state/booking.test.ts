import { beforeEach, describe, expect, it } from 'vitest';
import type { BookingView, CompletionPayload, SlipDocument } from '@onevisit/protocol';
import { FakeAgent } from '../agent/fake-agent.ts';
import { BookingFlow, type BookingStep } from './booking.svelte.ts';

const WINDOW = { id: 'w1', name: '1号窗口', nameEn: 'Window 1' };
const SERVICE = { id: 'residence', name: '户籍办理', nameEn: 'Residence', slotMinutes: 30, capacityPerSlot: 2, windows: [WINDOW], materials: [] };
const START = '2026-03-03T09:00:00+08:00';
const LATER = '2026-03-03T09:30:00+08:00';

function booking(code: string, status: BookingView['status'] = 'booked', start = START): BookingView {
  return {
    code,
    serviceId: SERVICE.id,
    serviceName: SERVICE.name,
    serviceNameEn: SERVICE.nameEn,
    window: WINDOW,
    date: '2026-03-03',
    start,
    end: '2026-03-03T09:30:00+08:00',
    status,
    maskedName: '王*明',
    checkInFrom: '2026-03-03T08:30:00+08:00',
    checkInUntil: '2026-03-03T09:15:00+08:00',
    changeUntil: '2026-03-02T17:00:00+08:00',
  };
}

const slip = (code: string): SlipDocument => ({ kind: 'bookingSlip', code, lines: [{ kind: 'title', text: '预约凭条' }] });

function reserved(code: string, start = START): CompletionPayload<'Booking.Reserve'> {
  return { code, window: WINDOW, start, end: '2026-03-03T09:30:00+08:00', booking: booking(code, 'booked', start), slip: slip(code) };
}

const STATUS: CompletionPayload<'Common.Status'> = {
  agent: { version: '0.1.0', terminalId: 'T0001', dev: true, demo: true, time: '2026-03-02T10:00:00+08:00', idleTimeoutMs: 60_000, idleCountdownMs: 15_000 },
  devices: [],
  warnings: [],
};

class Host {
  identified = false;
  readonly calls: string[] = [];
  readonly #endListeners: (() => void)[] = [];
  pendingIdentify: { then: () => void; back: () => void } | undefined;
  constructor(readonly agent: FakeAgent) {}
  send: BookingFlow extends never ? never : ConstructorParameters<typeof BookingFlow>[0]['send'] = (name, payload) => this.agent.client.send(name, payload).result;
  hasIdentity = (): boolean => this.identified;
  identify = (then: () => void, back: () => void): void => {
    this.calls.push('identify');
    this.pendingIdentify = { then, back };
  };
  show = (): void => void this.calls.push('show');
  home = (): void => void this.calls.push('home');
  finish = (): void => void this.calls.push('finish');
  onSessionEnd = (listener: () => void): void => void this.#endListeners.push(listener);
  endSession(): void {
    for (const listener of this.#endListeners) listener();
  }
}

function expectStep<N extends BookingStep['name']>(flow: BookingFlow, name: N): Extract<BookingStep, { name: N }> {
  expect(flow.step.name).toBe(name);
  return flow.step as Extract<BookingStep, { name: N }>;
}

describe('BookingFlow against a fake agent', () => {
  let agent: FakeAgent;
  let host: Host;
  let flow: BookingFlow;

  beforeEach(async () => {
    agent = new FakeAgent();
    agent.answer('Booking.ListServices', () => ({ payload: { services: [SERVICE] } }));
    agent.answer('Common.Status', () => ({ payload: STATUS }));
    agent.answer('Booking.CalendarStatus', () => ({
      payload: { holidayData: { coveredYears: [2026], missingYears: [], warning: false, fileProblems: [] }, earliest: '2026-03-03', latest: '2026-03-16' },
    }));
    agent.answer('Booking.ListSlots', () => ({
      payload: {
        days: [{ date: '2026-03-03', workday: true, bookable: true, remaining: 3 }],
        slots: [
          { start: START, end: LATER, capacity: 2, remaining: 1 },
          { start: LATER, end: '2026-03-03T10:00:00+08:00', capacity: 2, remaining: 2 },
        ],
      },
    }));
    agent.answer('Booking.Reserve', () => ({ payload: reserved('K7M3HX') }));
    agent.answer('ReceiptPrinter.Print', () => ({ payload: {} as CompletionPayload<'ReceiptPrinter.Print'> }));
    await agent.connect();
    host = new Host(agent);
    flow = new BookingFlow(host);
    flow.ensureServices();
    await agent.settle();
  });

  async function toConfirm(): Promise<void> {
    flow.chooseService(SERVICE.id);
    await agent.settle();
    flow.chooseDay('2026-03-03');
    flow.chooseTime(START);
  }

  it('walks service → calendar (the agent\'s today) → times → confirm, each step holding its choice', async () => {
    expect(flow.services.map((s) => s.id)).toEqual([SERVICE.id]);
    await toConfirm();
    const step = expectStep(flow, 'confirm');
    expect(step).toMatchObject({ plan: { mode: 'new', serviceId: SERVICE.id }, date: '2026-03-03', start: START });
    expect(flow.calendar.today).toBe('2026-03-02');
    expect(flow.slot?.remaining).toBe(1);
    expect(agent.payloads('Booking.ListSlots')[0]).toEqual({ serviceId: SERVICE.id, from: '2026-03-02', to: '2026-03-22' });
    flow.back();
    expect(expectStep(flow, 'times').date).toBe('2026-03-03');
  });

  it('reads the card before reserving, then shows the slip and prints it', async () => {
    await toConfirm();
    flow.confirm();
    expect(host.calls).toEqual(['identify']);
    expect(agent.names()).not.toContain('Booking.Reserve');
    host.identified = true;
    host.pendingIdentify?.then();
    await agent.settle();
    const step = expectStep(flow, 'slip');
    expect(step.booking.code).toBe('K7M3HX');
    await flow.printSlip();
    expect(flow.print.state).toEqual({ status: 'printed' });
    expect(agent.names()).not.toContain('Booking.Slip');
  });

  it('the slip offers a rating (好差评) about the service booked, without the booking code; the session end forgets it', async () => {
    host.identified = true;
    await toConfirm();
    flow.confirm();
    await agent.settle();
    expectStep(flow, 'slip');
    expect(flow.rating.service).toBe('booking');
    expect(flow.rating.reference).toBeUndefined();
    expect(flow.rating.subject?.['zh-CN']).toBe(SERVICE.name);
    expect(flow.rating.answered).toBe(false);
    flow.rating.choose(4);
    host.endSession();
    expect(flow.rating.level).toBeUndefined();
    expect(flow.rating.subject).toBeUndefined();
  });

  it('says why a print failed, with the printer\'s code', async () => {
    host.identified = true;
    await toConfirm();
    flow.confirm();
    await agent.settle();
    agent.answer('ReceiptPrinter.Print', () => ({ completionCode: 'deviceNotReady', errorCode: 'paperOut' }));
    await flow.printSlip();
    expect(flow.print.state).toEqual({ status: 'failed', error: 'paperOut' });
  });

  it('on a full slot says so, fetches the seats again and goes back to the times', async () => {
    host.identified = true;
    agent.answer('Booking.Reserve', () => ({ completionCode: 'userError', errorCode: 'slotFull' }));
    await toConfirm();
    flow.confirm();
    await agent.settle();
    expect(flow.problem?.code).toBe('slotFull');
    expect(agent.payloads('Booking.ListSlots')).toHaveLength(2);
    flow.chooseAnotherTime();
    expectStep(flow, 'times');
  });

  it('finds bookings by code, cancels one after "yes", and reschedules another', async () => {
    agent.answer('Booking.Find', () => ({ payload: { bookings: [booking('K7M3HX'), booking('A2C4F6')] } }));
    agent.answer('Booking.Cancel', ({ code }) => ({ payload: { booking: booking(code, 'cancelled') } }));
    flow.openFind();
    for (const key of 'k7m3hx') flow.typeKey(key);
    expect(flow.appointments.codeComplete).toBe(true);
    flow.findByCode();
    await agent.settle();
    expectStep(flow, 'list');
    expect(agent.payloads('Booking.Find')).toEqual([{ code: 'K7M3HX' }]);
    // Found by its code alone: the card of the person who booked comes first.
    flow.askCancel('K7M3HX');
    expect(host.calls).toEqual(['identify']);
    expect(flow.appointments.confirmingCancel).toBeUndefined();
    host.identified = true;
    host.pendingIdentify?.then();
    expect(flow.appointments.confirmingCancel).toBe('K7M3HX');
    await flow.cancelConfirmed();
    expect(flow.appointments.found.find((b) => b.code === 'K7M3HX')?.status).toBe('cancelled');
    expect(flow.appointments.notice).toEqual({ kind: 'cancelled' });

    const moving = flow.appointments.found.find((b) => b.code === 'A2C4F6');
    if (moving === undefined) throw new Error('not found');
    agent.answer('Booking.Reschedule', ({ code, start }) => ({ payload: reserved(code, start) }));
    flow.reschedule(moving);
    await agent.settle();
    expect(expectStep(flow, 'calendar').plan).toMatchObject({ mode: 'reschedule', moving: { code: 'A2C4F6' } });
    flow.chooseDay('2026-03-03');
    flow.chooseTime(LATER);
    flow.confirm();
    await agent.settle();
    expect(expectStep(flow, 'slip').mode).toBe('reschedule');
    expect(agent.payloads('Booking.Reschedule')).toEqual([{ code: 'A2C4F6', start: LATER }]);
    expect(flow.appointments.found.find((b) => b.code === 'A2C4F6')?.start).toBe(LATER);
  });

  it('reprints a slip from the list by fetching it, and says which booking it is for', async () => {
    agent.answer('Booking.Find', () => ({ payload: { bookings: [booking('K7M3HX')] } }));
    agent.answer('Booking.Slip', ({ code }) => ({ payload: { slip: slip(code) } }));
    host.identified = true;
    flow.openFind();
    flow.findMine();
    await agent.settle();
    await flow.printSlip('K7M3HX');
    expect(flow.printCode).toBe('K7M3HX');
    expect(flow.print.state.status).toBe('printed');
    expect(agent.payloads('Booking.Slip')).toEqual([{ code: 'K7M3HX' }]);
  });

  it('forgets everything at the session end, and drops an answer that comes after it', async () => {
    host.identified = true;
    await toConfirm();
    const held = agent.hold('Booking.Reserve');
    flow.confirm();
    await agent.settle();
    expect(flow.busy).toBe(true);
    host.endSession();
    await held.release({ payload: reserved('K7M3HX') });
    expectStep(flow, 'services');
    expect(flow.busy).toBe(false);
    expect(flow.calendar.slots).toEqual([]);
    expect(flow.appointments.found).toEqual([]);
  });
});
