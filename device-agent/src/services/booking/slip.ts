import type { CardType, SlipDocument, SlipLine } from '@onevisit/protocol';
import type { HallCalendarConfig, ServiceConfig, Text } from './calendar-config.ts';
import type { BookingRecord } from '../../store/booking-store.ts';
import { formatBookingCode } from './booking-code.ts';
import { formatShanghaiTime, shanghaiDate, weekdayOf } from '@onevisit/protocol';

const WEEKDAYS_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'] as const;

/** `2026-11-23` → `2026年11月23日 星期一`. */
export function formatDateZh(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y ?? ''}年${Number(m)}月${Number(d)}日 ${WEEKDAYS_ZH[weekdayOf(date)] ?? ''}`;
}

const ONLY_FOR_ZH = { resident: '仅限持居民身份证者', foreignPermanent: '仅限持外国人永久居留身份证者' } as const satisfies Record<CardType, string>;

function materialText(m: ServiceConfig['materials'][number]): string {
  const copies = m.copies === undefined ? '' : `（${m.copies}份）`;
  const note = m.note === undefined ? '' : `：${m.note['zh-CN']}`;
  // A slip may be printed without the card at hand (a reschedule by code): a card-specific material says for whom.
  const forWhom = m.cardTypes === undefined ? '' : `（${m.cardTypes.map((c) => ONLY_FOR_ZH[c]).join('、')}）`;
  return `${m.name['zh-CN']}${copies}${note}${forWhom}`;
}

/**
 * The slip a citizen takes home: printer-neutral, rendered by the receipt printer.
 * Only the masked name is personal; the QR code carries the booking code alone.
 */
export function buildSlip(
  record: BookingRecord,
  service: ServiceConfig,
  window: { readonly name: Text } | undefined,
  hall: HallCalendarConfig['hall'],
  changeUntilMs: number,
): SlipDocument {
  const lines: SlipLine[] = [
    { kind: 'title', text: '预约凭条', textEn: 'Appointment slip' },
    { kind: 'text', text: hall.name['zh-CN'], align: 'center' },
    { kind: 'rule' },
    { kind: 'field', label: '办理事项', labelEn: 'Service', value: service.name['zh-CN'] },
    { kind: 'field', label: '日期', labelEn: 'Date', value: formatDateZh(record.date) },
    { kind: 'field', label: '时间', labelEn: 'Time', value: `${formatShanghaiTime(record.startMs)}–${formatShanghaiTime(record.endMs)}` },
    { kind: 'field', label: '窗口', labelEn: 'Window', value: window?.name['zh-CN'] ?? record.windowId },
    { kind: 'field', label: '姓名', labelEn: 'Name', value: record.maskedName },
    { kind: 'field', label: '预约码', labelEn: 'Booking code', value: formatBookingCode(record.code), emphasis: true },
    { kind: 'qr', payload: record.code, caption: formatBookingCode(record.code) },
    {
      kind: 'field',
      label: '签到时间',
      labelEn: 'Check in',
      value: `${formatShanghaiTime(record.checkInOpenMs)}–${formatShanghaiTime(record.checkInCloseMs)}`,
    },
    { kind: 'rule' },
  ];
  if (service.materials.length > 0) {
    lines.push({
      kind: 'list',
      title: '请携带以下材料（一次性告知单）',
      titleEn: 'Please bring',
      items: service.materials.map(materialText),
    });
    lines.push({ kind: 'rule' });
  }
  const deadlineDate = shanghaiDate(changeUntilMs);
  const [, dm, dd] = deadlineDate.split('-');
  lines.push({
    kind: 'text',
    text: `如需取消或改约，请于${Number(dm)}月${Number(dd)}日 ${formatShanghaiTime(changeUntilMs)}前凭预约码或身份证在自助终端办理。逾期未签到记为爽约。`,
  });
  return {
    kind: 'bookingSlip',
    code: record.code,
    lines: lines.map((l): SlipDocument['lines'][number] => {
      switch (l.kind) {
        case 'text':
          return { kind: 'text', text: l.text, size: l.size ?? 'normal', align: l.align ?? 'left', bold: l.bold ?? false };
        case 'field':
          return { ...l, emphasis: l.emphasis ?? false };
        case 'title':
        case 'qr':
        case 'list':
        case 'rule':
          return l;
        default: {
          const never: never = l;
          return never;
        }
      }
    }),
  };
}
