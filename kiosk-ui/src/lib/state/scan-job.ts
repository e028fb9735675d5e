import type { CommandName, CompletionPayload } from '@onevisit/protocol';
import type { AgentClient, CommandResult, PendingCommand } from '../agent/client.ts';
import { scanErrorCode, type ScanErrorCode } from './scan-codes.ts';

export type ScannedPage = CompletionPayload<'Scanner.Scan'>['pages'][number];

export type ScanOutcome = { kind: 'canceled' } | { kind: 'failed'; code: ScanErrorCode } | { kind: 'page'; page: ScannedPage };

/**
 * The agent-side scan a flow works on, and the one request it has in flight: what the
 * identify-by-scan flow and the supporting-document check share. Not reactive: the flows keep
 * what the screens show in their own `$state`.
 */
export class ScanJob {
  readonly #client: AgentClient;
  #scanId: string | undefined;
  #requestId: number | undefined;

  constructor(client: AgentClient) {
    this.#client = client;
  }

  get scanId(): string | undefined {
    return this.#scanId;
  }

  /**
   * Awaits a command as this flow's one request in flight. Undefined when it was superseded
   * (cancelled, or another request started meanwhile): its result is stale, ignore it.
   */
  async track<N extends CommandName>(pending: PendingCommand<N>): Promise<CommandResult<N> | undefined> {
    this.#requestId = pending.requestId;
    const result = await pending.result;
    if (this.#requestId !== pending.requestId) return undefined;
    this.#requestId = undefined;
    return result;
  }

  /** Scanner.Scan, after discarding the previous scan in the agent. Undefined when superseded. */
  async scan(onEvent: () => void): Promise<ScanOutcome | undefined> {
    this.discard();
    const result = await this.track(this.#client.send('Scanner.Scan', {}, { onEvent }));
    if (result === undefined) return undefined;
    if (!result.ok) {
      return result.completionCode === 'canceled' ? { kind: 'canceled' } : { kind: 'failed', code: scanErrorCode(result.completionCode, result.errorCode) };
    }
    this.#scanId = result.payload.scanId;
    const page = result.payload.pages[0];
    if (page === undefined) {
      this.discard();
      return { kind: 'failed', code: 'noDocument' };
    }
    return { kind: 'page', page };
  }

  /** The agent no longer has the scan (scanNotFound): forget it without asking. */
  forget(): void {
    this.#scanId = undefined;
  }

  /** Tells the agent to drop the scan (it holds personal data), and forgets it. */
  discard(): void {
    const scanId = this.#scanId;
    this.#scanId = undefined;
    if (scanId !== undefined && this.#client.phase === 'ready') void this.#client.send('Scanner.DiscardScan', { scanId }).result;
  }

  /** Cancels the request in flight, if any; its result will be ignored. */
  cancel(): void {
    const requestId = this.#requestId;
    this.#requestId = undefined;
    if (requestId !== undefined) this.#client.cancel(requestId);
  }
}
