import type { Identity } from '@onevisit/protocol';
import type { Device, Unsubscribe } from '../device.ts';

/** Progress while a read is waiting or running; becomes IdCard.*Event messages. */
export type ReadStage = 'waitingForCard' | 'cardFound' | 'reading';

/**
 * The closed set of outcomes of one read. Expected failures are values (STYLE.md).
 * - read: a card was read and decoded (validation of expiry etc. is the service's job).
 * - canceled: the signal fired (cancel or timeout; the caller knows which).
 * - deviceNotReady: the reader is offline or faulty.
 * - readFailed: a card is there but could not be read (moved too early, damaged, unknown card).
 */
export type CardReadResult =
  | { kind: 'read'; identity: Identity }
  | { kind: 'canceled' }
  | { kind: 'deviceNotReady' }
  | { kind: 'readFailed'; reason: 'unreadable' | 'unsupportedCard' | 'communication' };

export type CardEvent = 'placed' | 'read' | 'removed';

export interface IdCardReader extends Device {
  readonly id: 'idCard';
  /**
   * Waits for a card that has not been read during its current placement, then reads it.
   * A card must be lifted before it is read again (GA/T 467 readers keep finding the same card).
   */
  readCard(options: { signal: AbortSignal; onStage?: (stage: ReadStage) => void }): Promise<CardReadResult>;
  /** Card placed / read / removed, pushed to the UI as unsolicited messages. */
  onCard(listener: (event: CardEvent) => void): Unsubscribe;
}
