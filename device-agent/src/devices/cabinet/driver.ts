import type { Device, Unsubscribe } from '../device.ts';

/**
 * The certificate cabinet (证照柜) as the pickup service sees it: lock boards behind one
 * interface, implemented by the real driver (board-driver.ts, bytes on RS-485) and the
 * simulator (simulator.ts). The service never sees bytes, boards' dialects or the bus.
 */

export const CABINET_PROTOCOLS = ['cu16', 'lock8a'] as const;
export type CabinetProtocol = (typeof CABINET_PROTOCOLS)[number];

/** A lock on a board, numbered as printed on the board: lock 1 is the first. */
export interface LockAddress {
  readonly board: number;
  readonly lock: number;
}

export function lockKey(address: LockAddress): string {
  return `${address.board}:${address.lock}`;
}

/**
 * What the cabinet's own sensors say about one compartment.
 * - door: `closed` = closed and latched (CU16 hook bit 1; 8A/80 feedback "closed");
 * - presence: the infrared item sensor (CU16); `unknown` on boards without one (8A/80).
 */
export type DoorState = 'open' | 'closed';
export type Presence = 'present' | 'empty' | 'unknown';

export interface CompartmentReading extends LockAddress {
  readonly door: DoorState;
  readonly presence: Presence;
}

/**
 * - unlocked: the board released the lock and reports the door open;
 * - lockFailed: the board answered but the door still reads closed after the re-checks
 *   (a jammed or unpowered lock): the compartment needs a technician;
 * - offline: the board did not answer (or the link is down): nothing is known to have moved.
 */
export type UnlockResult =
  | { kind: 'unlocked'; reading: CompartmentReading }
  | { kind: 'lockFailed'; reading: CompartmentReading }
  | { kind: 'offline' };

export type ReadResult = { kind: 'ok'; reading: CompartmentReading } | { kind: 'offline' };

export interface CabinetDriver extends Device {
  readonly id: 'dispenser';
  readonly protocol: CabinetProtocol;
  /** Releases one lock. One command at a time on the bus: concurrent calls queue. */
  unlock(address: LockAddress): Promise<UnlockResult>;
  /** Asks the board now (not the last poll). */
  read(address: LockAddress): Promise<ReadResult>;
  /**
   * A compartment's reading whenever it changes, as seen by polling: fast while a door on that
   * board is open (or `watch`ed), slow otherwise. The first reading after start is emitted too.
   */
  onReading(listener: (reading: CompartmentReading) => void): Unsubscribe;
  /** Polls this lock's board at the fast rate until the returned function is called. */
  watch(address: LockAddress): Unsubscribe;
}
