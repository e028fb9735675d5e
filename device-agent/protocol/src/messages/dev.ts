import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { IdentitySchema } from '../identity.ts';
import { DeviceIdSchema } from '../devices.ts';

/** The states a developer can put a simulated device into. */
export const DEV_DEVICE_STATES = ['online', 'offline', 'fault', 'paperLow', 'paperOut', 'coverOpen', 'paperJam'] as const;
export const DevDeviceStateSchema = z.enum(DEV_DEVICE_STATES);
export type DevDeviceState = z.infer<typeof DevDeviceStateSchema>;

/**
 * An identity given in full to Dev.InsertCard. What a card always carries is required; the photo
 * (raw bytes nobody decodes here) and the fields a foreign card leaves empty may be left out.
 */
export const DevIdentityInputSchema = IdentitySchema.extend({
  address: IdentitySchema.shape.address.default(''),
  authority: IdentitySchema.shape.authority.default(''),
  photo: IdentitySchema.shape.photo.default(''),
});

export const SampleIdentitySummarySchema = z.object({
  key: z.string(),
  label: z.string(),
  cardType: z.enum(['resident', 'foreignPermanent']),
  expired: z.boolean(),
});

/** What a person (or a fault) does to the simulated pickup cabinet (issue 13), for the dev dock and tests. */
export const DEV_CABINET_ACTIONS = ['openDoor', 'closeDoor', 'placeItem', 'takeItem', 'jamLock', 'freeLock', 'silenceBoard', 'wakeBoard'] as const;
export const DevCabinetActionSchema = z.enum(DEV_CABINET_ACTIONS);
export type DevCabinetAction = z.infer<typeof DevCabinetActionSchema>;

export const DevCompartmentSchema = z.object({
  slot: z.string(),
  board: z.number().int(),
  lock: z.number().int(),
  door: z.enum(['open', 'closed']),
  item: z.boolean(),
  boardSilent: z.boolean(),
});
export type DevCompartment = z.infer<typeof DevCompartmentSchema>;

export const devCommands = {
  'Dev.InsertCard': defineCommand({
    role: 'dev',
    description: 'Place a card on the simulated reader: a sample identity by key, or a full identity object.',
    payload: z.object({ identity: z.union([z.string().min(1).max(64), DevIdentityInputSchema]).optional() }).optional(),
    completion: z.object({}),
    errors: errorsOf(['notSimulated', 'unknownIdentity']),
    events: {},
  }),
  'Dev.RemoveCard': defineCommand({
    role: 'dev',
    description: 'Lift the card off the simulated reader.',
    payload: z.object({}).optional(),
    completion: z.object({}),
    errors: errorsOf(['notSimulated']),
    events: {},
  }),
  'Dev.SetDeviceState': defineCommand({
    role: 'dev',
    description: 'Put a simulated device online, offline, in fault, or (printers) paper low/out, cover open, jammed.',
    payload: z.object({ device: DeviceIdSchema, state: DevDeviceStateSchema }),
    completion: z.object({}),
    errors: errorsOf(['notSimulated', 'unsupportedState']),
    events: {},
  }),
  'Dev.PrintedOutput': defineCommand({
    role: 'dev',
    description:
      'What the simulated printers produced since the agent started, oldest first: receipts as text (GB18030 decoded back) and ESC/POS bytes, A4 jobs as the paths of the PDFs in the simulated paper folder.',
    payload: z.object({ last: z.number().int().positive().max(100).optional() }).optional(),
    completion: z.object({
      receipts: z.array(z.object({ text: z.string(), bytesBase64: z.string() })),
      a4: z.array(z.object({ file: z.string() })),
    }),
    errors: {},
    events: {},
  }),
  'Dev.Cabinet': defineCommand({
    role: 'dev',
    description:
      'The simulated pickup cabinet: without an action, every compartment (door, item, board silent); with one, do it to a compartment first (open/close its door, place/take an item behind an open door, jam/free its lock, silence/wake its board).',
    payload: z.union([z.object({ slot: z.string().min(1).max(8), action: DevCabinetActionSchema }), z.object({}).strict()]).optional(),
    completion: z.object({ compartments: z.array(DevCompartmentSchema) }),
    errors: errorsOf(['notSimulated', 'unknownSlot', 'doorClosed']),
    events: {},
  }),
  'Dev.SentMessages': defineCommand({
    role: 'dev',
    description:
      'The text messages the back office would send, for the demo and tests (issue 13): the pickup code of each deposit this agent made with --dev, oldest first, in memory only.',
    payload: z.object({}).optional(),
    completion: z.object({ messages: z.array(z.object({ reference: z.string(), pickupCode: z.string() })) }),
    errors: {},
    events: {},
  }),
  'Dev.ListIdentities': defineCommand({
    role: 'dev',
    description: 'The sample identities the simulated card reader knows (fictional people).',
    payload: z.object({}).optional(),
    completion: z.object({ identities: z.array(SampleIdentitySummarySchema) }),
    errors: {},
    events: {},
  }),
} as const;
