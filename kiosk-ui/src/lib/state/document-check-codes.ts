import type { CompletionPayload, Notice } from '@onevisit/protocol';

/**
 * The closed sets of the supporting-document check (issue 3, use (b)) on the 一次性告知单, and the
 * pure rules behind them. No runes here: unit-testable and shared by the texts (check.*.ts).
 */

/** What a check told the citizen: both values found, or which one was not. */
export const CHECK_OUTCOMES = ['checked', 'nameNotFound', 'idNumberNotFound', 'bothNotFound', 'noTextFound'] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

/** The outcomes that are not "checked": the result screen says what to do next. */
export type CheckProblem = Exclude<CheckOutcome, 'checked'>;

type CheckPayload = CompletionPayload<'Ocr.CheckDocument'>;
type Material = Notice['materials'][number];

/** Ocr.CheckDocument's answer → one outcome. `found` is the agent's verdict; `problems` only says why not. */
export function checkOutcome(payload: Pick<CheckPayload, 'found' | 'name' | 'idNumber' | 'problems'>): CheckOutcome {
  if (payload.found && payload.name.found && payload.idNumber.found) return 'checked';
  if (payload.problems.includes('noTextFound')) return 'noTextFound';
  if (!payload.name.found && !payload.idNumber.found) return 'bothNotFound';
  if (!payload.name.found) return 'nameNotFound';
  if (!payload.idNumber.found) return 'idNumberNotFound';
  // `found` false with both values found cannot happen; treat it as nothing checked.
  return 'bothNotFound';
}

/**
 * Materials the citizen hands in as paper: a copy (复印件) is always paper that stays with the
 * application, so it can be scanned now. An original (原件) alone is shown at the window and
 * given back (the ID card itself, a photo, a bank card, the old social security card): nothing to
 * hand in, nothing to scan.
 */
export function isPaperMaterial(material: Pick<Material, 'form'>): boolean {
  switch (material.form) {
    case 'copy':
    case 'originalAndCopy':
      return true;
    case 'original':
      return false;
    default: {
      const unreachable: never = material.form;
      return unreachable;
    }
  }
}
