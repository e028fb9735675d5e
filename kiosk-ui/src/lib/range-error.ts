
/**
 * The text key of an `outOfRange` problem (issue 10: "不能晚于或大于 5" said both at once): a date
 * bound (`YYYY-MM-DD`) is "not before / not after", a number bound "not below / not above".
 */
export function rangeErrorKey(side: 'min' | 'max', bound: unknown): `apply.error.${'min' | 'max' | 'minDate' | 'maxDate'}` {
  const isDate = typeof bound === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(bound);
  if (side === 'min') return isDate ? 'apply.error.minDate' : 'apply.error.min';
  return isDate ? 'apply.error.maxDate' : 'apply.error.max';
}
