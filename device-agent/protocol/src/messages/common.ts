import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { DeviceStatusSchema } from '../devices.ts';
import { RequestIdSchema } from '../envelope.ts';
import { COMMAND_ROLES } from '../spec.ts';
import { PrintingSchema, SupplySummarySchema } from './storage.ts';

export const AgentInfoSchema = z.object({
  version: z.string(),
  terminalId: z.string(),
  dev: z.boolean(),
  /** The demo (no config file, every device simulated): the UI shows a 演示 / DEMO mark on every screen. */
  demo: z.boolean(),
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
export const AGENT_WARNING_CODES = [
  'holidayDataMissing',
  'submissionsOutOfService',
  /** A supply unit (receipt paper, A4 paper) is low, empty, or was opened outside an exchange (issue 12): staff restock. */
  'supplyLow',
  'supplyEmpty',
  'supplyManipulated',
  /** Submissions the intake refused or holds other bytes for (dead letters, kept sealed): staff call the back office (issue 11). */
  'submissionsRefusedByIntake',
  /** The pickup cabinet (issue 13): a door left or found open, an item the sensors miss or did not expect, a lock that failed to open. `detail` names the compartment, never a person. */
  'cabinetDoorOpen',
  'cabinetItemMissing',
  'cabinetItemUnexpected',
  'cabinetLockFault',
  /** The hall database (`--hall-db`, issue 14) does not answer: booking and Hall.Status are unavailable; applications and pickup go on. */
  'hallDatabaseUnreachable',
  /** Another live terminal of the hall reports under this terminal's id (issue 14): this one's heartbeat is not written; give it its own id. */
  'terminalIdInUse',
  /** A signed form update from the channel was refused (issue 16): `detail` names the form, version and reason; the old version stays. */
  'formUpdateRefused',
  /** An activated form update was rolled back by itself because its fills failed (issue 16): `detail` names the form, both versions and the failures; call ops. */
  'formRolledBack',
] as const;
export const AgentWarningSchema = z.object({ code: z.enum(AGENT_WARNING_CODES), detail: z.string().max(500) });
export type AgentWarning = z.infer<typeof AgentWarningSchema>;

export const commonCommands = {
  'Common.Authenticate': defineCommand({
    role: 'none',
    description:
      'Prove the connection comes from the page the agent served: send the per-boot token from <meta name="onevisit-token">, and outside the demo the launch secret the kiosk launcher put in the URL fragment (#launch=…); without it a connection gets non-personal status at most.',
    payload: z.object({ token: z.string().min(1).max(256), launchSecret: z.string().min(1).max(256).optional() }),
    completion: z.object({ agent: AgentInfoSchema }),
    errors: errorsOf(['badToken']),
    events: {},
  }),
  'Common.Status': defineCommand({
    role: 'none',
    description: 'The status of every device and of the agent.',
    payload: z.object({}).optional(),
    completion: z.object({
      agent: AgentInfoSchema,
      devices: z.array(DeviceStatusSchema),
      warnings: z.array(AgentWarningSchema),
      /** Supply units in short (issue 12); the agent always sends it. */
      supplies: z.array(SupplySummarySchema).optional(),
      /** What citizens get from the printers now, so the UI can say it honestly (issue 12); the agent always sends it. */
      printing: PrintingSchema.optional(),
    }),
    errors: {},
    events: {},
  }),
  'Common.Capabilities': defineCommand({
    role: 'none',
    description: 'The services, commands and versions this agent accepts.',
    payload: z.object({}).optional(),
    completion: z.object({
      protocolVersion: z.string(),
      services: z.array(
        z.object({
          name: z.string(),
          commands: z.array(z.object({ name: z.string(), versions: z.array(z.string()), devOnly: z.boolean(), role: z.enum(COMMAND_ROLES), description: z.string() })),
        }),
      ),
    }),
    errors: {},
    events: {},
  }),
  'Common.Cancel': defineCommand({
    role: 'none',
    description: 'Cancel commands in flight on this connection: by requestId, by a list of them, or all when none is given.',
    payload: z
      .object({
        requestId: RequestIdSchema.optional(),
        requestIds: z.array(RequestIdSchema).max(64).optional(),
      })
      .optional(),
    completion: z.object({ canceled: z.array(RequestIdSchema) }),
    errors: {},
    events: {},
  }),
} as const;

export const commonUnsolicited = {
  /** A device's status changed. */
  'Common.StatusChangedEvent': DeviceStatusSchema,
  /** The agent is going down (SIGTERM); the UI shows out-of-service and reconnects. */
  'Common.ShutdownEvent': z.object({ reason: z.enum(['shutdown', 'restart']), graceMs: z.number().int().nonnegative() }),
} as const;
