import { ReferenceTextSchema, type CommandName, type CommandPayload, type PickupItem } from '@onevisit/protocol';
import type { CommandResult, SendOptions } from '../../agent/client.ts';
import { COLLECT_PROBLEMS, FIND_PROBLEMS, problemOf, type PickupProblem } from './pickup-problems.ts';
import { RatingOffer } from '../rating/rating-offer.svelte.ts';

/**
 * The citizen's pickup journey (证照领取, issue 13): ID card or pickup code → the items waiting →
 * collect one: the agent opens its compartment and the cabinet's sensors decide the rest (taken,
 * door closed, left open, not removed); this class only shows what the agent's events say.
 * Holds the person's items in memory only, and forgets them when the session ends.
 */

export const PICKUP_CODE_LENGTH = 6;

/** `confirm`: the door is closed on a board without a presence sensor; the person says whether they took it. */
export type CollectPhase = 'opening' | 'open' | 'taken' | 'confirm';

export type PickupStep =
  | { readonly name: 'find' }
  | { readonly name: 'list' }
  | { readonly name: 'collect'; readonly item: PickupItem; readonly phase: CollectPhase; readonly slot: string; readonly leftOpen: boolean }
  | { readonly name: 'done'; readonly slot: string; readonly receipt: 'printed' | 'notPrinted' | 'none' }
  | { readonly name: 'notRemoved'; readonly slot: string };

export type PickupStepName = PickupStep['name'];

export type PickupProblemView = { readonly code: PickupProblem; readonly attempts?: number; readonly until?: string; readonly slot?: string };

export type PickupSend = <N extends CommandName>(name: N, payload: CommandPayload<N>, options?: SendOptions<N>) => Promise<CommandResult<N>>;

/** What the flow needs from the kiosk; the flow's tests fake it. */
export interface PickupHost {
  send: PickupSend;
  hasIdentity(): boolean;
  /** Reads the ID card (the identify screen), then `then`; `back` when the citizen gives up. */
  identify(then: () => void, back: () => void): void;
  show(): void;
  home(): void;
  finish(): void;
  onSessionEnd(listener: () => void): void;
}

export class PickupFlow {
  step = $state.raw<PickupStep>({ name: 'find' });
  items = $state.raw<readonly PickupItem[]>([]);
  code = $state('');
  busy = $state(false);
  problem = $state.raw<PickupProblemView | undefined>(undefined);
  /** Items collected in this session (the done screen offers the rest). */
  collected = $state(0);
  /**
   * 好差评 (issue 15) offered once the door is closed on a collected item, about that certificate:
   * with its case reference, never the pickup code (it opens the compartment).
   */
  readonly rating: RatingOffer;

  readonly #host: PickupHost;
  #generation = 0;

  constructor(host: PickupHost) {
    this.#host = host;
    this.rating = new RatingOffer({ send: host.send, newId: () => crypto.randomUUID() });
    host.onSessionEnd(() => this.reset());
  }

  get codeComplete(): boolean {
    return this.code.length === PICKUP_CODE_LENGTH;
  }

  reset(): void {
    this.#generation += 1;
    this.step = { name: 'find' };
    this.items = [];
    this.code = '';
    this.busy = false;
    this.problem = undefined;
    this.collected = 0;
    this.rating.reset();
  }

  // ------------------------------------------------------------------ the code keypad

  typeDigit(digit: string): void {
    if (!/^\d$/.test(digit) || this.code.length >= PICKUP_CODE_LENGTH) return;
    this.code += digit;
  }

  deleteDigit(): void {
    this.code = this.code.slice(0, -1);
  }

  clearCode(): void {
    this.code = '';
  }

  // ------------------------------------------------------------------ finding

  /** With the card this session read; asks for it first when there is none. */
  findMine(): void {
    if (this.busy) return;
    if (this.#host.hasIdentity()) {
      void this.#find(undefined);
      return;
    }
    this.#host.identify(
      () => {
        this.#host.show();
        void this.#find(undefined);
      },
      () => this.#host.show(),
    );
  }

  findByCode(): void {
    if (this.busy || !this.codeComplete) return;
    void this.#find(this.code);
  }

  async #find(code: string | undefined): Promise<void> {
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    const result = await this.#host.send('Pickup.Find', code === undefined ? {} : { code });
    if (generation !== this.#generation) return;
    this.busy = false;
    this.code = '';
    if (result.ok) {
      this.items = result.payload.items;
      this.step = { name: 'list' };
      return;
    }
    const problem = problemOf(FIND_PROBLEMS, 'unavailable', result.completionCode, result.errorCode);
    if (result.errorCode === 'wrongCode') this.problem = { code: problem, attempts: result.payload.attemptsLeft };
    else if (result.errorCode === 'codeEntryLocked') this.problem = { code: problem, until: clockOf(result.payload.until) };
    else this.problem = { code: problem };
  }

  // ------------------------------------------------------------------ collecting

  /** Opens the item's compartment; the agent's events move the screen on, its completion ends it. */
  async collect(itemId: string): Promise<void> {
    const item = this.items.find((i) => i.itemId === itemId);
    if (item === undefined || this.busy) return;
    const generation = this.#generation;
    this.busy = true;
    this.problem = undefined;
    this.step = { name: 'collect', item, phase: 'opening', slot: item.slot, leftOpen: false };
    const result = await this.#host.send(
      'Pickup.Collect',
      { itemId },
      {
        onEvent: (event) => {
          const step = this.step;
          if (generation !== this.#generation || step.name !== 'collect') return;
          switch (event.name) {
            case 'Pickup.SlotOpenedEvent':
              this.step = { ...step, phase: 'open', slot: event.payload.slot };
              return;
            case 'Pickup.ItemTakenEvent':
              this.step = { ...step, phase: 'taken' };
              return;
            case 'Pickup.DoorLeftOpenEvent':
              this.step = { ...step, leftOpen: true };
              return;
            case 'Pickup.DoorClosedEvent':
              return;
            case 'Pickup.ConfirmRemovalEvent':
              this.step = { ...step, phase: 'confirm' };
              return;
            default: {
              const unreachable: never = event;
              return unreachable;
            }
          }
        },
      },
    );
    if (generation !== this.#generation) return;
    this.busy = false;
    if (result.ok) {
      if (result.payload.outcome === 'collected') {
        this.items = this.items.filter((i) => i.itemId !== itemId);
        this.collected += 1;
        this.step = { name: 'done', slot: result.payload.slot, receipt: result.payload.receipt };
      } else {
        this.step = { name: 'notRemoved', slot: result.payload.slot };
      }
      // The door is closed either way: the visit to the cabinet is over, and a door that troubled
      // the citizen is exactly what a rating should hear about.
      this.rating.offer('pickup', ReferenceTextSchema.safeParse(item.reference).success ? item.reference : undefined, { 'zh-CN': item.title, en: item.title });
      return;
    }
    const problem = problemOf(COLLECT_PROBLEMS, 'unavailable', result.completionCode, result.errorCode);
    this.problem = result.errorCode === 'lockFailed' ? { code: problem, slot: result.payload.slot } : { code: problem };
    if (result.errorCode === 'notFound') this.items = this.items.filter((i) => i.itemId !== itemId);
    this.step = { name: 'list' };
  }

  /** The person's answer on a board without a presence sensor; the collect's completion follows. */
  confirmRemoval(taken: boolean): void {
    const step = this.step;
    if (step.name !== 'collect' || step.phase !== 'confirm') return;
    this.step = { ...step, phase: taken ? 'taken' : 'open' };
    void this.#host.send('Pickup.ConfirmRemoval', { itemId: step.item.itemId, taken });
  }

  // ------------------------------------------------------------------ navigation

  back(): void {
    if (this.busy) return;
    this.problem = undefined;
    if (this.step.name === 'find') this.#host.home();
    else this.step = { name: this.items.length > 0 && this.step.name !== 'list' ? 'list' : 'find' };
  }

  toList(): void {
    this.problem = undefined;
    this.step = { name: 'list' };
  }

  finish(): void {
    this.#host.finish();
  }
}

/** `2026-12-04T05:10:00+08:00` → `05:10` (the lockout is minutes). */
function clockOf(iso: string): string {
  return /T(\d{2}:\d{2})/.exec(iso)?.[1] ?? iso;
}

const flows = new WeakMap<object, PickupFlow>();

/** One flow per kiosk, made on first use (the pickup chunk); keyed by the kiosk so tests get their own. */
export function pickupFlowOf(key: object, host: () => PickupHost): PickupFlow {
  let flow = flows.get(key);
  if (!flow) {
    flow = new PickupFlow(host());
    flows.set(key, flow);
  }
  return flow;
}
