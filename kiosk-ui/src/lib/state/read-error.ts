import type { CompletionCode } from '@onevisit/device-agent/protocol';

/** What the identify screen tells the citizen when a read does not succeed. Closed set, one text each. */
export const READ_ERROR_KINDS = ['readerOffline', 'cardExpired', 'notYetValid', 'notRecognised', 'noCard', 'failed'] as const;
export type ReadErrorKind = (typeof READ_ERROR_KINDS)[number];

/** Maps an IdCard.Read failure (completion code + the agent's stable error code) to what the citizen sees. */
export function readErrorKind(completionCode: Exclude<CompletionCode, 'success'> | 'connectionLost', errorCode: string | undefined): ReadErrorKind {
  if (completionCode === 'deviceNotReady' || completionCode === 'hardwareError') return 'readerOffline';
  if (completionCode === 'timeOut') return 'noCard';
  if (errorCode === 'cardExpired') return 'cardExpired';
  if (errorCode === 'cardNotYetValid') return 'notYetValid';
  if (errorCode === 'invalidIdNumber' || errorCode === 'unsupportedCard') return 'notRecognised';
  // Anything else (a read that broke off, a lost connection): lift the card and try again.
  return 'failed';
}
