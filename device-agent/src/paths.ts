import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the agent finds the files it reads by path at run time. The agent runs from its sources
 * (this file: device-agent/src/paths.ts) or bundled (device-agent/dist/main.js, `npm run build`):
 * both sit one folder below device-agent/, so `..` is device-agent/ either way. Other modules
 * resolve run-time files from here, never with `new URL('./x', import.meta.url)`: inside the
 * bundle their `import.meta.url` is the bundle's. Packages in node_modules are found with
 * `createRequire(import.meta.url).resolve`, which works from both places.
 */
export const AGENT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The checkout (or installed tree) that holds device-agent/, forms/ and kiosk-ui/. */
export const REPO_DIR = path.dirname(AGENT_DIR);

/** A file or folder under device-agent/, e.g. `agentPath('src', 'ocr', 'offline-worker.cjs')`. */
export function agentPath(...segments: string[]): string {
  return path.join(AGENT_DIR, ...segments);
}
