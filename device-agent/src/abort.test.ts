import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { abortAfter } from './abort.ts';

const script = `
const { abortAfter } = await import(${JSON.stringify(fileURLToPath(new URL('./abort.ts', import.meta.url)))});
const collected = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(50)]);
const bounded = abortAfter(new AbortController().signal, 50);
for (let i = 0; i < 5; i += 1) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); }
await new Promise((r) => setTimeout(r, 200));
console.log(JSON.stringify({ any: collected.aborted, bounded: bounded.signal.aborted, name: bounded.signal.reason?.name }));
`;

describe('abortAfter', () => {
  it('still times out after a garbage collection, where AbortSignal.any with AbortSignal.timeout may not', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { any: boolean; bounded: boolean; name?: string };
    expect(result.bounded).toBe(true);
    expect(result.name).toBe('TimeoutError');
  });

  it('does not abort once disposed, and follows the outer signal', () => {
    const outer = new AbortController();
    const bounded = abortAfter(outer.signal, 10_000);
    bounded.dispose();
    expect(bounded.signal.aborted).toBe(false);
    outer.abort();
    expect(bounded.signal.aborted).toBe(true);
  });
});
