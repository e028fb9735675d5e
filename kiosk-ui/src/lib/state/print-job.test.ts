import { describe, expect, it } from 'vitest';
import { PrintJob, type PrintOutcome } from './print-job.svelte.ts';

function deferred(): { promise: Promise<PrintOutcome>; resolve: (outcome: PrintOutcome) => void } {
  let resolve: (outcome: PrintOutcome) => void = () => undefined;
  const promise = new Promise<PrintOutcome>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('PrintJob', () => {
  const job = (): PrintJob<'paperOut' | 'failed'> => new PrintJob((_completion, errorCode) => (errorCode === 'paperOut' ? 'paperOut' : 'failed'));

  it('goes idle → printing → printed, and maps a failure to the journey’s code', async () => {
    const print = job();
    expect(print.state).toEqual({ status: 'idle' });
    const answer = deferred();
    const running = print.run(() => answer.promise);
    expect(print.state).toEqual({ status: 'printing' });
    answer.resolve({ ok: false, completionCode: 'deviceNotReady', errorCode: 'paperOut' });
    await running;
    expect(print.state).toEqual({ status: 'failed', error: 'paperOut' });
    await print.run(() => Promise.resolve({ ok: true }));
    expect(print.state).toEqual({ status: 'printed' });
  });

  it('sends one print at a time', async () => {
    const print = job();
    const answer = deferred();
    let sent = 0;
    const first = print.run(() => {
      sent += 1;
      return answer.promise;
    });
    await print.run(() => {
      sent += 1;
      return Promise.resolve({ ok: true });
    });
    expect(sent).toBe(1);
    answer.resolve({ ok: true });
    await first;
  });

  it('goes back to idle when nothing was sent, and drops an answer that comes after a reset', async () => {
    const print = job();
    await print.run(() => Promise.resolve(undefined));
    expect(print.state).toEqual({ status: 'idle' });
    const answer = deferred();
    const running = print.run(() => answer.promise);
    print.reset();
    answer.resolve({ ok: true });
    await running;
    expect(print.state).toEqual({ status: 'idle' });
  });
});
