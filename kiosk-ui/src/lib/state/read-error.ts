import type { CompletionCode, DeclaredErrorCodeOf } from '@onevisit/protocol';

/** What the identify screen tells the citizen when a read does not succeed. Closed set, one text each. */
export const READ_ERROR_KINDS = ['readerOffline', 'cardExpired', 'notYetValid', 'notRecognised', 'noCard', 'failed'] as const;
export type ReadErrorKind = (typeof READ_ERROR_KINDS)[number];

/** Every code IdCard.Read declares → what the citizen sees: a new code does not compile until it is placed here. */
export const READ_ERROR_OF = {
  readerNotReady: 'readerOffline',
  readerCommunication: 'readerOffline',
  cardUnreadable: 'failed',
  unsupportedCard: 'notRecognised',
  invalidIdNumber: 'notRecognised',
  cardExpired: 'cardExpired',
  cardNotYetValid: 'notYetValid',
} as const satisfies Record<DeclaredErrorCodeOf<'IdCard.Read'>, ReadErrorKind>;

/** Maps an IdCard.Read failure (completion code + the agent's stable error code) to what the citizen sees. */
export function readErrorKind(completionCode: Exclude<CompletionCode, 'success'> | 'connectionLost', errorCode: string | undefined): ReadErrorKind {
  if (completionCode === 'deviceNotReady' || completionCode === 'hardwareError') return 'readerOffline';
  if (completionCode === 'timeOut') return 'noCard';
  if (errorCode !== undefined && Object.hasOwn(READ_ERROR_OF, errorCode)) return READ_ERROR_OF[errorCode as keyof typeof READ_ERROR_OF];
  // Anything else (a read that broke off, a lost connection): lift the card and try again.
  return 'failed';
}
