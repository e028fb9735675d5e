import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { IdentitySchema } from '../identity.ts';

export const ID_CARD_READ_DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Why IdCard.Read failed: the reader (readerNotReady, readerCommunication), the card as read
 * (cardUnreadable, unsupportedCard), or the card's content (invalidIdNumber, cardExpired, cardNotYetValid).
 */
export const ID_CARD_READ_ERROR_CODES = [
  'readerNotReady',
  'readerCommunication',
  'cardUnreadable',
  'unsupportedCard',
  'invalidIdNumber',
  'cardExpired',
  'cardNotYetValid',
] as const;

export const idCardCommands = {
  'IdCard.Read': defineCommand({
    role: 'citizen',
    description:
      'Wait for an ID card on the reader and read it. Honours header.timeout and Common.Cancel. A card must be lifted before it is read again.',
    payload: z.object({}).optional(),
    completion: z.object({ identity: IdentitySchema }),
    errors: errorsOf(ID_CARD_READ_ERROR_CODES),
    events: {
      /** Waiting for a card: the UI shows where to place it. */
      'IdCard.WaitingForCardEvent': z.object({}),
      /** A card was found on the reader. */
      'IdCard.CardFoundEvent': z.object({}),
      /** The card's data is being read. */
      'IdCard.ReadingEvent': z.object({}),
    },
    defaultTimeoutMs: ID_CARD_READ_DEFAULT_TIMEOUT_MS,
  }),
} as const;

export const idCardUnsolicited = {
  'IdCard.CardPlacedEvent': z.object({}),
  'IdCard.CardReadEvent': z.object({}),
  'IdCard.CardRemovedEvent': z.object({}),
} as const;
