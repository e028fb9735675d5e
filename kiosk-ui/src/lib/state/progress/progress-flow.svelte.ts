import type { CaseView, CommandName, CommandPayload, ErrorPayloadOf } from '@onevisit/protocol';
import type { CommandResult, SendOptions } from '../../agent/client.ts';
import type { ProgressProblemKey } from '../../i18n/progress.zh-cn.ts';
import { RatingOffer } from '../rating/rating-offer.svelte.ts';

/**
 * 进度查询 and 补正 (issue 15): the citizen looks a case up by ID card (all of theirs) or by the
 * reference number typed on a keypad (the agent's check character catches a typo), sees the status in
 * plain words and the timeline, hands in a missing material through the scanner, and is offered a
 * rating (好差评) at the end. When the back office cannot be reached the flow says so and shows what
 * the terminal itself knows. Everything is memory only and forgotten when the session ends.
 */

export type LocalRecord = ErrorPayloadOf<'Progress.Query', 'backOfficeUnavailable'>['local'][number];
export type Material = NonNullable<CaseView['materials']>[number];

export type ProgressStep =
  | { readonly name: 'choose' }
  | { readonly name: 'keypad' }
  | { readonly name: 'cases' }
  | { readonly name: 'offline'; readonly local: readonly LocalRecord[] }
  | { readonly name: 'supplement'; readonly reference: string; readonly material: Material }
  | { readonly name: 'supplementDone'; readonly supplementReference: string; readonly receipt: 'printed' | 'notPrinted' }
  | { readonly name: 'rate' };

export type ProgressSend = <N extends CommandName>(name: N, payload: CommandPayload<N>, options?: SendOptions<N>) => Promise<CommandResult<N>>;

/** What the flow needs from the kiosk; the flow's tests fake it. */
export interface ProgressHost {
  send: ProgressSend;
  hasIdentity(): boolean;
  /** Reads the ID card (the identify screen), then `then`; `back` when the citizen gives up. */
  identify(then: () => void, back: () => void): void;
  show(): void;
  home(): void;
  /** To the pickup journey (a case ready at this hall's cabinet). */
  pickup(): void;
  finish(): void;
  onSessionEnd(listener: () => void): void;
  /** Why the citizen came: 进度查询, or 好差评 from the home screen (find the case, then rate it). */
  purpose(): ProgressPurpose;
  /** A fresh UUID (supplement ids): crypto.randomUUID in the browser. */
  newId(): string;
}

export type ProgressPurpose = 'progress' | 'rate';

export const REFERENCE_MAX_LENGTH = 24;

export class ProgressFlow {
  step = $state.raw<ProgressStep>({ name: 'choose' });
  cases = $state.raw<readonly CaseView[]>([]);
  typed = $state('');
  busy = $state(false);
  problem = $state<ProgressProblemKey | undefined>(undefined);
  /** The supplement being scanned: scan ids and page count. */
  scanIds = $state.raw<readonly string[]>([]);
  pages = $state(0);
  /** How the last query was asked, for "try again". */
  #lastQuery: { reference?: string } = {};
  #supplementId = '';
  readonly rating: RatingOffer;
  readonly #host: ProgressHost;
  #generation = 0;

  constructor(host: ProgressHost) {
    this.#host = host;
    this.rating = new RatingOffer({ send: host.send, newId: () => host.newId() });
    host.onSessionEnd(() => this.reset());
  }

  reset(): void {
    this.#generation += 1;
    this.step = { name: 'choose' };
    this.cases = [];
    this.typed = '';
    this.busy = false;
    this.problem = undefined;
    this.scanIds = [];
    this.pages = 0;
    this.#lastQuery = {};
    this.rating.reset();
  }

  openKeypad(): void {
    this.problem = undefined;
    this.step = { name: 'keypad' };
  }

  type(key: string): void {
    if (this.typed.length < REFERENCE_MAX_LENGTH) this.typed += key;
    this.problem = undefined;
  }

  deleteLast(): void {
    this.typed = this.typed.slice(0, -1);
  }

  clear(): void {
    this.typed = '';
  }

  back(): void {
    this.problem = undefined;
    if (this.step.name === 'choose') this.#host.home();
    else if (this.step.name === 'supplement') this.step = { name: 'cases' };
    else this.step = { name: 'choose' };
  }

  /** By ID card: reads it first when this session has none. */
  byCard(): void {
    this.problem = undefined;
    if (this.#host.hasIdentity()) {
      void this.#query({});
      return;
    }
    this.#host.identify(
      () => {
        this.#host.show();
        void this.#query({});
      },
      () => this.#host.show(),
    );
  }

  byReference(): Promise<void> {
    return this.#query({ reference: this.typed });
  }

  retry(): Promise<void> {
    return this.#query(this.#lastQuery);
  }

  async #query(query: { reference?: string }): Promise<void> {
    if (this.busy) return;
    this.#lastQuery = query;
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    const result = await this.#host.send('Progress.Query', query.reference === undefined ? {} : { reference: query.reference });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (result.ok) {
      this.cases = result.payload.cases;
      this.step = { name: 'cases' };
      return;
    }
    if (result.errorCode === 'backOfficeUnavailable') {
      this.step = { name: 'offline', local: result.payload.local };
      return;
    }
    // The query's own codes have their text; anything else (connection, session) is "try again".
    this.problem = result.errorCode === 'noCard' || result.errorCode === 'invalidReference' || result.errorCode === 'unknownCase' ? result.errorCode : 'unavailable';
  }

  startSupplement(reference: string, material: Material): void {
    this.scanIds = [];
    this.pages = 0;
    this.problem = undefined;
    this.#supplementId = this.#host.newId();
    this.step = { name: 'supplement', reference, material };
  }

  async scan(): Promise<void> {
    if (this.busy) return;
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    const result = await this.#host.send('Scanner.Scan', {});
    if (generation !== this.#generation) return;
    this.busy = false;
    if (!result.ok) {
      this.problem = 'scanFailed';
      return;
    }
    this.scanIds = [...this.scanIds, result.payload.scanId];
    this.pages += result.payload.pages.length;
  }

  async submitSupplement(): Promise<void> {
    const step = this.step;
    if (step.name !== 'supplement' || this.busy || this.scanIds.length === 0) return;
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    const result = await this.#host.send('Supplement.Submit', { reference: step.reference, materialId: step.material.id, scanIds: [...this.scanIds], supplementId: this.#supplementId });
    if (generation !== this.#generation) return;
    this.busy = false;
    if (result.ok) {
      this.scanIds = [];
      this.rating.offer('supplement', step.reference);
      this.step = { name: 'supplementDone', supplementReference: result.payload.supplementReference, receipt: result.payload.receipt };
      return;
    }
    if (result.errorCode === 'unknownScan') {
      this.scanIds = [];
      this.pages = 0;
      this.problem = 'unknownScan';
      return;
    }
    this.problem = 'supplementFailed';
  }

  /** The end of the query (or of a supplement): the rating offer, then home. */
  done(): void {
    if (this.step.name !== 'supplementDone') this.rating.offer('query', this.cases.length === 1 ? this.cases[0]?.reference : undefined);
    this.step = { name: 'rate' };
  }

  /** Why the citizen came (the screen's title and lead follow it). */
  get purpose(): ProgressPurpose {
    return this.#host.purpose();
  }

  /** 好差评 of one case found (issue 15's rating, reached from the home screen's tile): the panel for it. */
  rateCase(reference: string): void {
    this.problem = undefined;
    // The reference is named on the panel, so the citizen knows which of their cases they rate.
    this.rating.offer('application', reference, { 'zh-CN': reference, en: reference });
    this.step = { name: 'rate' };
  }

  toPickup(): void {
    this.#host.pickup();
  }

  finish(): void {
    this.#host.finish();
  }
}

const flows = new WeakMap<object, ProgressFlow>();

/** One flow per kiosk: it outlives the screen component (the identify screen comes in between). */
export function progressFlowOf(key: object, host: () => ProgressHost): ProgressFlow {
  let flow = flows.get(key);
  if (!flow) {
    flow = new ProgressFlow(host());
    flows.set(key, flow);
  }
  return flow;
}
