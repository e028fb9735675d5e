import { describe, expect, test } from 'vitest';
import { loadPinyin } from './keyboard.ts';
import { loadPhrases, matchSyllables, pageCandidates, phraseCandidates, type Candidate, type PhraseIndex } from './phrase-input.ts';

// The real tables: simple-keyboard-layouts' characters and the phrase table vite builds (the plugin
// in vitest.config.ts serves the same virtual module as in the kiosk).
const dict = await loadPinyin();
const index: PhraseIndex = await loadPhrases();

const texts = (cs: readonly Candidate[]): string[] => cs.map((c) => c.text);

/** Types `letters`, then picks `word` among the first page of candidates; returns what is left. */
function pickFromFirstPage(composition: string, word: string): string {
  const page = pageCandidates(phraseCandidates(dict, index, composition))[0] ?? [];
  const hit = page.find((c) => c.text === word);
  if (hit === undefined) throw new Error(`${word} not on the first page for ${composition}: ${texts(page).join(' ')}`);
  return composition.slice(hit.consumedLetters);
}

describe('phrase input', () => {
  test('beijing gives 北京 first, consuming every letter', () => {
    const [first] = phraseCandidates(dict, index, 'beijing');
    expect(first).toEqual({ text: '北京', consumedLetters: 7 });
  });

  test('initials: bj gives 北京 among the first candidates', () => {
    expect(texts(phraseCandidates(dict, index, 'bj')).slice(0, 4)).toContain('北京');
  });

  test('mixed full and initial syllables: beij gives 北京 first', () => {
    expect(phraseCandidates(dict, index, 'beij')[0]?.text).toBe('北京');
  });

  test('a word consumes the syllables it covers and keeps the rest', () => {
    const first = phraseCandidates(dict, index, 'beijingshichaoyangqu')[0];
    expect(first?.text).toBe('北京市');
    expect(first?.consumedLetters).toBe('beijingshi'.length);
  });

  test('beijingshichaoyangqu typed at once reaches 北京市朝阳区 in two picks from the first page', () => {
    let rest = 'beijingshichaoyangqu';
    let text = '';
    for (const word of ['北京市', '朝阳区']) {
      rest = pickFromFirstPage(rest, word);
      text += word;
    }
    expect(text).toBe('北京市朝阳区');
    expect(rest).toBe('');
  });

  test('typed in steps by initials (bjs, cyq) each step offers the place name first', () => {
    expect(phraseCandidates(dict, index, 'bjs')[0]?.text).toBe('北京市');
    expect(phraseCandidates(dict, index, 'cyq')[0]?.text).toBe('朝阳区');
    expect(pickFromFirstPage('bjscyq', '北京市')).toBe('cyq');
  });

  test('unknown input still gives single characters of its leading syllable', () => {
    // No word is spelled `qxz` in full: two-letter words (q… x…) may come, then the characters of `q…`,
    // each consuming one letter.
    const cs = phraseCandidates(dict, index, 'qxz');
    const singles = cs.filter((c) => [...c.text].length === 1);
    expect(singles.length).toBeGreaterThan(8);
    expect(singles.every((c) => c.consumedLetters === 1)).toBe(true);
    expect(cs.some((c) => c.consumedLetters === 3)).toBe(false);
    // One syllable gives the same characters in the same order as before phrase input.
    expect(texts(phraseCandidates(dict, index, 'hao')).slice(0, 3)).toEqual(['好', '号', '毫']);
  });

  test('the characters of the leading syllable follow the words, consuming only that syllable', () => {
    const cs = phraseCandidates(dict, index, 'beijing');
    const bei = cs.find((c) => c.text === '北');
    expect(bei?.consumedLetters).toBe(3);
    expect(cs.findIndex((c) => c.text === '北京')).toBeLessThan(cs.findIndex((c) => c.text === '北'));
  });

  test('in an address field, one letter puts the address character first (l → 路, h → 号); elsewhere it does not', () => {
    expect(phraseCandidates(dict, index, 'l', { address: true })[0]).toEqual({ text: '路', consumedLetters: 1 });
    expect(phraseCandidates(dict, index, 'h', { address: true })[0]).toEqual({ text: '号', consumedLetters: 1 });
    expect(phraseCandidates(dict, index, 'shi', { address: true })[0]?.text).toBe('市');
    expect(phraseCandidates(dict, index, 'l')[0]?.text).not.toBe('路');
    // Words still come before the characters.
    expect(phraseCandidates(dict, index, 'bjs', { address: true })[0]?.text).toBe('北京市');
  });

  test('pages hold eight characters or fewer words, by width', () => {
    const chars = [...'一二三四五六七八九十'].map((text) => ({ text, consumedLetters: 1 }));
    expect(pageCandidates(chars).map((p) => p.length)).toEqual([8, 2]);
    const words = ['北京市', '朝阳区', '海淀区', '丰台区', '石景山区', '北京'].map((text) => ({ text, consumedLetters: 3 }));
    expect(pageCandidates(words).map((p) => texts(p))).toEqual([['北京市', '朝阳区', '海淀区', '丰台区'], ['石景山区', '北京']]);
  });

  test('matchSyllables takes the longest spelling and counts abbreviations', () => {
    expect(matchSyllables('beij', ['bei', 'jing'])).toEqual({ consumedLetters: 4, abbreviated: 1 });
    expect(matchSyllables('bjx', ['bei', 'jing'])).toEqual({ consumedLetters: 2, abbreviated: 2 });
    expect(matchSyllables('b', ['bei', 'jing'])).toBeUndefined();
    expect(matchSyllables('xbj', ['bei', 'jing'])).toBeUndefined();
  });
});
