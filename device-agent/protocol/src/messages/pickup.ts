import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { CardTypeSchema, IdentitySchema } from '../identity.ts';

/**
 * The certificate pickup cabinet (证照自助领取, issue 13). Staff deposit finished certificates;
 * citizens find theirs by ID card or by the 6-digit pickup code and collect them; staff recover
 * overdue items; a technician opens any compartment. The cabinet's own sensors (door hook,
 * infrared presence) decide each step: the events report what they saw.
 */

export const PICKUP_SIZES = ['S', 'M', 'L'] as const;
export const PickupSizeSchema = z.enum(PICKUP_SIZES);
export const SlotSchema = z.string().regex(/^[A-Z0-9-]{1,8}$/, 'a slot such as A01');
export const PickupCodeSchema = z.string().regex(/^\d{6}$/, 'six digits');

export const PickupItemSchema = z.object({
  itemId: z.string(),
  reference: z.string(),
  title: z.string(),
  slot: SlotSchema,
  /** ISO-8601 with +08:00. */
  depositedAt: z.string(),
});
export type PickupItem = z.infer<typeof PickupItemSchema>;

const SlotPayloadSchema = z.object({ slot: SlotSchema });
const slotEvents = {
  /** The lock released and the door reads open: show where the compartment is. */
  'Pickup.SlotOpenedEvent': SlotPayloadSchema,
  /** The door reads closed and latched. */
  'Pickup.DoorClosedEvent': SlotPayloadSchema,
};
const takeEvents = {
  ...slotEvents,
  /** The presence sensor reads empty (CU16 boards). */
  'Pickup.ItemTakenEvent': SlotPayloadSchema,
  /** The door stayed open longer than the hall's limit: remind the person, staff were warned. */
  'Pickup.DoorLeftOpenEvent': z.object({ slot: SlotSchema, openMs: z.number().int().nonnegative() }),
};

const cabinetErrors = {
  ...errorsOf(['deviceNotReady', 'busy']),
  ...errorsOf(['lockFailed'], SlotPayloadSchema),
};

export const pickupCommands = {
  'Pickup.Deposit': defineCommand({
    role: 'staff',
    description:
      'Staff load a certificate inside a storage exchange on the cabinet (Storage.StartExchange on `cabinet.*` units; with no exchange open, one of its own for this command, audited): the cabinet picks the smallest free compartment of the exchange that fits, opens it, and completes when the item is inside and the door closed. The pickup code goes to the back office (sealed), never to this screen. `exchangeActive`: an exchange without the cabinet is open (end it first).',
    payload: z.object({
      reference: z.string().trim().min(1).max(40),
      /** Typed by staff; or leave it out and send `applicantCard: true`. */
      idNumber: IdentitySchema.shape.idNumber.optional(),
      /**
       * Staff place the applicant's ID card instead of typing the number: the deposit first reads the
       * card (the number stays in the agent: only its HMAC is kept, the screen gets it masked in
       * Pickup.ApplicantCardReadEvent; the masked name goes to the back office). The signed-in staff
       * member's own card is refused (`staffCard`: lift it, place the applicant's).
       */
      applicantCard: z.literal(true).optional(),
      cardType: CardTypeSchema.optional(),
      title: z.string().trim().min(1).max(60),
      size: PickupSizeSchema.optional(),
      /** The applicant's masked name if staff have it (e.g. from the card): only for the back office's SMS. */
      maskedName: z.string().max(20).optional(),
    }),
    completion: z.object({ itemId: z.string(), slot: SlotSchema }),
    errors: {
      ...cabinetErrors,
      ...errorsOf(['noFreeCompartment', 'exchangeActive']),
      ...errorsOf(['doorClosedEmpty'], SlotPayloadSchema),
      /** Neither an ID number nor `applicantCard`. */
      ...errorsOf(['noIdNumber']),
      /** `applicantCard`: the card on the reader is the staff member's own, none was placed within 60 s, or it could not be read. */
      ...errorsOf(['staffCard', 'cardNotPlaced', 'readerNotReady', 'cardUnreadable', 'unsupportedCard', 'readerCommunication']),
    },
    events: {
      ...slotEvents,
      'Pickup.ItemPlacedEvent': SlotPayloadSchema,
      /** `applicantCard`: the card was read; only masked values, for the staff screen to show before the door opens. */
      'Pickup.ApplicantCardReadEvent': z.object({ maskedIdNumber: z.string().max(32), maskedName: z.string().max(40) }),
    },
    defaultTimeoutMs: 10 * 60_000,
  }),
  'Pickup.Find': defineCommand({
    role: 'citizen',
    description: "The items waiting for the person whose ID card this session read, or for a typed pickup code. Five wrong codes lock code entry for 5 minutes.",
    payload: z.object({ code: PickupCodeSchema.optional() }).optional(),
    completion: z.object({ items: z.array(PickupItemSchema) }),
    errors: {
      ...errorsOf(['noCard']),
      ...errorsOf(['wrongCode'], z.object({ attemptsLeft: z.number().int().nonnegative() })),
      ...errorsOf(['codeEntryLocked'], z.object({ until: z.string() })),
    },
    events: {},
  }),
  'Pickup.Collect': defineCommand({
    role: 'citizen',
    description:
      'Opens the compartment of an item this session found; completes `collected` when the item is out and the door closed (then prints the pickup receipt), or `notRemoved` when the door closed with the item inside.',
    payload: z.object({ itemId: z.string().min(1).max(64) }),
    completion: z.object({
      outcome: z.enum(['collected', 'notRemoved']),
      slot: SlotSchema,
      /** The pickup receipt (领取凭证), only for `collected`. */
      receipt: z.enum(['printed', 'notPrinted', 'none']),
    }),
    errors: { ...cabinetErrors, ...errorsOf(['notFound']) },
    events: {
      ...takeEvents,
      /**
       * 8A/80 boards have no presence sensor: the door is closed, ask the person whether they took the
       * certificate and answer with Pickup.ConfirmRemoval (no answer within 60 s counts as taken).
       */
      'Pickup.ConfirmRemovalEvent': SlotPayloadSchema,
    },
    defaultTimeoutMs: 10 * 60_000,
  }),
  'Pickup.ConfirmRemoval': defineCommand({
    role: 'citizen',
    description: "The person's answer to Pickup.ConfirmRemovalEvent (boards without a presence sensor): taken, or the certificate is still inside.",
    payload: z.object({ itemId: z.string().min(1).max(64), taken: z.boolean() }),
    completion: z.object({}),
    errors: errorsOf(['notAsked']),
    events: {},
  }),
  'Pickup.ListOverdue': defineCommand({
    role: 'staff',
    description: "Items older than the hall's retention (default 7 days), and items the sensors could not settle (check by hand).",
    payload: z.object({}).optional(),
    completion: z.object({ overdue: z.array(PickupItemSchema), needsCheck: z.array(PickupItemSchema) }),
    errors: {},
    events: {},
  }),
  'Pickup.Recover': defineCommand({
    role: 'staff',
    description:
      'Opens the compartment of a waiting item for staff to take it back, inside a storage exchange on it (as Pickup.Deposit); completes when it is out and the door closed. `exchangeActive`: the open exchange does not cover that compartment.',
    payload: z.object({ itemId: z.string().min(1).max(64) }),
    completion: z.object({ slot: SlotSchema }),
    errors: { ...cabinetErrors, ...errorsOf(['notFound', 'exchangeActive']), ...errorsOf(['notRemoved'], SlotPayloadSchema) },
    events: takeEvents,
    defaultTimeoutMs: 10 * 60_000,
  }),
  'Pickup.Open': defineCommand({
    role: 'technician',
    description:
      'Opens any compartment (audited); completes when the door is closed again, with what the presence sensor reads. Outside a storage exchange on it the compartment becomes `manipulated` until staff end an exchange on it.',
    payload: z.object({ slot: SlotSchema }),
    completion: z.object({ slot: SlotSchema, presence: z.enum(['present', 'empty', 'unknown']) }),
    errors: { ...cabinetErrors, ...errorsOf(['unknownSlot']) },
    events: slotEvents,
    defaultTimeoutMs: 10 * 60_000,
  }),
} as const;
