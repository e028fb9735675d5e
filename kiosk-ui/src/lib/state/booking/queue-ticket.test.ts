import { beforeEach, describe, expect, it } from 'vitest';
import type { CompletionPayload } from '@onevisit/protocol';
import { FakeAgent } from '../../agent/fake-agent.ts';
import { QueueTicketDesk, type QueueTicketInfo } from './queue-ticket.svelte.ts';

const TICKET: QueueTicketInfo = {
  number: 7,
  display: '007',
  serviceId: 'residence',
  serviceName: '户籍办理',
  serviceNameEn: 'Residence',
  date: '2026-03-03',
  window: { id: 'w1', name: '1号窗口', nameEn: 'Window 1' },
  peopleAhead: 2,
  issuedAt: '2026-03-03T09:00:00+08:00',
  slip: { kind: 'queueTicket', code: '007', lines: [{ kind: 'title', text: '排队号', textEn: 'Queue ticket' }] },
};

describe('QueueTicketDesk against a fake agent', () => {
  let agent: FakeAgent;
  let desk: QueueTicketDesk;

  beforeEach(async () => {
    agent = new FakeAgent();
    agent.answer('ReceiptPrinter.Print', () => ({ payload: {} as CompletionPayload<'ReceiptPrinter.Print'> }));
    await agent.connect();
    desk = new QueueTicketDesk((name, payload) => agent.client.send(name, payload).result);
  });

  it('takes a walk-in ticket, shows it and prints its receipt at once', async () => {
    agent.answer('Queue.Take', () => ({ payload: { ticket: TICKET } }));
    await desk.take('residence');
    await agent.settle();
    expect(agent.payloads('Queue.Take')).toEqual([{ serviceId: 'residence' }]);
    expect(desk.ticket?.display).toBe('007');
    expect(agent.names()).toContain('ReceiptPrinter.Print');
    expect(desk.print.state).toEqual({ status: 'printed' });
  });

  it('says the queue is unavailable when the hall database is away, and prints nothing', async () => {
    agent.answer('Queue.Take', () => ({ completionCode: 'deviceNotReady', errorCode: 'bookingUnavailable' }));
    await desk.take('residence');
    await agent.settle();
    expect(desk.ticket).toBeUndefined();
    expect(desk.problem).toEqual({ code: 'bookingUnavailable' });
    expect(agent.names()).not.toContain('ReceiptPrinter.Print');
  });

  it('offers a reprint after a failed print, and reset drops a late answer', async () => {
    agent.answer('ReceiptPrinter.Print', () => ({ completionCode: 'deviceNotReady', errorCode: 'paperOut' }));
    desk.issued(TICKET);
    await agent.settle();
    expect(desk.print.state).toEqual({ status: 'failed', error: 'paperOut' });
    agent.answer('Queue.Take', () => ({ payload: { ticket: TICKET } }));
    const late = desk.take('residence');
    desk.reset();
    await late;
    await agent.settle();
    expect(desk.ticket).toBeUndefined();
  });
});
