// The phrase table of the pinyin keyboard, generated at build time by vite.config.ts (build/phrase-table.ts).
declare module 'virtual:onevisit-phrases' {
  export const phraseTable: string;
}
