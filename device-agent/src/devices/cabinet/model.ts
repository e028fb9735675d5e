import type { Unsubscribe } from '../device.ts';
import { Listeners } from '../listeners.ts';
import { lockKey, type DoorState, type LockAddress } from './driver.ts';

/**
 * The physical cabinet, without bytes: doors, items and faults. Shared by the simulator (which
 * implements the driver interface on it) and the emulator (which speaks a board's bytes about
 * it), so both behave alike. Tests and the dev dock act on it as a person would.
 */
interface Cell {
  door: DoorState;
  item: boolean;
  /** The lock does not release when told to (jammed, unpowered). */
  failing: boolean;
}

export class CabinetModel {
  readonly #cells = new Map<string, Cell>();
  readonly #silentBoards = new Set<number>();
  readonly #changes = new Listeners<LockAddress>();

  constructor(locks: readonly LockAddress[]) {
    for (const address of locks) this.#cells.set(lockKey(address), { door: 'closed', item: false, failing: false });
  }

  has(address: LockAddress): boolean {
    return this.#cells.has(lockKey(address));
  }

  #cell(address: LockAddress): Cell {
    const cell = this.#cells.get(lockKey(address));
    if (cell === undefined) throw new RangeError(`no compartment at board ${address.board} lock ${address.lock}`);
    return cell;
  }

  door(address: LockAddress): DoorState {
    return this.#cell(address).door;
  }

  hasItem(address: LockAddress): boolean {
    return this.#cell(address).item;
  }

  /** The board releases the lock; the spring pushes the door open. Returns whether it opened. */
  unlock(address: LockAddress): boolean {
    const cell = this.#cell(address);
    if (cell.failing) return false;
    if (cell.door === 'open') return true;
    cell.door = 'open';
    this.#changes.emit(address);
    return true;
  }

  /** A person pushes the door shut; it latches. */
  closeDoor(address: LockAddress): void {
    const cell = this.#cell(address);
    if (cell.door === 'closed') return;
    cell.door = 'closed';
    this.#changes.emit(address);
  }

  placeItem(address: LockAddress): void {
    const cell = this.#cell(address);
    if (cell.door !== 'open') throw new Error(`cannot place an item behind a closed door (board ${address.board} lock ${address.lock})`);
    if (cell.item) return;
    cell.item = true;
    this.#changes.emit(address);
  }

  takeItem(address: LockAddress): void {
    const cell = this.#cell(address);
    if (cell.door !== 'open') throw new Error(`cannot take an item from behind a closed door (board ${address.board} lock ${address.lock})`);
    if (!cell.item) return;
    cell.item = false;
    this.#changes.emit(address);
  }

  /** Sets an item without a door cycle: the state found after a restart, or a fixture. */
  setItem(address: LockAddress, item: boolean): void {
    this.#cell(address).item = item;
    this.#changes.emit(address);
  }

  /** Sets a door without the lock: a door forced or left ajar, for fixtures. */
  setDoor(address: LockAddress, door: DoorState): void {
    this.#cell(address).door = door;
    this.#changes.emit(address);
  }

  failLock(address: LockAddress, failing = true): void {
    this.#cell(address).failing = failing;
  }

  /** A silent board hears commands but never answers (powered off, cable cut, wrong address). */
  silence(board: number, silent = true): void {
    if (silent) this.#silentBoards.add(board);
    else this.#silentBoards.delete(board);
  }

  isSilent(board: number): boolean {
    return this.#silentBoards.has(board);
  }

  /** Locks of one board, in lock order. */
  locksOf(board: number): LockAddress[] {
    return [...this.#cells.keys()]
      .map((key) => {
        const [b = 0, l = 0] = key.split(':').map(Number);
        return { board: b, lock: l };
      })
      .filter((a) => a.board === board)
      .sort((a, b) => a.lock - b.lock);
  }

  get boards(): number[] {
    return [...new Set([...this.#cells.keys()].map((key) => Number(key.split(':')[0])))].sort((a, b) => a - b);
  }

  onChange(listener: (address: LockAddress) => void): Unsubscribe {
    return this.#changes.add(listener);
  }
}
