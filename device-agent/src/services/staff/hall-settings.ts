import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The hall's settings for staff mode and supplies (issue 12) and the follow-up of bad ratings (issue 15),
 * from `<dataDir>/hall-settings.json` when it exists (every key optional; defaults below). Staff and
 * supplies are reloaded by Staff.ResetTerminal; the ratings key is read when the agent starts.
 *
 * {
 *   "staff": { "endOnCardRemoval": false, "idleTimeoutS": 300, "maxSessionH": 12 },   (idleCountdownS: default the citizen screens')
 *   "supplies": {
 *     "receiptPaper": { "fullMm": 50000, "lowMm": 5000, "emptyMm": 500 },
 *     "a4Paper": { "fullSheets": 250, "lowSheets": 30, "emptySheets": 0 }
 *   },
 *   "ratings": { "followUpWorkingDays": 15 },
 *   "pickup": { "retentionDays": 7, "doorOpenLimitS": 60 }
 * }
 */
export const HALL_SETTINGS_FILE = 'hall-settings.json';

const StaffSettingsSchema = z.strictObject({
  /** End the staff session when the staff card is lifted off the reader. */
  endOnCardRemoval: z.boolean().default(false),
  idleTimeoutS: z.number().int().min(30).max(3600).default(300),
  /** Default: the countdown the citizen screens use (the agent's --idle-countdown). */
  idleCountdownS: z.number().int().min(5).max(120).optional(),
  maxSessionH: z.number().min(0.1).max(12).default(12),
});

/** An 80 mm thermal roll is commonly 50–80 m. */
const ReceiptPaperSchema = z.strictObject({
  fullMm: z.number().int().positive().max(500_000).default(50_000),
  lowMm: z.number().int().nonnegative().default(5_000),
  emptyMm: z.number().int().nonnegative().default(500),
});
const A4PaperSchema = z.strictObject({
  fullSheets: z.number().int().positive().max(10_000).default(250),
  lowSheets: z.number().int().nonnegative().default(30),
  emptySheets: z.number().int().nonnegative().default(0),
});

/** The certificate cabinet (issue 13): how long an item waits before staff see it overdue, how long a door may stay open. */
const PickupSettingsSchema = z.strictObject({
  retentionDays: z.number().int().min(1).max(365).default(7),
  doorOpenLimitS: z.number().int().min(10).max(600).default(60),
});

const RatingSettingsSchema = z.strictObject({
  /** A 不满意 / 非常不满意 rating is to be followed up within this many working days (hall calendar). */
  followUpWorkingDays: z.number().int().min(1).max(60).default(15),
});

export const HallSettingsSchema = z.strictObject({
  staff: StaffSettingsSchema.default(StaffSettingsSchema.parse({})),
  ratings: RatingSettingsSchema.default(RatingSettingsSchema.parse({})),
  pickup: PickupSettingsSchema.default(PickupSettingsSchema.parse({})),
  supplies: z
    .strictObject({
      receiptPaper: ReceiptPaperSchema.default(ReceiptPaperSchema.parse({})),
      a4Paper: A4PaperSchema.default(A4PaperSchema.parse({})),
    })
    .default({ receiptPaper: ReceiptPaperSchema.parse({}), a4Paper: A4PaperSchema.parse({}) }),
});
export type HallSettings = z.infer<typeof HallSettingsSchema>;

export const DEFAULT_HALL_SETTINGS: HallSettings = HallSettingsSchema.parse({});

export type HallSettingsResult = { ok: true; settings: HallSettings; file: string | undefined } | { ok: false; message: string };

/** Reads `<dataDir>/hall-settings.json`; a missing file gives the defaults, a bad one a message (never a throw). */
export function loadHallSettings(dataDir: string): HallSettingsResult {
  const file = path.join(dataDir, HALL_SETTINGS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return { ok: true, settings: DEFAULT_HALL_SETTINGS, file: undefined };
    return { ok: false, message: `${file} cannot be read` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: `${file} is not JSON` };
  }
  const parsed = HallSettingsSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { ok: true, settings: parsed.data, file };
}
