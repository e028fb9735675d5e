/**
 * The pickup crash test's child (crash.test.ts beside): an agent's pickup service on SQLite,
 * driving a simulated cabinet whose physical state lives in a file (the "world": doors, which
 * certificate lies in which compartment, what citizens carried away), so that it outlives a
 * SIGKILL as a real cabinet outlives the agent. It loads a certificate when few wait and otherwise
 * lets the person collect one, over and over, until the parent kills it.
 *
 * At every start, after the service's reconciliation, it checks the store against the world and
 * prints `VERIFIED {...}`, or `BROKEN reason` and exits (the harness fails on any exit of its own):
 * - a certificate in a compartment is `waiting` (or `check`) in the store: never lost;
 * - a certificate a citizen carried away is `collected` (or `check`), never `waiting`, and no
 *   certificate was carried away twice: never handed out twice;
 * - nothing is left `depositing`/`collecting` once the doors are closed.
 * A person's action is written to the world before the simulator sees it; a door the lock
 * opened is written right after (lost by a kill in between = the door fell shut again).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../../clock.ts';
import { lockKey, type LockAddress } from '../../../devices/cabinet/driver.ts';
import { defaultLayout } from '../../../devices/cabinet/layout.ts';
import { CabinetSimulator } from '../../../devices/cabinet/simulator.ts';
import { AuditLog, auditMigrations } from '../../../store/audit.ts';
import { openStore } from '../../../store/db.ts';
import { PickupStore, pickupMigrations } from '../../../store/pickup-store.ts';
import { PickupService } from '../pickup-service.ts';

const ID_NUMBER = '11010519491231002X';
const WAITING_TARGET = 4;

type World = { doors: Record<string, 'open' | 'closed'>; items: Record<string, string | null>; carried: string[]; recovered: string[]; next: number };

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
}

const dataDir = arg('--data-dir');
const worldFile = arg('--world');
const layout = defaultLayout('cu16');
const slotOf = new Map(layout.compartments.map((c) => [lockKey(c), c.slot]));
const addressOf = new Map(layout.compartments.map((c) => [c.slot, { board: c.board, lock: c.lock }]));

function address(slot: string): LockAddress {
  const a = addressOf.get(slot);
  if (a === undefined) throw new Error(slot);
  return a;
}

function readWorld(): World {
  try {
    return JSON.parse(readFileSync(worldFile, 'utf8')) as World;
  } catch {
    return { doors: {}, items: {}, carried: [], recovered: [], next: 1 };
  }
}

const world = readWorld();
function saveWorld(): void {
  const tmp = `${worldFile}.tmp`;
  writeFileSync(tmp, JSON.stringify(world));
  renameSync(tmp, worldFile);
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sim = new CabinetSimulator({ locks: layout.compartments, protocol: 'cu16', clock: systemClock });
for (const c of layout.compartments) {
  sim.model.setItem(c, (world.items[c.slot] ?? null) !== null);
  sim.model.setDoor(c, world.doors[c.slot] ?? 'closed');
}
// The lock opened a door: the world learns it (a kill before this line = the door fell shut).
sim.model.onChange((a) => {
  const slot = slotOf.get(lockKey(a));
  if (slot === undefined) return;
  const door = sim.model.door(a);
  if (world.doors[slot] !== door) {
    world.doors[slot] = door;
    saveWorld();
  }
});

/** A person acts: the world first, then the simulator. */
function act(slot: string, change: (w: World) => void, apply: () => void): void {
  change(world);
  saveWorld();
  apply();
}

const store = openStore({ dataDir, migrations: [auditMigrations, pickupMigrations] });
const pickupStore = new PickupStore(store.db);
const service = new PickupService({
  driver: sim,
  layout,
  store: pickupStore,
  audit: new AuditLog(store.db, systemClock),
  clock: systemClock,
  personSecret: Buffer.alloc(32, 9),
});

function verify(): void {
  const rows = pickupStore.itemsInState(['depositing', 'waiting', 'collecting', 'recovering', 'check', 'collected', 'recovered']);
  const byReference = new Map(rows.map((r) => [r.reference, r]));
  const broken = (why: string): never => {
    out(`BROKEN ${why}`);
    process.exit(1);
  };
  for (const [slot, reference] of Object.entries(world.items)) {
    if (reference === null) continue;
    const row = byReference.get(reference);
    if (row === undefined || !(row.state === 'waiting' || row.state === 'check') || row.slot !== slot) broken(`${reference} lies in ${slot} but the store says ${row?.state ?? 'nothing'}`);
  }
  if (new Set(world.carried).size !== world.carried.length) broken('a certificate was carried away twice');
  for (const reference of world.carried) {
    const row = byReference.get(reference);
    if (row === undefined || !(row.state === 'collected' || row.state === 'check')) broken(`${reference} was carried away but the store says ${row?.state ?? 'nothing'}`);
  }
  for (const reference of world.recovered) {
    const row = byReference.get(reference);
    if (row === undefined || !(row.state === 'recovered' || row.state === 'check')) broken(`${reference} was taken back by staff but the store says ${row?.state ?? 'nothing'}`);
  }
  for (const row of rows) {
    if (row.state === 'depositing' || row.state === 'collecting' || row.state === 'recovering') broken(`${row.reference} still ${row.state}`);
    if (row.state === 'collected' && !world.carried.includes(row.reference)) broken(`${row.reference} recorded collected but nobody carried it away`);
    if (row.state === 'waiting' && world.items[row.slot] !== row.reference) broken(`${row.reference} waiting in ${row.slot}, which holds ${world.items[row.slot] ?? 'nothing'}`);
  }
  const count = (s: string): number => rows.filter((r) => r.state === s).length;
  out(`VERIFIED ${JSON.stringify({ waiting: count('waiting'), collected: count('collected'), check: count('check'), carried: world.carried.length })}`);
}

async function deposit(): Promise<void> {
  const reference = `R-${world.next}`;
  world.next += 1;
  saveWorld();
  out('BEGIN deposit');
  const result = await service.deposit({ reference, idNumber: ID_NUMBER, title: '居民身份证' }, (e) => {
    if (e.kind !== 'slotOpened') return;
    out('OPENED');
    setTimeout(() => {
      act(e.slot, (w) => (w.items[e.slot] = reference), () => sim.model.placeItem(address(e.slot)));
      setTimeout(() => act(e.slot, (w) => (w.doors[e.slot] = 'closed'), () => sim.model.closeDoor(address(e.slot))), 2);
    }, 2);
  });
  if (result.kind === 'deposited') out('OK deposit');
  else {
    out(`NOTE deposit ${result.kind}`);
    if (result.kind === 'noFreeCompartment') await recoverOne();
  }
}

/**
 * What the hand at the cabinet does once a compartment opens: takes the item out (into the world's
 * `recovered` or `carried` list), then closes the door.
 */
function takeOutInto(list: 'recovered' | 'carried'): (e: { kind: string; slot?: string }) => void {
  return (e) => {
    if (e.kind !== 'slotOpened' || e.slot === undefined) return;
    const slot = e.slot;
    out('OPENED');
    setTimeout(() => {
      act(
        slot,
        (w) => {
          const reference = w.items[slot];
          if (reference !== null && reference !== undefined) w[list].push(reference);
          w.items[slot] = null;
        },
        () => sim.model.takeItem(address(slot)),
      );
      setTimeout(() => act(slot, (w) => (w.doors[slot] = 'closed'), () => sim.model.closeDoor(address(slot))), 2);
    }, 2);
  };
}

/** Compartments held by items to check (interrupted deposits): staff take one back to free it. */
async function recoverOne(): Promise<void> {
  const item = service.listNeedsCheck()[0];
  if (item === undefined) return;
  out('BEGIN recover');
  const result = await service.recover(item.itemId, takeOutInto('recovered'));
  out(result.kind === 'done' ? 'OK recover' : `NOTE recover ${result.kind}`);
}

async function collect(): Promise<void> {
  const found = service.find({ kind: 'person', idNumber: ID_NUMBER });
  const item = found.kind === 'found' ? found.items[0] : undefined;
  if (item === undefined) return;
  out('BEGIN collect');
  const result = await service.collect(item.itemId, takeOutInto('carried'));
  out(result.kind === 'done' ? 'OK collect' : `NOTE collect ${result.kind}`);
}

async function main(): Promise<void> {
  await sim.start();
  out('OPEN');
  let report = await service.start();
  if (report.doorsOpen.length > 0) {
    // Someone closes the doors a crash left open (with whatever is inside); the next reconcile settles them.
    for (const slot of report.doorsOpen) act(slot, (w) => (w.doors[slot] = 'closed'), () => sim.model.closeDoor(address(slot)));
    report = await service.reconcile();
  }
  // Doors of items already waiting that a crash left open (nothing to settle): close them too.
  for (const [slot, door] of Object.entries(world.doors)) {
    if (door === 'open') act(slot, (w) => (w.doors[slot] = 'closed'), () => sim.model.closeDoor(address(slot)));
  }
  verify();
  out('READY');
  for (;;) {
    // Let I/O (and the parent's kill) in between operations.
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = pickupStore.itemsInState(['waiting']).length;
    if (waiting < WAITING_TARGET) await deposit();
    else await collect();
  }
}

void main().catch((error: unknown) => {
  out(`BROKEN ${error instanceof Error ? error.message : String(error)} ${path.basename(worldFile)}`);
  process.exit(1);
});
