import { checkIdNumber, LONG_TERM, type Identity } from '@onevisit/protocol';

export type CardProblem = {
  errorCode: 'invalidIdNumber' | 'cardExpired' | 'cardNotYetValid';
  /** Polite, for people and logs; never holds personal data. */
  errorDescription: string;
};

/**
 * Checks a card that was read before the kiosk uses it:
 * - resident cards: the GB 11643 check character, and a birth date that agrees with the number;
 * - every card: validity dates against `today` (`YYYY-MM-DD` in the terminal's zone).
 *   A card is valid through its end date; `长期` never expires.
 * Foreign permanent-residence numbers follow another layout (old 15-character cards), so only dates are checked.
 */
export function checkCard(identity: Identity, today: string): CardProblem | undefined {
  if (identity.cardType === 'resident') {
    const check = checkIdNumber(identity.idNumber);
    if (!check.ok || check.birthDate !== identity.birthDate) {
      return {
        errorCode: 'invalidIdNumber',
        errorDescription: 'The ID number on this card could not be verified. Please ask the hall staff for help.',
      };
    }
  }
  switch (checkValidity(identity, today)) {
    case 'expired':
      return { errorCode: 'cardExpired', errorDescription: 'This ID card has expired. Please use a valid card or ask the hall staff for help.' };
    case 'notYetValid':
      return { errorCode: 'cardNotYetValid', errorDescription: 'This ID card is not valid yet. Please ask the hall staff for help.' };
    case 'valid':
      return undefined;
  }
}

/**
 * The one validity rule of every identity document (a card, a scanned temporary ID certificate):
 * valid through its end date, `长期` never expires, `''` (not printed / not read) is not a refusal.
 * Dates are `YYYY-MM-DD`, so string order is date order.
 */
export function checkValidity(validity: { validFrom: string; validTo: string }, today: string): 'valid' | 'expired' | 'notYetValid' {
  if (validity.validTo !== '' && validity.validTo !== LONG_TERM && validity.validTo < today) return 'expired';
  if (validity.validFrom !== '' && validity.validFrom > today) return 'notYetValid';
  return 'valid';
}
