// The address picker's data, generated at build time by vite.config.ts (build/divisions.ts). The types
// repeat lib/address-divisions.ts's CompactDivision and StreetTable structurally: an ambient module
// here cannot import them.
declare module 'virtual:onevisit-divisions' {
  type Division = readonly [suffix: string, name: string] | readonly [suffix: string, name: string, children: readonly Division[]];
  export const divisions: readonly Division[];
}

declare module 'virtual:onevisit-streets' {
  /** The streets and townships of a province (its two-digit code) by district code, from that province's own chunk. */
  export function loadStreets(provinceCode: string): Promise<Readonly<Record<string, readonly string[]>>>;
}
