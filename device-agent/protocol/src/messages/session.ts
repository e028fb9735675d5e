import { z } from 'zod';
import { defineCommand } from '../spec.ts';

export const sessionCommands = {
  'Session.End': defineCommand({
    role: 'none',
    description:
      "End the citizen's session: the agent wipes everything personal it holds for this connection (identity read from the card, answers). The UI sends it on idle timeout and at the end of every journey.",
    payload: z.object({ reason: z.enum(['completed', 'idleTimeout', 'canceled', 'cardRemoved']).optional() }).optional(),
    completion: z.object({}),
    errors: {},
    events: {},
  }),
} as const;
