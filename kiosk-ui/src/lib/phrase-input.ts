/**
 * Phrase input for the pinyin keyboard (issue 10, "Chinese input"): whole-word candidates from the
 * phrase table built at build time (build/phrase-table.ts: jieba's frequent words and GB/T 2260 place
 * names), typed in full (`beijing`), by initials (`bj`) or mixed (`beij`), followed by the single
 * characters of the first syllable. A candidate says how many typed letters it consumes: picking
 * 北京市 from `beijingshichaoyangqu` leaves `chaoyangqu` for the next one.
 */
import { split } from 'pinyin-split';
import { pinyinCandidates } from './keyboard.ts';

export interface PhraseEntry {
  readonly word: string;
  readonly syllables: readonly string[];
}

/** Entries by the first letter of their first syllable, each list in rank order (best first). */
export type PhraseIndex = ReadonlyMap<string, readonly PhraseEntry[]>;

export interface Candidate {
  readonly text: string;
  /** How many letters of the composition picking it consumes. */
  readonly consumedLetters: number;
}

/** Parses the table's lines (`word syllable syllable…`, best first). */
export function parsePhraseTable(text: string): PhraseIndex {
  const index = new Map<string, PhraseEntry[]>();
  for (const line of text.split('\n')) {
    const [word, ...syllables] = line.split(' ');
    const first = syllables[0]?.[0];
    if (word === undefined || word === '' || syllables.length < 2 || first === undefined) continue;
    const list = index.get(first) ?? [];
    list.push({ word, syllables });
    index.set(first, list);
  }
  return index;
}

interface Match {
  readonly consumedLetters: number;
  /** Syllables typed shorter than in full (`j` for jing). */
  readonly abbreviated: number;
}

/**
 * How the start of `input` spells `syllables`: every syllable by a non-empty start of itself (its
 * initial, more letters, or all of it). The longest spelling wins, then the one with fewer
 * abbreviations; undefined when the input does not reach every syllable.
 */
export function matchSyllables(input: string, syllables: readonly string[], from = 0): Match | undefined {
  const syllable = syllables[0];
  if (syllable === undefined) return { consumedLetters: 0, abbreviated: 0 };
  let best: Match | undefined;
  for (let k = Math.min(syllable.length, input.length - from); k >= 1; k--) {
    if (input.slice(from, from + k) !== syllable.slice(0, k)) continue;
    const rest = matchSyllables(input, syllables.slice(1), from + k);
    if (rest === undefined) continue;
    const m = { consumedLetters: k + rest.consumedLetters, abbreviated: rest.abbreviated + (k < syllable.length ? 1 : 0) };
    if (best === undefined || m.consumedLetters > best.consumedLetters || (m.consumedLetters === best.consumedLetters && m.abbreviated < best.abbreviated)) best = m;
  }
  return best;
}

/**
 * The leading syllable of a composition and the letters it takes: a whole syllable when pinyin-split
 * finds one at the start (`bei` of `beij`), else the longest start of it that begins a syllable
 * (`b` of `bjs`, `zh` of `zh`), so that initials still give characters.
 */
export function leadingSyllable(dict: Readonly<Record<string, string>>, composition: string): string {
  const [first] = split(composition, true);
  if (first !== undefined && first !== '' && composition.startsWith(first) && dict[first] !== undefined) return first;
  const keys = Object.keys(dict);
  for (let k = composition.length; k >= 1; k--) {
    const start = composition.slice(0, k);
    if (keys.some((key) => key.startsWith(start))) return start;
  }
  return '';
}

/**
 * The characters that end the parts of a Chinese address (省/市/区/县, 街道/镇/乡, 路/街/巷, 号, 栋/楼, 单元,
 * 室), with their pinyin: in an address field they come first among the characters of their initial, so
 * `l` gives 路 and `h` gives 号 without typing the whole syllable.
 */
const ADDRESS_CHARACTERS: readonly (readonly [string, string])[] = [
  ['路', 'lu'], ['号', 'hao'], ['街', 'jie'], ['道', 'dao'], ['巷', 'xiang'], ['弄', 'nong'], ['院', 'yuan'],
  ['楼', 'lou'], ['栋', 'dong'], ['幢', 'zhuang'], ['单', 'dan'], ['元', 'yuan'], ['层', 'ceng'],
  ['村', 'cun'], ['镇', 'zhen'], ['乡', 'xiang'], ['区', 'qu'], ['县', 'xian'], ['市', 'shi'], ['室', 'shi'], ['省', 'sheng'],
];

export interface CandidateOptions {
  /** The field holds an address: address characters lead the characters of their initial. */
  readonly address?: boolean;
  readonly limit?: number;
}

/**
 * Candidates for a composition: words first (those that consume more letters, then those typed with
 * fewer abbreviations, then by rank), then the characters of its leading syllable.
 */
export function phraseCandidates(
  dict: Readonly<Record<string, string>>,
  index: PhraseIndex | undefined,
  composition: string,
  { address = false, limit = 60 }: CandidateOptions = {},
): Candidate[] {
  if (composition === '') return [];
  const lead = leadingSyllable(dict, composition);
  const words: (Candidate & { abbreviated: number; rank: number })[] = [];
  const entries = index?.get(composition[0] ?? '') ?? [];
  entries.forEach((entry, rank) => {
    const m = matchSyllables(composition, entry.syllables);
    // A word that covers less than the first syllable typed in full (黑暗 as h-a of `hao`) is not meant.
    if (m !== undefined && m.consumedLetters > lead.length) {
      words.push({ text: entry.word, consumedLetters: m.consumedLetters, abbreviated: m.abbreviated, rank });
    }
  });
  words.sort((a, b) => b.consumedLetters - a.consumedLetters || a.abbreviated - b.abbreviated || a.rank - b.rank);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const w of words) {
    if (out.length >= limit) return out;
    if (seen.has(w.text)) continue;
    seen.add(w.text);
    out.push({ text: w.text, consumedLetters: w.consumedLetters });
  }
  if (lead === '') return out;
  const addressFirst = address ? ADDRESS_CHARACTERS.filter(([, syllable]) => syllable.startsWith(lead)).map(([c]) => c) : [];
  for (const c of [...addressFirst, ...pinyinCandidates(dict, lead, limit)]) {
    if (out.length >= limit) break;
    if (seen.has(c)) continue;
    seen.add(c);
    out.push({ text: c, consumedLetters: lead.length });
  }
  return out;
}

/**
 * Splits candidates into pages of the candidate bar by width: a candidate costs its characters plus one
 * (its padding), and a page holds `budget` (16: eight single characters as before, four 3-character
 * words). A fixed count per page let words run past the bar's edge, hidden but counted as shown.
 */
export function pageCandidates(candidates: readonly Candidate[], budget = 16): Candidate[][] {
  const pages: Candidate[][] = [];
  let current: Candidate[] = [];
  let used = 0;
  for (const c of candidates) {
    const cost = [...c.text].length + 1;
    if (current.length > 0 && used + cost > budget) {
      pages.push(current);
      current = [];
      used = 0;
    }
    current.push(c);
    used += cost;
  }
  if (current.length > 0) pages.push(current);
  return pages;
}

// Built by vite.config.ts from build/phrase-table.ts; a chunk of its own, loaded with the Chinese keyboard.
let phraseIndex: Promise<PhraseIndex> | undefined;
export function loadPhrases(): Promise<PhraseIndex> {
  phraseIndex ??= import('virtual:onevisit-phrases').then((m) => parsePhraseTable(m.phraseTable));
  return phraseIndex;
}
