import type { SlipDocument } from '@onevisit/protocol';
import { formatShanghaiIso, formatShanghaiTime } from '@onevisit/protocol';
import type { QueueTicket } from '../../store/booking-store.ts';
import type { HallCalendarConfig, ServiceConfig, Text } from './calendar-config.ts';
import { formatBookingCode } from './booking-code.ts';
import { formatDateZh } from './slip.ts';

/** What a citizen is told about their place in the queue (排队号), with the receipt to print. */
export interface QueueTicketView {
  readonly number: number;
  /** `007`: the number as the hall's display and the window call it. */
  readonly display: string;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly serviceNameEn: string;
  readonly date: string;
  readonly window: { id: string; name: string; nameEn: string };
  /** Tickets of the same service and day still waiting before this one. */
  readonly peopleAhead: number;
  readonly issuedAt: string;
  /** The booking checked in with this ticket; absent for a walk-in ticket. */
  readonly bookingCode?: string;
  readonly slip: SlipDocument;
}

export function ticketDisplay(number: number): string {
  return String(number).padStart(3, '0');
}

/** The walk-in window of ticket `number`: the service's windows in turn. */
export function walkInWindow(service: ServiceConfig, number: number): string {
  const window = service.windows[(number - 1) % service.windows.length];
  if (window === undefined) throw new Error('a service without windows');
  return window;
}

/** The receipt of a queue ticket: printer-neutral like the booking slip, no personal data at all. */
export function buildTicketSlip(ticket: QueueTicket, service: ServiceConfig, window: { readonly name: Text } | undefined, hall: HallCalendarConfig['hall']): SlipDocument {
  return {
    kind: 'queueTicket',
    code: ticketDisplay(ticket.number),
    lines: [
      { kind: 'title', text: '排队号', textEn: 'Queue ticket' },
      { kind: 'text', text: hall.name['zh-CN'], size: 'normal', align: 'center', bold: false },
      { kind: 'rule' },
      { kind: 'text', text: ticketDisplay(ticket.number), size: 'large', align: 'center', bold: true },
      { kind: 'field', label: '办理事项', labelEn: 'Service', value: service.name['zh-CN'], emphasis: false },
      { kind: 'field', label: '窗口', labelEn: 'Window', value: window?.name['zh-CN'] ?? ticket.windowId, emphasis: true },
      { kind: 'field', label: '前面等候', labelEn: 'People ahead', value: `${ticket.peopleAhead}人`, emphasis: false },
      { kind: 'field', label: '取号时间', labelEn: 'Issued', value: `${formatDateZh(ticket.date)} ${formatShanghaiTime(ticket.issuedMs)}`, emphasis: false },
      ...(ticket.bookingCode === null
        ? []
        : [{ kind: 'field' as const, label: '预约码', labelEn: 'Booking code', value: formatBookingCode(ticket.bookingCode), emphasis: false }]),
      { kind: 'rule' },
      { kind: 'text', text: '请留意叫号屏幕和广播，过号请到窗口咨询。', size: 'normal', align: 'left', bold: false },
    ],
  };
}

export function ticketView(ticket: QueueTicket, service: ServiceConfig, windows: HallCalendarConfig['windows'], hall: HallCalendarConfig['hall']): QueueTicketView {
  const window = windows.find((w) => w.id === ticket.windowId);
  return {
    number: ticket.number,
    display: ticketDisplay(ticket.number),
    serviceId: service.id,
    serviceName: service.name['zh-CN'],
    serviceNameEn: service.name.en,
    date: ticket.date,
    window: { id: ticket.windowId, name: window?.name['zh-CN'] ?? ticket.windowId, nameEn: window?.name.en ?? ticket.windowId },
    peopleAhead: ticket.peopleAhead,
    issuedAt: formatShanghaiIso(ticket.issuedMs),
    ...(ticket.bookingCode === null ? {} : { bookingCode: ticket.bookingCode }),
    slip: buildTicketSlip(ticket, service, window, hall),
  };
}
