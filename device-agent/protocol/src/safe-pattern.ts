/**
 * Field patterns come from form packages, and the agent tests them against citizens' answers: a
 * pattern that backtracks catastrophically (`(a+)+b` froze the agent for 12.5 s on 32 characters,
 * issue 11) must be refused when the package is checked and loaded. JavaScript's engine backtracks,
 * so we allow only patterns without the shapes that make it exponential or high-degree polynomial:
 * - no quantifier (other than `?`) on a group that itself holds a quantifier or an alternation
 *   (`(a+)+`, `(a|aa)*`, `(\d{2})+`: star height above one);
 * - no backreferences (`\1`, `\k<name>`);
 * - a bounded number of ways to split an answer among the pattern's variable quantifiers: the product
 *   of their ranges (`*`, `+` and `{n,}` count as 257, the answer cap plus one; `{n,m}` as m − n + 1;
 *   `?` as 2) at most 257², i.e. two unbounded quantifiers (three made 256 characters cost 165 ms;
 *   six `a{0,32}` in a row, which a count of "long" quantifiers let through, froze it for 7.7 s);
 * and answers tested against a pattern are capped at PATTERN_ANSWER_MAX_CHARS (form-validation.ts).
 * (The linear-time `re2` package would lift these limits but needs a native build; not used.)
 */

export const PATTERN_ANSWER_MAX_CHARS = 256;
/** What an unbounded quantifier counts for: it can take 0 to 256 characters of a capped answer. */
const UNBOUNDED_RANGE = PATTERN_ANSWER_MAX_CHARS + 1;
const MAX_SPLITS = UNBOUNDED_RANGE * UNBOUNDED_RANGE;

/** How many lengths a quantifier can take (1 for a fixed count). */
function rangeOf(quantifier: string): number {
  if (quantifier === '?') return 2;
  if (quantifier === '*' || quantifier === '+') return UNBOUNDED_RANGE;
  const bounds = /^\{(\d+)(,(\d*))?\}$/.exec(quantifier);
  if (!bounds) return 1;
  const low = Number(bounds[1]);
  if (bounds[2] === undefined) return 1;
  if (bounds[3] === '' || bounds[3] === undefined) return UNBOUNDED_RANGE;
  return Math.max(1, Math.min(UNBOUNDED_RANGE, Number(bounds[3]) - low + 1));
}

type Group = { quantified: boolean; alternation: boolean };

/** Undefined when `pattern` is safe to run on answers, otherwise why not. */
export function unsafePatternReason(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'not a valid regular expression';
  }
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let closed: Group | undefined;
  let splits = 1;
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i];
    const top = stack[stack.length - 1];
    if (top === undefined) return 'unbalanced groups';
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return 'backreferences are not allowed';
      i += 1;
      closed = undefined;
      continue;
    }
    if (ch === '[') {
      // Skip the character class; `]` may be escaped inside it.
      for (i += 1; i < pattern.length && pattern[i] !== ']'; i += 1) if (pattern[i] === '\\') i += 1;
      closed = undefined;
      continue;
    }
    if (ch === '(') {
      stack.push({ quantified: false, alternation: false });
      closed = undefined;
      continue;
    }
    if (ch === ')') {
      const group = stack.pop();
      const parent = stack[stack.length - 1];
      if (group === undefined || parent === undefined) return 'unbalanced groups';
      parent.quantified ||= group.quantified;
      closed = group;
      continue;
    }
    if (ch === '|') {
      top.alternation = true;
      closed = undefined;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?' || ch === '{') {
      let quantifier: string = ch;
      if (ch === '{') {
        const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (!match) {
          closed = undefined;
          continue;
        }
        quantifier = match[0];
        i += quantifier.length - 1;
      }
      if (pattern[i + 1] === '?') i += 1; // lazy: same cost
      const optionalOnly = quantifier === '?' || quantifier === '{0,1}' || quantifier === '{1}' || quantifier === '{0}';
      splits *= rangeOf(quantifier);
      if (splits > MAX_SPLITS) return 'too many ways to match one answer (its variable quantifiers multiply beyond two unbounded ones)';
      if (closed && !optionalOnly && (closed.quantified || closed.alternation)) return 'a repeated group holds a quantifier or alternation (catastrophic backtracking)';
      top.quantified = true;
      closed = undefined;
      continue;
    }
    closed = undefined;
  }
  return stack.length === 1 ? undefined : 'unbalanced groups';
}
