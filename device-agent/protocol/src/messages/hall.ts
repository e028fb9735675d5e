import { z } from 'zod';
import { DeviceStatusSchema } from '../devices.ts';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { AgentWarningSchema } from './common.ts';
import { SupplySummarySchema } from './storage.ts';

/**
 * What each terminal of a hall reports every 15 s (its heartbeat, issue 14): devices, supplies,
 * warnings, outbox backlog, software and form versions. Never personal data.
 */
export const TerminalReportSchema = z.object({
  agentVersion: z.string().max(64),
  devices: z.array(DeviceStatusSchema),
  supplies: z.array(SupplySummarySchema),
  warnings: z.array(AgentWarningSchema),
  /** Submissions waiting in the terminal's outbox (pending + dead letters). */
  outboxBacklog: z.number().int().nonnegative(),
  /** `formId@version` of every form package the terminal offers. */
  forms: z.array(z.string().max(200)),
});
export type TerminalReport = z.infer<typeof TerminalReportSchema>;

export const TerminalStatusSchema = z.object({
  terminalId: z.string(),
  /** Last heartbeat, ISO-8601 with the Asia/Shanghai offset. */
  reportedAt: z.string(),
  /** No heartbeat for more than 60 s: the terminal is off, hung or cut off from the hall database. */
  silent: z.boolean(),
  report: TerminalReportSchema,
});
export type TerminalStatus = z.infer<typeof TerminalStatusSchema>;

export const hallCommands = {
  'Hall.Status': defineCommand({
    role: 'staff',
    description: "Every terminal of the hall with its last heartbeat (devices, supplies, warnings, outbox backlog, versions); silent after 60 s without one.",
    payload: z.object({}).optional(),
    completion: z.object({ terminals: z.array(TerminalStatusSchema) }),
    errors: errorsOf(['hallDbUnavailable']),
    events: {},
  }),
} as const;
