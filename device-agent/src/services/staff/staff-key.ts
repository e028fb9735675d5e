import { createHmac } from 'node:crypto';

/**
 * A staff member is known by HMAC-SHA256 of their ID number, keyed by the hall's secret (the same
 * secret file as the booking person keys, services/booking/person-key.ts: the terminals of a hall
 * share it). The message is prefixed `staff:` so a staff key never equals that person's booking key:
 * the two registers cannot be joined on it. Audit events carry this key, never the ID number.
 */
export function staffKeyOf(idNumber: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(`staff:${idNumber.trim().toUpperCase()}`).digest('hex');
}

/** The first 12 hex digits: enough to tell staff apart in an audit event or a list. */
export function shortStaffKey(key: string): string {
  return key.slice(0, 12);
}
