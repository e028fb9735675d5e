/**
 * `signal`, or a timeout after `timeoutMs`, whichever comes first; `dispose()` clears the timer.
 *
 * Not `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: there the timeout signal is held only
 * weakly and can be garbage-collected before it fires, so a stalled peer is waited for for ever
 * (seen under load: a delivery to a stalled intake never timed out). Here the timer holds it.
 * The abort reason is a `TimeoutError` DOMException, as `AbortSignal.timeout` gives.
 */
export function abortAfter(signal: AbortSignal, timeoutMs: number): { signal: AbortSignal; dispose: () => void } {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('The operation timed out', 'TimeoutError')), timeoutMs);
  return { signal: AbortSignal.any([signal, timeout.signal]), dispose: () => clearTimeout(timer) };
}
