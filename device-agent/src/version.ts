import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { agentPath } from './paths.ts';

/** The agent's version, from device-agent/package.json (read once at start). */
export const AGENT_VERSION: string = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(agentPath('package.json'), 'utf8'))).version;
