import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CU16 } from './cu16.ts';
import type { CabinetProtocol, LockAddress } from './driver.ts';
import { LOCK8A, LOCK8A_FEEDBACKS, type Lock8aFeedback } from './lock8a.ts';

/**
 * The cabinet's layout (`--dispenser-layout FILE`): which compartment (slot name printed on the
 * door) sits behind which lock of which board, and how big it is. Either a JSON list
 *
 *   [{ "slot": "A01", "board": 0, "lock": 1, "size": "S" }, …]
 *
 * or, for 8A/80 boards whose feedback reads 00 for closed, an object
 *
 *   { "lock8aFeedback": "closed00", "compartments": [ …as above… ] }
 */

export const COMPARTMENT_SIZES = ['S', 'M', 'L'] as const;
export type CompartmentSize = (typeof COMPARTMENT_SIZES)[number];

/** S < M < L: an item of size M fits an M or an L compartment. */
export function sizeRank(size: CompartmentSize): number {
  return COMPARTMENT_SIZES.indexOf(size);
}

export interface Compartment extends LockAddress {
  readonly slot: string;
  readonly size: CompartmentSize;
}

export interface CabinetLayout {
  readonly compartments: readonly Compartment[];
  /** Only read for `lock8a` boards. */
  readonly lock8aFeedback: Lock8aFeedback;
}

const CompartmentSchema = z
  .object({
    slot: z.string().regex(/^[A-Z0-9-]{1,8}$/, 'a slot name is 1 to 8 of A-Z, 0-9 and -'),
    board: z.number().int(),
    lock: z.number().int(),
    size: z.enum(COMPARTMENT_SIZES),
  })
  .strict();

const LayoutSchema = z.union([
  z.array(CompartmentSchema),
  z.object({ lock8aFeedback: z.enum(LOCK8A_FEEDBACKS as [Lock8aFeedback, ...Lock8aFeedback[]]).optional(), compartments: z.array(CompartmentSchema) }).strict(),
]);

export type LayoutResult = { ok: true; layout: CabinetLayout } | { ok: false; message: string };

/** What a board of this protocol can address. */
export function addressRange(protocol: CabinetProtocol): { boards: { min: number; max: number }; locks: { min: number; max: number } } {
  switch (protocol) {
    case 'cu16':
      return { boards: CU16.boards, locks: CU16.locks };
    case 'lock8a':
      return { boards: LOCK8A.boards, locks: LOCK8A.locks };
    default: {
      const unreachable: never = protocol;
      return unreachable;
    }
  }
}

/** Validates a parsed layout against the protocol. Messages name the slot, never anything personal. */
export function parseLayout(json: unknown, protocol: CabinetProtocol): LayoutResult {
  const parsed = LayoutSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    return { ok: false, message: `not a list of { slot, board, lock, size: S|M|L }${where}: ${issue?.message ?? 'invalid'}` };
  }
  const compartments = Array.isArray(parsed.data) ? parsed.data : parsed.data.compartments;
  const lock8aFeedback = Array.isArray(parsed.data) ? 'closed11' : (parsed.data.lock8aFeedback ?? 'closed11');
  if (compartments.length === 0) return { ok: false, message: 'the layout lists no compartment' };
  const range = addressRange(protocol);
  const slots = new Map<string, string>();
  const locks = new Map<string, string>();
  for (const c of compartments) {
    if (c.board < range.boards.min || c.board > range.boards.max) {
      return { ok: false, message: `slot ${c.slot}: board ${c.board} cannot be addressed by ${protocol} (boards ${range.boards.min}–${range.boards.max})` };
    }
    if (c.lock < range.locks.min || c.lock > range.locks.max) {
      return { ok: false, message: `slot ${c.slot}: lock ${c.lock} does not exist on a ${protocol} board (locks ${range.locks.min}–${range.locks.max})` };
    }
    const previousSlot = slots.get(c.slot);
    if (previousSlot !== undefined) return { ok: false, message: `slot ${c.slot} is named twice` };
    slots.set(c.slot, c.slot);
    const key = `${c.board}:${c.lock}`;
    const other = locks.get(key);
    if (other !== undefined) return { ok: false, message: `board ${c.board} lock ${c.lock} is named twice (slots ${other} and ${c.slot})` };
    locks.set(key, c.slot);
  }
  return { ok: true, layout: { compartments, lock8aFeedback } };
}

/** Reads and validates `--dispenser-layout FILE`. */
export function loadLayoutFile(file: string, protocol: CabinetProtocol): LayoutResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, message: `cannot read ${file}${typeof code === 'string' ? ` (${code})` : ''}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: `${file} is not valid JSON` };
  }
  const result = parseLayout(json, protocol);
  return result.ok ? result : { ok: false, message: `${file}: ${result.message}` };
}

/** Sizes of the default 16 compartments: a real cabinet has many small, fewer large. */
const DEFAULT_SIZES: readonly CompartmentSize[] = ['S', 'S', 'S', 'S', 'S', 'S', 'S', 'S', 'M', 'M', 'M', 'M', 'M', 'L', 'L', 'L'];

/** The simulator's default: one board, 16 compartments A01–A16, sizes mixed (board 0 for cu16, 1 for lock8a). */
export function defaultLayout(protocol: CabinetProtocol): CabinetLayout {
  const board = addressRange(protocol).boards.min;
  return {
    compartments: DEFAULT_SIZES.map((size, i) => ({ slot: `A${String(i + 1).padStart(2, '0')}`, board, lock: i + 1, size })),
    lock8aFeedback: 'closed11',
  };
}
