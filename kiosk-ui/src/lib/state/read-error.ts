import type { CompletionCode } from '@onevisit/device-agent/protocol';

/** What the identify screen tells the citizen when a read does not succeed. Closed set, one text each. */
export const READ_ERROR_KINDS = ['readerOffline', 'cardExpired', 'notRecognised', 'noCard', 'failed'] as const;
export type ReadErrorKind = (typeof READ_ERROR_KINDS)[number];

/** Maps an IdCard.Read failure (completion code + the agent's stable error code) to what the citizen sees. */
export function readErrorKind(completionCode: Exclude<CompletionCode, 'success'> | 'connectionLost', errorCode: string | undefined): ReadErrorKind {
  switch (completionCode) {
    case 'deviceNotReady':
    case 'hardwareError':
      return 'readerOffline';
    case 'timeOut':
      return 'noCard';
    case 'userError':
    case 'invalidData':
      if (errorCode === 'cardExpired') return 'cardExpired';
      if (errorCode === 'invalidIdNumber' || errorCode === 'unsupportedCard' || errorCode === 'unreadable') return 'notRecognised';
      return 'failed';
    default:
      return 'failed';
  }
}
