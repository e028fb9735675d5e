import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { DeviceStatusSchema } from '../devices.ts';
import { RequestIdSchema } from '../envelope.ts';

export const AgentInfoSchema = z.object({
  version: z.string(),
  terminalId: z.string(),
  dev: z.boolean(),
  /** The agent's clock, ISO-8601 with offset (`--clock` sets it in dev mode). */
  time: z.string(),
  /** Idle settings the UI must honour, from the agent's config. */
  idleTimeoutMs: z.number().int().positive(),
  idleCountdownMs: z.number().int().positive(),
});
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

/**
 * Things hall staff or ops must act on that are not a device: e.g. `holidayDataMissing` (add next
 * year's holiday schedule), `submissionsOutOfService` (applications refused: disk, store or key).
 * `detail` is for people and never holds personal data.
 */
export const AGENT_WARNING_CODES = ['holidayDataMissing', 'submissionsOutOfService'] as const;
export const AgentWarningSchema = z.object({ code: z.enum(AGENT_WARNING_CODES), detail: z.string().max(500) });
export type AgentWarning = z.infer<typeof AgentWarningSchema>;

export const commonCommands = {
  'Common.Authenticate': defineCommand({
    description: 'Prove the connection comes from the page the agent served: send the per-boot token from <meta name="onevisit-token">.',
    payload: z.object({ token: z.string().min(1).max(256) }),
    completion: z.object({ agent: AgentInfoSchema }),
    events: {},
  }),
  'Common.Status': defineCommand({
    description: 'The status of every device and of the agent.',
    payload: z.object({}).optional(),
    completion: z.object({ agent: AgentInfoSchema, devices: z.array(DeviceStatusSchema), warnings: z.array(AgentWarningSchema) }),
    events: {},
  }),
  'Common.Capabilities': defineCommand({
    description: 'The services, commands and versions this agent accepts.',
    payload: z.object({}).optional(),
    completion: z.object({
      protocolVersion: z.string(),
      services: z.array(
        z.object({
          name: z.string(),
          commands: z.array(z.object({ name: z.string(), versions: z.array(z.string()), devOnly: z.boolean(), description: z.string() })),
        }),
      ),
    }),
    events: {},
  }),
  'Common.Cancel': defineCommand({
    description: 'Cancel commands in flight on this connection: by requestId, by a list of them, or all when none is given.',
    payload: z
      .object({
        requestId: RequestIdSchema.optional(),
        requestIds: z.array(RequestIdSchema).max(64).optional(),
      })
      .optional(),
    completion: z.object({ canceled: z.array(RequestIdSchema) }),
    events: {},
  }),
} as const;

export const commonUnsolicited = {
  /** A device's status changed. */
  'Common.StatusChangedEvent': DeviceStatusSchema,
  /** The agent is going down (SIGTERM); the UI shows out-of-service and reconnects. */
  'Common.ShutdownEvent': z.object({ reason: z.enum(['shutdown', 'restart']), graceMs: z.number().int().nonnegative() }),
} as const;
