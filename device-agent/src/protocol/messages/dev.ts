import { z } from 'zod';
import { defineCommand } from '../spec.ts';
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

export const devCommands = {
  'Dev.InsertCard': defineCommand({
    description: 'Place a card on the simulated reader: a sample identity by key, or a full identity object.',
    payload: z.object({ identity: z.union([z.string().min(1).max(64), DevIdentityInputSchema]).optional() }).optional(),
    completion: z.object({}),
    events: {},
    devOnly: true,
  }),
  'Dev.RemoveCard': defineCommand({
    description: 'Lift the card off the simulated reader.',
    payload: z.object({}).optional(),
    completion: z.object({}),
    events: {},
    devOnly: true,
  }),
  'Dev.SetDeviceState': defineCommand({
    description: 'Put a simulated device online, offline, in fault, or (printers) paper low/out, cover open, jammed.',
    payload: z.object({ device: DeviceIdSchema, state: DevDeviceStateSchema }),
    completion: z.object({}),
    events: {},
    devOnly: true,
  }),
  'Dev.PrintedOutput': defineCommand({
    description:
      'What the simulated printers produced since the agent started, oldest first: receipts as text (GB18030 decoded back) and ESC/POS bytes, A4 jobs as the paths of the PDFs in the simulated paper folder.',
    payload: z.object({ last: z.number().int().positive().max(100).optional() }).optional(),
    completion: z.object({
      receipts: z.array(z.object({ text: z.string(), bytesBase64: z.string() })),
      a4: z.array(z.object({ file: z.string() })),
    }),
    events: {},
    devOnly: true,
  }),
  'Dev.ListIdentities': defineCommand({
    description: 'The sample identities the simulated card reader knows (fictional people).',
    payload: z.object({}).optional(),
    completion: z.object({ identities: z.array(SampleIdentitySummarySchema) }),
    events: {},
    devOnly: true,
  }),
} as const;
