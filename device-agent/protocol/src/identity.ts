import { z } from 'zod';

/** `YYYY-MM-DD` calendar date. */
export const IsoDateSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected YYYY-MM-DD');

/** GA/T 490 `长期` (long-term) validity, or a date. */
export const LONG_TERM = '长期';
export const ValidToSchema = z.union([IsoDateSchema, z.literal(LONG_TERM)]);

export const CARD_TYPES = ['resident', 'foreignPermanent'] as const;
export const CardTypeSchema = z.enum(CARD_TYPES);
export type CardType = z.infer<typeof CardTypeSchema>;

/** Where an identity came from: the chip of an ID card, or a scanned paper document the citizen confirmed. */
export const IDENTITY_SOURCES = ['card', 'document'] as const;
export const IdentitySourceSchema = z.enum(IDENTITY_SOURCES);
export type IdentitySource = z.infer<typeof IdentitySourceSchema>;

/**
 * What an ID card read yields (GA/T 490 text decoded, trimmed of padding).
 * For a foreign permanent-residence card, `nation` holds the nationality code
 * (GB/T 2659, e.g. `CAN`), `address` is empty and `englishName` is set.
 * An identity confirmed from a scanned document (`source: 'document'`) knows only the name and
 * the number (birth date and sex follow from it): the other texts are empty strings, and
 * `validFrom` / `validTo` are `''` (unknown).
 */
export const IdentitySchema = z.object({
  name: z.string().min(1).max(60),
  sex: z.string().min(1).max(8),
  nation: z.string().max(16),
  birthDate: IsoDateSchema,
  address: z.string().max(140),
  idNumber: z.string().regex(/^[0-9A-Z]{15,18}$/, 'ID number: 15 to 18 digits or capitals'),
  authority: z.string().max(60),
  validFrom: z.union([IsoDateSchema, z.literal('')]),
  validTo: z.union([ValidToSchema, z.literal('')]),
  cardType: CardTypeSchema,
  englishName: z.string().max(120).optional(),
  /** Base64 of the raw photo bytes (1024 bytes of wlt on a real card), never decoded here. */
  photo: z.string().max(4096),
  /** Absent means `card` (every card read before this field existed). */
  source: IdentitySourceSchema.optional(),
});
export type Identity = z.infer<typeof IdentitySchema>;
