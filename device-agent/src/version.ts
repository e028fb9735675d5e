import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The agent's version, from device-agent/package.json (read once at start). */
export const AGENT_VERSION: string = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))).version;
