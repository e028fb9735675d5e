import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../clock.ts';
import type { CabinetProtocol, LockAddress } from '../../devices/cabinet/driver.ts';
import { defaultLayout } from '../../devices/cabinet/layout.ts';
import { CabinetSimulator } from '../../devices/cabinet/simulator.ts';
import { AuditLog, auditMigrations } from '../../store/audit.ts';
import { openStore, type Store } from '../../store/db.ts';
import { PickupStore, pickupMigrations } from '../../store/pickup-store.ts';
import { PickupService, type PickupEvent, type PickupNotice, type PickupWarning } from './pickup-service.ts';
import { PickupWarnings } from './pickup-warnings.ts';
import { cabinetUnits, cabinetWarnings } from './cabinet-units.ts';

const ID_NUMBER = '11010519491231002X';
const SECRET = Buffer.alloc(32, 7);
const clock: Clock = { now: () => Date.now() };

class Rig {
  readonly dataDir: string;
  store: Store;
  readonly sim: CabinetSimulator;
  service: PickupService;
  readonly notices: PickupNotice[] = [];
  readonly warnings: PickupWarning[] = [];
  codes = ['123456', '654321', '111111', '222222'];
  /** The hall's retention setting, read by the service at each use. */
  retentionDays = 7;

  constructor(protocol: CabinetProtocol = 'cu16', dataDir?: string, sim?: CabinetSimulator) {
    this.dataDir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'onevisit-pickup-'));
    this.sim = sim ?? new CabinetSimulator({ locks: defaultLayout(protocol).compartments, protocol, clock });
    this.store = openStore({ dataDir: this.dataDir, migrations: [auditMigrations, pickupMigrations] });
    this.service = this.#make(protocol);
  }

  #make(protocol: CabinetProtocol): PickupService {
    return new PickupService({
      driver: this.sim,
      layout: defaultLayout(protocol),
      store: new PickupStore(this.store.db),
      audit: new AuditLog(this.store.db, clock),
      clock,
      personSecret: SECRET,
      notifier: { notify: (n) => this.notices.push(n) },
      onWarning: (w) => this.warnings.push(w),
      makeCode: () => this.codes.shift() ?? '999999',
      retentionMs: () => this.retentionDays * 24 * 3_600_000,
    });
  }

  /** A new process on the same data folder and the same physical cabinet (after a crash). */
  restart(protocol: CabinetProtocol = 'cu16'): void {
    this.service.stop();
    this.store.close();
    this.store = openStore({ dataDir: this.dataDir, migrations: [auditMigrations, pickupMigrations] });
    this.service = this.#make(protocol);
  }

  addressOf(slot: string): LockAddress {
    const c = defaultLayout(this.sim.protocol).compartments.find((x) => x.slot === slot);
    if (c === undefined) throw new Error(slot);
    return c;
  }

  /** Staff: the door opens; put the certificate in and close it. */
  async depositOne(reference: string, size?: 'S' | 'M' | 'L'): Promise<{ itemId: string; slot: string; code: string; events: PickupEvent[] }> {
    const events: PickupEvent[] = [];
    const result = await this.service.deposit({ reference, idNumber: ID_NUMBER, title: '居民身份证', ...(size ? { size } : {}) }, (e) => {
      events.push(e);
      if (e.kind === 'slotOpened') {
        const a = this.addressOf(e.slot);
        queueMicrotask(() => {
          if (this.sim.protocol === 'cu16') this.sim.model.placeItem(a);
          this.sim.model.closeDoor(a);
        });
      }
    });
    if (result.kind !== 'deposited') throw new Error(`deposit: ${result.kind}`);
    return { itemId: result.itemId, slot: result.slot, code: result.pickupCode, events };
  }
}

describe('PickupService on the simulator (SQLite, fake timers)', () => {
  let rig: Rig;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-11-23T01:00:00Z'));
    rig = new Rig();
    await rig.sim.start();
    await rig.service.start();
  });
  afterEach(() => {
    rig.service.stop();
    rig.store.close();
    vi.useRealTimers();
  });

  it('deposits into the smallest free compartment that fits, with the sensors deciding each step', async () => {
    const small = await rig.depositOne('R-1');
    expect(small.slot).toBe('A01');
    expect(small.events.map((e) => e.kind)).toEqual(['slotOpened', 'itemPlaced', 'doorClosed']);
    expect(small.code).toBe('123456');
    const medium = await rig.depositOne('R-2', 'M');
    expect(medium.slot).toBe('A09');
    expect(rig.notices[0]).toMatchObject({ kind: 'deposited', reference: 'R-1', slot: 'A01', pickupCode: '123456' });
    expect(rig.service.compartments().filter((c) => c.state === 'occupied').map((c) => c.slot)).toEqual(['A01', 'A09']);
  });

  it('records nothing when the door is closed with nothing inside', async () => {
    const result = await rig.service.deposit({ reference: 'R-1', idNumber: ID_NUMBER, title: 'T' }, (e) => {
      if (e.kind === 'slotOpened') queueMicrotask(() => rig.sim.model.closeDoor(rig.addressOf(e.slot)));
    });
    expect(result).toEqual({ kind: 'doorClosedEmpty', slot: 'A01' });
    expect(rig.service.compartments()[0]).toEqual({ slot: 'A01', size: 'S', state: 'free' });
    expect(rig.service.find({ kind: 'person', idNumber: ID_NUMBER })).toEqual({ kind: 'found', items: [] });
  });

  it('finds by ID card and by code, and collects when the item is taken and the door closed', async () => {
    const { itemId, slot, code } = await rig.depositOne('R-1');
    const byCard = rig.service.find({ kind: 'person', idNumber: ID_NUMBER.toLowerCase() });
    expect(byCard).toMatchObject({ kind: 'found', items: [{ itemId, reference: 'R-1', title: '居民身份证', slot }] });
    expect(rig.service.find({ kind: 'code', code })).toMatchObject({ kind: 'found', items: [{ itemId }] });

    const events: PickupEvent[] = [];
    const result = await rig.service.collect(itemId, (e) => {
      events.push(e);
      if (e.kind === 'slotOpened') queueMicrotask(() => {
        rig.sim.model.takeItem(rig.addressOf(slot));
        rig.sim.model.closeDoor(rig.addressOf(slot));
      });
    });
    expect(result).toEqual({ kind: 'done', slot });
    expect(events.map((e) => e.kind)).toEqual(['slotOpened', 'itemTaken', 'doorClosed']);
    expect(rig.service.find({ kind: 'person', idNumber: ID_NUMBER })).toEqual({ kind: 'found', items: [] });
    // Never handed out twice.
    expect(await rig.service.collect(itemId)).toEqual({ kind: 'notFound' });
  });

  it('keeps the item waiting when the door is closed with the item still inside', async () => {
    const { itemId, slot } = await rig.depositOne('R-1');
    const result = await rig.service.collect(itemId, (e) => {
      if (e.kind === 'slotOpened') queueMicrotask(() => rig.sim.model.closeDoor(rig.addressOf(slot)));
    });
    expect(result).toEqual({ kind: 'notRemoved', slot });
    expect(rig.service.find({ kind: 'person', idNumber: ID_NUMBER })).toMatchObject({ items: [{ itemId }] });
  });

  it('reports a door left open past the limit, and still completes when it is closed', async () => {
    const { itemId, slot } = await rig.depositOne('R-1');
    const events: PickupEvent[] = [];
    const pending = rig.service.collect(itemId, (e) => events.push(e));
    await vi.advanceTimersByTimeAsync(0);
    rig.sim.model.takeItem(rig.addressOf(slot));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.map((e) => e.kind)).toEqual(['slotOpened', 'itemTaken', 'doorLeftOpen']);
    expect(rig.warnings).toEqual([{ kind: 'doorLeftOpen', slot }]);
    rig.sim.model.closeDoor(rig.addressOf(slot));
    expect(await pending).toEqual({ kind: 'done', slot });
  });

  it('locks code entry for 5 minutes after 5 wrong codes', async () => {
    const { code } = await rig.depositOne('R-1');
    for (let left = 4; left >= 1; left -= 1) expect(rig.service.find({ kind: 'code', code: '000000' })).toEqual({ kind: 'wrongCode', attemptsLeft: left });
    const locked = rig.service.find({ kind: 'code', code: '000000' });
    expect(locked.kind).toBe('codeEntryLocked');
    expect(rig.service.find({ kind: 'code', code }).kind).toBe('codeEntryLocked');
    vi.advanceTimersByTime(5 * 60_000);
    expect(rig.service.find({ kind: 'code', code }).kind).toBe('found');
  });

  it('marks a lock that fails as a fault and deposits into the next compartment', async () => {
    rig.sim.model.failLock(rig.addressOf('A01'));
    const failed = await rig.service.deposit({ reference: 'R-1', idNumber: ID_NUMBER, title: 'T' });
    expect(failed).toEqual({ kind: 'lockFailed', slot: 'A01' });
    expect(rig.warnings).toEqual([{ kind: 'lockFailed', slot: 'A01' }]);
    expect((await rig.depositOne('R-1')).slot).toBe('A02');
    expect(rig.service.compartments()[0]?.state).toBe('fault');
  });

  it('says the device is not ready when the board is silent', async () => {
    rig.sim.silenceBoard(0);
    expect(await rig.service.deposit({ reference: 'R-1', idNumber: ID_NUMBER, title: 'T' })).toEqual({ kind: 'deviceNotReady' });
  });

  it('takes the retention from the hall at each use (hall-settings.json "pickup", reloaded by a reset)', async () => {
    const { itemId } = await rig.depositOne('R-1');
    vi.advanceTimersByTime(2 * 24 * 3_600_000 + 1);
    expect(rig.service.listOverdue()).toEqual([]);
    rig.retentionDays = 1;
    expect(rig.service.listOverdue().map((i) => i.itemId)).toEqual([itemId]);
  });

  it('lists items past the retention and recovers one', async () => {
    const { itemId, slot } = await rig.depositOne('R-1');
    expect(rig.service.listOverdue()).toEqual([]);
    vi.advanceTimersByTime(7 * 24 * 3_600_000 + 1);
    expect(rig.service.listOverdue().map((i) => i.itemId)).toEqual([itemId]);
    const result = await rig.service.recover(itemId, (e) => {
      if (e.kind === 'slotOpened') queueMicrotask(() => {
        rig.sim.model.takeItem(rig.addressOf(slot));
        rig.sim.model.closeDoor(rig.addressOf(slot));
      });
    });
    expect(result).toEqual({ kind: 'done', slot });
    expect(rig.service.listOverdue()).toEqual([]);
    expect(rig.notices.at(-1)).toEqual({ kind: 'recovered', itemId, reference: 'R-1' });
  });

  it('opens any compartment for a technician, audited', async () => {
    const result = await rig.service.open('A05', (e) => {
      if (e.kind === 'slotOpened') queueMicrotask(() => rig.sim.model.closeDoor(rig.addressOf('A05')));
    });
    expect(result).toEqual({ kind: 'closed', slot: 'A05', presence: 'empty' });
    expect(new AuditLog(rig.store.db, clock).recent(5).map((r) => r.kind)).toEqual(['cabinetDoorClosed', 'cabinetUnlocked']);
    expect(await rig.service.open('Z99')).toEqual({ kind: 'unknownSlot' });
  });

  it('reconciles after a crash from the sensors: collected, restored, dropped', async () => {
    const taken = await rig.depositOne('R-1');
    const left = await rig.depositOne('R-2');
    const db = rig.store.db;
    // A crash mid-collect: the state says collecting, the door was opened.
    db.prepare(`UPDATE pickup_item SET state = 'collecting' WHERE id IN (?, ?)`).run(taken.itemId, left.itemId);
    rig.sim.model.setDoor(rig.addressOf(taken.slot), 'open');
    rig.sim.model.takeItem(rig.addressOf(taken.slot));
    rig.sim.model.closeDoor(rig.addressOf(taken.slot));
    // A crash mid-deposit with the door closed empty.
    db.prepare(`INSERT INTO pickup_item (id, reference, person_key, title, slot, code_hash, state, created_at) VALUES ('x', 'R-3', 'k', 'T', 'A03', 'h', 'depositing', 0)`).run();

    rig.restart();
    const report = await rig.service.start();
    expect(report).toMatchObject({ collected: 1, restored: 1, dropped: 1, check: 0 });
    expect(await rig.service.collect(taken.itemId)).toEqual({ kind: 'notFound' });
    expect(rig.service.find({ kind: 'person', idNumber: ID_NUMBER })).toMatchObject({ items: [{ itemId: left.itemId }] });
    expect(rig.service.compartments().find((c) => c.slot === 'A03')?.state).toBe('free');
  });

  it('warns of an item in a compartment with nothing on record, until the sensor reads it empty; compartments as storage units', async () => {
    const { slot } = await rig.depositOne('R-1');
    const stray = rig.addressOf('A02');
    rig.sim.model.setDoor(stray, 'open');
    rig.sim.model.placeItem(stray);
    rig.sim.model.closeDoor(stray);
    await rig.service.reconcile();
    expect(rig.warnings).toContainEqual({ kind: 'itemUnexpected', slot: 'A02' });
    expect(rig.warnings.some((w) => w.kind === 'itemUnexpected' && w.slot === slot)).toBe(false);

    const warnings = new PickupWarnings(rig.sim, defaultLayout('cu16'));
    warnings.add({ kind: 'itemUnexpected', slot: 'A02' });
    expect(cabinetWarnings(warnings.current(rig.service.compartments(), new Set()))).toEqual([{ code: 'cabinetItemUnexpected', detail: expect.stringContaining('A02') as string }]);
    const opened = await rig.service.open('A02', (e) => {
      if (e.kind === 'slotOpened') {
        queueMicrotask(() => {
          rig.sim.model.takeItem(stray);
          rig.sim.model.closeDoor(stray);
        });
      }
    });
    expect(opened).toMatchObject({ kind: 'closed', presence: 'empty' });
    expect(warnings.current(rig.service.compartments(), new Set())).toEqual([]);

    const units = cabinetUnits(rig.service.compartments());
    expect(units).toHaveLength(16);
    expect(units.find((u) => u.id === `cabinet.${slot}`)).toMatchObject({ kind: 'cabinetSlot', device: 'dispenser', count: 1, compartment: { slot, state: 'occupied' } });
    expect(units.find((u) => u.id === 'cabinet.A02')).toMatchObject({ count: 0, state: 'empty', compartment: { state: 'free' } });
  });

  it('storage exchange: a deposit uses only the exchange\'s compartments; what reconcile finds touched is manipulated until the end-of-exchange check agrees', async () => {
    const inExchange = new Set(['A03', 'A04']);
    const result = await rig.service.deposit(
      { reference: 'R-9', idNumber: ID_NUMBER, title: '居民身份证' },
      (e) => {
        if (e.kind !== 'slotOpened') return;
        const a = rig.addressOf(e.slot);
        queueMicrotask(() => {
          rig.sim.model.placeItem(a);
          rig.sim.model.closeDoor(a);
        });
      },
      undefined,
      { inExchange: (slot) => inExchange.has(slot) },
    );
    expect(result).toMatchObject({ kind: 'deposited', slot: 'A03' });

    // Someone puts something into A02 outside an exchange.
    const stray = rig.addressOf('A02');
    rig.sim.model.setDoor(stray, 'open');
    rig.sim.model.placeItem(stray);
    rig.sim.model.closeDoor(stray);
    await rig.service.reconcile();
    expect([...rig.service.manipulatedSlots()]).toEqual(['A02']);
    expect(cabinetUnits(rig.service.compartments(), { manipulated: rig.service.manipulatedSlots() }).find((u) => u.id === 'cabinet.A02')?.state).toBe('manipulated');
    // Still inside at the end of the exchange: it stays manipulated; taken out: the check clears it.
    expect(await rig.service.checkCompartments(['A02', 'A03'])).toEqual([
      { slot: 'A02', result: 'presenceMismatch' },
      { slot: 'A03', result: 'ok' },
    ]);
    expect(rig.service.manipulatedSlots().has('A02')).toBe(true);
    rig.sim.model.setDoor(stray, 'open');
    rig.sim.model.takeItem(stray);
    rig.sim.model.closeDoor(stray);
    expect(await rig.service.checkCompartments(['A02'])).toEqual([{ slot: 'A02', result: 'ok' }]);
    expect(rig.service.manipulatedSlots().size).toBe(0);
  });

  it('keeps no ID number, name or pickup code in the database, and the audit chain holds', async () => {
    const { code } = await rig.depositOne('R-1');
    rig.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(rig.store.file).toString('latin1');
    expect(bytes).not.toContain(ID_NUMBER);
    expect(bytes).not.toContain(code);
    expect(new AuditLog(rig.store.db, clock).verify().ok).toBe(true);
  });
});

describe('PickupService on 8A/80 boards (no presence sensor)', () => {
  it('deposits on the door closing and collects on the citizen confirming removal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const rig = new Rig('lock8a');
    try {
      await rig.sim.start();
      await rig.service.start();
      const { itemId, slot } = await rig.depositOne('R-1');
      const notConfirmed = await rig.service.collect(itemId, (e) => {
        if (e.kind === 'slotOpened') queueMicrotask(() => rig.sim.model.closeDoor(rig.addressOf(slot)));
      }, { confirmRemoval: () => Promise.resolve(false) });
      expect(notConfirmed).toEqual({ kind: 'notRemoved', slot });
      const confirmed = await rig.service.collect(itemId, (e) => {
        if (e.kind === 'slotOpened') queueMicrotask(() => rig.sim.model.closeDoor(rig.addressOf(slot)));
      }, { confirmRemoval: () => Promise.resolve(true) });
      expect(confirmed).toEqual({ kind: 'done', slot });
    } finally {
      rig.service.stop();
      rig.store.close();
      vi.useRealTimers();
    }
  });
});
