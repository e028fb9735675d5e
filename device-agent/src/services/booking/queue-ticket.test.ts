import { describe, expect, it } from 'vitest';
import { at, testBookingService, testPerson } from './booking-test-support.ts';
import type { BookingResult } from './booking-service.ts';

const NOW = '2026-11-21T12:00:00+08:00';
const MON_9 = '2026-11-23T09:00:00+08:00';

function value<T>(r: BookingResult<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${r.error}`);
  return r.value;
}

describe('BookingService queue tickets', () => {
  it('gives a check-in a ticket in the same sequence as walk-ins, with window, people ahead and a receipt', async () => {
    const { service, clock } = testBookingService(NOW);
    const a = value(await service.reserve(testPerson(1), 'hukou', MON_9));
    const b = value(await service.reserve(testPerson(2), 'hukou', MON_9));
    clock.set(at('2026-11-23T08:40:00+08:00'));
    const walkIn = value(await service.takeTicket('hukou'));
    expect(walkIn).toMatchObject({ number: 1, display: '001', peopleAhead: 0, window: { id: 'w1' }, date: '2026-11-23' });
    expect(walkIn.bookingCode).toBeUndefined();
    const first = value(await service.checkInWithTicket(a.code));
    expect(first.booking.status).toBe('checkedIn');
    expect(first.ticket).toMatchObject({ number: 2, peopleAhead: 1, bookingCode: a.code, window: a.booking.window, serviceId: 'hukou' });
    const second = value(await service.checkInWithTicket(b.code));
    expect([second.ticket.number, second.ticket.peopleAhead]).toEqual([3, 2]);
    expect(second.ticket.slip.kind).toBe('queueTicket');
    const printed = JSON.stringify(second.ticket.slip.lines);
    expect(printed).toContain('003');
    expect(printed).toContain('前面等候');
    expect(printed).not.toContain(testPerson(2).idNumber);
    // A second check-in is refused and issues nothing.
    expect((await service.checkInWithTicket(b.code)).ok).toBe(false);
    expect(value(await service.takeTicket('hukou')).number).toBe(4);
    // Another service has its own sequence.
    expect(value(await service.takeTicket('shebao')).number).toBe(1);
  });

  it('refuses a walk-in ticket for an unknown service or a day the service is closed', async () => {
    const { service } = testBookingService(NOW); // Saturday
    expect(await service.takeTicket('nosuch')).toMatchObject({ ok: false, error: 'unknownService' });
    expect(await service.takeTicket('hukou')).toMatchObject({ ok: false, error: 'closed' });
  });
});
