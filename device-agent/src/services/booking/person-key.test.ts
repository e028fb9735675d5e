import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { SqliteBookingStore } from '../../store/booking-sqlite-store.ts';
import { openBookingTestDatabase } from '../../store/booking-test-db.ts';
import { createBookingService } from './booking-service.ts';
import { at, silentLog, testPerson } from './booking-test-support.ts';
import { loadOrCreatePersonSecret, PERSON_SECRET_FILE, personKeyOf } from './person-key.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'booking-data-'));
  dirs.push(d);
  return d;
}

describe('person keys', () => {
  it('creates the secret once, private to the agent, and reuses it', () => {
    const dir = tempDir();
    const a = loadOrCreatePersonSecret(dir);
    expect(a.length).toBe(32);
    expect(statSync(join(dir, PERSON_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreatePersonSecret(dir).equals(a)).toBe(true);
  });

  it('keys a person by number, never holding the number, and differs per secret', () => {
    const p = testPerson(5);
    const s1 = Buffer.alloc(32, 1);
    const key = personKeyOf(p, s1);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(p.idNumber);
    expect(personKeyOf({ cardType: p.cardType, idNumber: ` ${p.idNumber.toLowerCase()}` }, s1)).toBe(key);
    expect(personKeyOf(p, Buffer.alloc(32, 2))).not.toBe(key);
    expect(personKeyOf(testPerson(6), s1)).not.toBe(key);
  });
});

describe('createBookingService', () => {
  it("reads the hall's calendar and holiday years from the data folder", async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'booking', 'holidays'), { recursive: true });
    const shipped = JSON.parse(readFileSync(new URL('../../../config/booking/hall-calendar.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dataDir, 'booking', 'hall-calendar.json'), JSON.stringify({ ...shipped, horizonWorkingDays: 10 }));
    writeFileSync(
      join(dataDir, 'booking', 'holidays', '2027.json'),
      JSON.stringify({ year: 2027, holidays: [{ date: '2027-01-01', name: '元旦' }], workdays: [] }),
    );
    const service = createBookingService({
      dataDir,
      store: new SqliteBookingStore(openBookingTestDatabase()),
      clock: new ManualClock(at('2026-12-28T10:00:00+08:00')),
      log: silentLog,
      terminalId: 'T1',
    });
    expect(service.calendar.config.horizonWorkingDays).toBe(10);
    expect(service.holidayStatus()).toMatchObject({ missingYears: [], warning: false, coveredThrough: '2027-12-31' });
    const r = await service.listSlots('household-registration', '2027-01-01', '2027-01-04');
    expect(r.ok && r.value.days.map((d) => [d.date, d.workday, d.holiday ?? null])).toEqual([
      ['2027-01-01', false, '元旦'],
      ['2027-01-02', false, null],
      ['2027-01-03', false, null],
      ['2027-01-04', true, null],
    ]);
  });
});
