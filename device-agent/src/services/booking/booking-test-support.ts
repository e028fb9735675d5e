import pino from 'pino';
import { ManualClock } from '../../clock.ts';
import { gb11643CheckChar } from '@onevisit/protocol';
import type { Identity } from '@onevisit/protocol';
import { SqliteBookingStore } from '../../store/booking-sqlite-store.ts';
import type { BookingStore } from '../../store/booking-store.ts';
import { openBookingTestDatabase } from '../../store/booking-test-db.ts';
import { BookingService } from './booking-service.ts';
import { HallCalendar } from './calendar.ts';
import { HallCalendarSchema } from './calendar-config.ts';
import type { HallCalendarInput } from './calendar-config.ts';
import { HolidayTable, loadPackageHolidays } from './holiday-data.ts';
import type { HolidayYear } from './holiday-data.ts';
import { parseIsoInstant } from '@onevisit/protocol';

/** Test and bench helpers: fictional people, a small hall, a service on an in-memory store. */

/** A fictional person with a valid GB 11643 number (born 1990-01-01), distinct for each n below 10⁸. */
export function testPerson(n: number, name = '王小明'): Identity {
  const first17 = `${110105 + Math.floor(n / 1000)}19900101${String(n % 1000).padStart(3, '0')}`;
  const idNumber = `${first17}${gb11643CheckChar(first17) ?? '0'}`;
  return {
    name,
    sex: n % 2 === 1 ? '男' : '女',
    nation: '汉',
    birthDate: '1990-01-01',
    address: '北京市朝阳区测试路1号',
    idNumber,
    authority: '北京市公安局朝阳分局',
    validFrom: '2020-01-01',
    validTo: '2040-01-01',
    cardType: 'resident',
    photo: '',
  };
}

/** Epoch ms of an ISO instant; throws on a typo in a test. */
export function at(iso: string): number {
  const ms = parseIsoInstant(iso);
  if (ms === undefined) throw new Error(`bad instant in test: ${iso}`);
  return ms;
}

export function testCalendarInput(overrides: Partial<HallCalendarInput> = {}): HallCalendarInput {
  const weekday = { open: '09:00', close: '17:00', breaks: [{ start: '12:00', end: '13:30' }] };
  return {
    hall: { name: { 'zh-CN': '测试服务厅', en: 'Test hall' } },
    windows: [
      { id: 'w1', name: { 'zh-CN': '1号窗口', en: 'Window 1' } },
      { id: 'w2', name: { 'zh-CN': '2号窗口', en: 'Window 2' } },
    ],
    services: [
      {
        id: 'hukou',
        name: { 'zh-CN': '户籍业务', en: 'Household registration' },
        windows: ['w1', 'w2'],
        slotMinutes: 30,
        capacityPerSlot: 3,
        materials: [
          { name: { 'zh-CN': '居民身份证原件', en: 'ID card' } },
          { name: { 'zh-CN': '户口簿', en: 'Household register' }, copies: 1 },
        ],
      },
      {
        id: 'shebao',
        name: { 'zh-CN': '社保业务', en: 'Social security' },
        windows: ['w2'],
        slotMinutes: 60,
        capacityPerSlot: 1,
      },
      {
        id: 'gongjijin',
        name: { 'zh-CN': '公积金业务', en: 'Provident fund' },
        windows: ['w1'],
        slotMinutes: 60,
        capacityPerSlot: 1,
      },
    ],
    hours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: null, sun: null },
    ...overrides,
  };
}

let packageYears: HolidayYear[] | undefined;

export function testCalendar(overrides: Partial<HallCalendarInput> = {}, hallYears: HolidayYear[] = []): HallCalendar {
  packageYears ??= loadPackageHolidays();
  return new HallCalendar(HallCalendarSchema.parse(testCalendarInput(overrides)), new HolidayTable(packageYears, hallYears));
}

export const silentLog = pino({ level: 'silent' });

export interface TestBooking {
  readonly service: BookingService;
  readonly clock: ManualClock;
  readonly store: BookingStore;
}

/**
 * Where `testBookingService` keeps bookings when no store is given: a new in-memory SQLite
 * database, unless a test file points it elsewhere (booking-service.pg.test.ts runs the whole
 * service suite on PostgreSQL this way).
 */
let defaultStore: () => BookingStore = () => new SqliteBookingStore(openBookingTestDatabase());

/** Points `testBookingService` at another store; returns what puts the SQLite default back. */
export function setDefaultTestBookingStore(create: () => BookingStore): () => void {
  const previous = defaultStore;
  defaultStore = create;
  return () => {
    defaultStore = previous;
  };
}

export function testBookingService(
  nowIso: string,
  options: { overrides?: Partial<HallCalendarInput>; dbPath?: string; migrate?: boolean; calendar?: HallCalendar; store?: BookingStore } = {},
): TestBooking {
  const clock = new ManualClock(at(nowIso));
  const store =
    options.store ??
    (options.dbPath === undefined ? defaultStore() : new SqliteBookingStore(openBookingTestDatabase(options.dbPath, { migrate: options.migrate ?? true })));
  const service = new BookingService({
    calendar: options.calendar ?? testCalendar(options.overrides),
    store,
    clock,
    log: silentLog,
    personSecret: Buffer.from('test-secret-test-secret-0123456789'),
    terminalId: 'T-TEST',
  });
  return { service, clock, store };
}
