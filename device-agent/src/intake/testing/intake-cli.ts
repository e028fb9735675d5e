import { runIntake } from '../main.ts';

/** Runs `npm run intake -- …` in-process and collects what it prints. */
export async function intakeCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runIntake(args, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}
