/**
 * Pure parts of the on-screen keyboard (components/OnScreenKeyboard.svelte): which keyboard a
 * field takes, date digits, pinyin candidates. The pinyin table itself loads lazily.
 */

/** What a field needs to be typed: free text (Chinese by pinyin or Latin), Latin only, or a pad. */
export type KeyboardKind = 'text' | 'latin' | 'digits' | 'idNumber' | 'phone' | 'decimal' | 'date';

/** `20200501` → `2020-05-01`, as the digits come. */
export function formatDateDigits(digits: string): string {
  const d = digits.replace(/\D/g, '').slice(0, 8);
  if (d.length <= 4) return d;
  if (d.length <= 6) return `${d.slice(0, 4)}-${d.slice(4)}`;
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`;
}

/** Candidates for a pinyin syllable: the syllable's own first, then those of syllables it begins. */
export function pinyinCandidates(dict: Readonly<Record<string, string>>, pinyin: string, limit = 60): string[] {
  if (pinyin === '') return [];
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (list: string | undefined): void => {
    for (const c of (list ?? '').split(' ')) {
      if (c === '' || seen.has(c) || out.length >= limit) continue;
      seen.add(c);
      out.push(c);
    }
  };
  add(dict[pinyin]);
  const longer = Object.keys(dict)
    .filter((k) => k !== pinyin && k.startsWith(pinyin))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
  for (const k of longer) add(dict[k]?.split(' ').slice(0, 6).join(' '));
  return out;
}

// The pinyin table of simple-keyboard-layouts' Chinese layout (about 21 KB gzip) loads the
// first time a Chinese keyboard shows.
let pinyinTable: Promise<Readonly<Record<string, string>>> | undefined;
export function loadPinyin(): Promise<Readonly<Record<string, string>>> {
  pinyinTable ??= import('simple-keyboard-layouts/build/layouts/chinese.js').then((m) => {
    const layout = m.default as { layoutCandidates?: Record<string, string> };
    return layout.layoutCandidates ?? {};
  });
  return pinyinTable;
}
