import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { z } from 'zod';
import { isValidDate, yearOf } from '@onevisit/protocol';
import type { Text } from './calendar-config.ts';

/**
 * China's statutory holidays (法定节假日, including the weekend days of a holiday period)
 * and make-up working days (调休上班), per year.
 *
 * The base comes from the `chinese-days` package (its JSON, read directly: its
 * functions silently fall back to plain weekends for years they do not know, which
 * would make 1 January of an unknown year a working day). The State Council publishes
 * next year's schedule each November, usually before a package release; a hall adds it
 * without a software update by dropping `<year>.json` into the holiday data folder.
 * A hall file replaces the package's data for its year.
 */

export type HolidayMark =
  | { readonly kind: 'holiday'; readonly name: Text; readonly source: HolidaySource }
  | { readonly kind: 'workday'; readonly name: Text; readonly source: HolidaySource };
export type HolidaySource = 'chinese-days' | 'hall-file' | 'hall-config';

export interface HolidayYear {
  readonly year: number;
  readonly source: HolidaySource;
  readonly marks: ReadonlyMap<string, HolidayMark>;
}

const PackageJsonSchema = z.object({
  holidays: z.record(z.string(), z.string()),
  workdays: z.record(z.string(), z.string()),
});

/** `"Spring Festival,春节,4"` → names. The English part may itself contain commas. */
function packageName(value: string): Text {
  const parts = value.split(',');
  if (parts.length >= 3) {
    const zh = parts[parts.length - 2] ?? value;
    const en = parts.slice(0, -2).join(',');
    return { 'zh-CN': zh.trim() || value, en: en.trim() || value };
  }
  return { 'zh-CN': value, en: value };
}

function groupByYear(
  source: HolidaySource,
  holidays: Readonly<Record<string, string>>,
  workdays: Readonly<Record<string, string>>,
): Map<number, Map<string, HolidayMark>> {
  const years = new Map<number, Map<string, HolidayMark>>();
  const put = (date: string, mark: HolidayMark): void => {
    if (!isValidDate(date)) return;
    const year = yearOf(date);
    let marks = years.get(year);
    if (!marks) {
      marks = new Map();
      years.set(year, marks);
    }
    marks.set(date, mark);
  };
  for (const [date, value] of Object.entries(holidays)) put(date, { kind: 'holiday', name: packageName(value), source });
  for (const [date, value] of Object.entries(workdays)) put(date, { kind: 'workday', name: packageName(value), source });
  return years;
}

/** The years the `chinese-days` package knows. */
export function loadPackageHolidays(): HolidayYear[] {
  const require = createRequire(import.meta.url);
  const path = require.resolve('chinese-days/dist/chinese-days.json');
  const parsed = PackageJsonSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return [...groupByYear('chinese-days', parsed.holidays, parsed.workdays)].map(([year, marks]) => ({ year, source: 'chinese-days', marks }));
}

const HallDaySchema = z.object({
  date: z.string().refine(isValidDate, 'expected YYYY-MM-DD'),
  name: z.union([z.string().min(1), z.object({ 'zh-CN': z.string().min(1), en: z.string().min(1) })]),
});

/**
 * A hall's holiday file for one year. Two shapes are accepted:
 * ours (lists of `{ date, name }`), or a year file of the `chinese-days`
 * package itself (`dist/years/<year>.json` of a newer release), copied as is.
 */
export const HallHolidayFileSchema = z.union([
  z.object({
    year: z.number().int().min(2000).max(2200),
    /** Where the schedule comes from, e.g. 国办发明电〔2026〕N号. */
    source: z.string().max(200).optional(),
    holidays: z.array(HallDaySchema),
    workdays: z.array(HallDaySchema).default([]),
  }),
  PackageJsonSchema.extend({ inLieuDays: z.record(z.string(), z.string()).optional() }),
]);

function hallName(name: z.infer<typeof HallDaySchema>['name']): Text {
  return typeof name === 'string' ? { 'zh-CN': name, en: name } : name;
}

export interface HallHolidayLoad {
  readonly years: HolidayYear[];
  /** Files that could not be used, with the reason: for staff, never fatal. */
  readonly problems: string[];
}

/** Reads every `<year>.json` in `dir` (a missing folder is fine). */
export function loadHallHolidayFiles(dir: string): HallHolidayLoad {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d{4}\.json$/.test(n)).sort();
  } catch {
    return { years: [], problems: [] };
  }
  const years: HolidayYear[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const fileYear = Number(name.slice(0, 4));
    try {
      const parsed = HallHolidayFileSchema.safeParse(JSON.parse(readFileSync(join(dir, name), 'utf8')));
      if (!parsed.success) {
        problems.push(`${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        continue;
      }
      const data = parsed.data;
      let marks: Map<string, HolidayMark>;
      if ('year' in data) {
        if (data.year !== fileYear) {
          problems.push(`${name}: says year ${data.year}`);
          continue;
        }
        marks = new Map();
        for (const d of data.holidays) marks.set(d.date, { kind: 'holiday', name: hallName(d.name), source: 'hall-file' });
        for (const d of data.workdays) marks.set(d.date, { kind: 'workday', name: hallName(d.name), source: 'hall-file' });
      } else {
        marks = groupByYear('hall-file', data.holidays, data.workdays).get(fileYear) ?? new Map<string, HolidayMark>();
      }
      const stray = [...marks.keys()].find((date) => yearOf(date) !== fileYear);
      if (stray !== undefined) {
        problems.push(`${name}: holds ${stray}, outside ${fileYear}`);
        continue;
      }
      if (![...marks.values()].some((m) => m.kind === 'holiday')) {
        problems.push(`${name}: has no holidays`);
        continue;
      }
      years.push({ year: fileYear, source: 'hall-file', marks });
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { years, problems };
}

/** Per-year statutory data, hall files over the package; `undefined` year = not covered. */
export class HolidayTable {
  readonly #years = new Map<number, HolidayYear>();

  constructor(...layers: readonly (readonly HolidayYear[])[]) {
    // Later layers replace earlier ones year by year.
    for (const layer of layers) for (const y of layer) this.#years.set(y.year, y);
  }

  covers(year: number): boolean {
    return this.#years.has(year);
  }

  /** The mark of a date, `null` for an ordinary day of a covered year, `undefined` when the year is not covered. */
  lookup(date: string): HolidayMark | null | undefined {
    const year = this.#years.get(yearOf(date));
    if (!year) return undefined;
    return year.marks.get(date) ?? null;
  }

  coveredYears(): number[] {
    return [...this.#years.keys()].sort((a, b) => a - b);
  }

  sourceOf(year: number): HolidaySource | undefined {
    return this.#years.get(year)?.source;
  }
}
