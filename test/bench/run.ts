// `npm run bench`: runs every test/bench/*.bench.ts module (each exports `run()`, which
// prints its own figures). Benchmarks report; they never fail the build.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

async function main(): Promise<void> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  process.stdout.write(`OneVisit benchmarks (${new Date().toISOString()}, Node ${process.version})\n`);
  for (const file of files) {
    process.stdout.write(`\n== ${file}\n`);
    try {
      const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run?: unknown };
      if (typeof mod.run !== 'function') {
        process.stdout.write('   (no run() export; skipped)\n');
        continue;
      }
      await (mod.run as () => Promise<void>)();
    } catch (error) {
      process.stdout.write(`   failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

main()
  .catch((error: unknown) => process.stdout.write(`bench runner failed: ${String(error)}\n`))
  .finally(() => process.exit(0));
