import { cabinetUnitId, isValidIdNumber, type PickupItem, type StorageUnit, type StorageUnitId } from '@onevisit/protocol';
import type { PickupSend } from './pickup-flow.svelte.ts';
import { DEPOSIT_PROBLEMS, EXCHANGE_PROBLEMS, OPEN_PROBLEMS, RECOVER_PROBLEMS, problemOf, type CabinetProblem, type CertificateTitleId } from './pickup-problems.ts';

/**
 * The staff side of the pickup cabinet (issue 13): load certificates one after another, the
 * overdue and to-check lists with recovery, the compartments (Storage.Status units of kind
 * `cabinetSlot`) and, for a technician, opening any one. The cabinet's sensors decide each step;
 * this class only shows the agent's events. Holds a form being filled and nothing after sign-out.
 *
 * Loading and recovery happen inside a storage exchange on every compartment (XFS4IoT, issue 12's
 * model): the screen opens it when it shows (`openExchange`) and ends it when it closes
 * (`closeExchange`); the agent leaves it by itself when the staff session ends.
 */

export type CabinetTab = 'load' | 'overdue' | 'compartments';
export type DepositSize = 'S' | 'M' | 'L';
/** card: waiting for the applicant's card (a deposit by card); then as for any door cycle. */
export type DoorPhase = 'idle' | 'card' | 'opening' | 'open' | 'placed';
/** Where the deposit's ID number comes from: typed on the keyboard, or the applicant's card read by the agent. */
export type IdSource = 'typed' | 'card';
export type CabinetField = 'reference' | 'idNumber';
export type CabinetProblemView = { readonly code: CabinetProblem; readonly slot?: string };
export type CabinetNote =
  | { readonly kind: 'loaded'; readonly slot: string }
  | { readonly kind: 'recovered'; readonly slot: string }
  | { readonly kind: 'closed'; readonly slot: string; readonly presence: 'present' | 'empty' | 'unknown' };

export type CompartmentUnit = { readonly slot: string; readonly size: DepositSize; readonly state: 'free' | 'occupied' | 'open' | 'fault' };
/** none: no exchange (not yet, refused, or ended); starting: Storage.StartExchange is on its way; open: loading may go on. */
export type ExchangePhase = 'none' | 'starting' | 'open';

export class CabinetDesk {
  tab = $state<CabinetTab>('load');
  reference = $state('');
  idNumber = $state('');
  idSource = $state<IdSource>('typed');
  /** The applicant's card as the agent read it, masked (the number itself never reaches the screen). */
  applicant = $state.raw<{ readonly maskedIdNumber: string; readonly maskedName: string } | undefined>(undefined);
  titleId = $state<CertificateTitleId | undefined>(undefined);
  size = $state<DepositSize | undefined>(undefined);
  /** The field the on-screen keyboard types into. */
  editing = $state<CabinetField | undefined>(undefined);
  /** The door cycle running now (deposit, recover, open) and its compartment. */
  phase = $state<DoorPhase>('idle');
  slot = $state<string | undefined>(undefined);
  loadedCount = $state(0);
  note = $state.raw<CabinetNote | undefined>(undefined);
  problem = $state.raw<CabinetProblemView | undefined>(undefined);
  overdue = $state.raw<readonly PickupItem[]>([]);
  needsCheck = $state.raw<readonly PickupItem[]>([]);
  compartments = $state.raw<readonly CompartmentUnit[]>([]);
  exchange = $state<ExchangePhase>('none');

  readonly #send: PickupSend;
  #exchangeUnits: StorageUnitId[] = [];
  /** The screen closed while the exchange was starting: end it as soon as it is open. */
  #closing = false;

  constructor(send: PickupSend) {
    this.#send = send;
  }

  get busy(): boolean {
    return this.phase !== 'idle';
  }

  get formReady(): boolean {
    return this.reference.trim() !== '' && (this.idSource === 'card' || isValidIdNumber(this.idNumber)) && this.titleId !== undefined;
  }

  show(tab: CabinetTab): void {
    if (this.busy) return;
    this.tab = tab;
    this.problem = undefined;
    this.note = undefined;
    this.editing = undefined;
    if (tab === 'overdue') void this.loadOverdue();
    if (tab === 'compartments') void this.loadCompartments();
  }

  type(field: CabinetField, value: string): void {
    // References are written in capitals (受理编号 such as SZ-2026-000123): the keyboard's letters come in as such.
    if (field === 'reference') this.reference = value.toUpperCase().slice(0, 40);
    else {
      this.idNumber = value.toUpperCase().slice(0, 18);
      this.idSource = 'typed';
    }
  }

  /** The ID number will come from the applicant's card, read by the agent when staff press load. */
  useCard(): void {
    if (this.busy) return;
    this.idSource = 'card';
    this.idNumber = '';
    this.editing = undefined;
  }

  /** Loads one certificate: the agent picks the compartment, opens it and completes when the sensors saw it in and the door shut. */
  async deposit(titleOf: (id: CertificateTitleId) => string): Promise<void> {
    const titleId = this.titleId;
    if (this.busy) return;
    if (!this.formReady || titleId === undefined) {
      this.problem = { code: 'invalid' };
      return;
    }
    this.#startCycle();
    if (this.idSource === 'card') this.phase = 'card';
    const result = await this.#send(
      'Pickup.Deposit',
      {
        reference: this.reference.trim(),
        ...(this.idSource === 'card' ? { applicantCard: true } : { idNumber: this.idNumber }),
        title: titleOf(titleId),
        ...(this.size ? { size: this.size } : {}),
      },
      {
        onEvent: (event) => {
          switch (event.name) {
            case 'Pickup.ApplicantCardReadEvent':
              this.applicant = event.payload;
              this.phase = 'opening';
              return;
            case 'Pickup.SlotOpenedEvent':
              this.phase = 'open';
              this.slot = event.payload.slot;
              return;
            case 'Pickup.ItemPlacedEvent':
              this.phase = 'placed';
              return;
            case 'Pickup.DoorClosedEvent':
              return;
            default: {
              const unreachable: never = event;
              return unreachable;
            }
          }
        },
      },
    );
    this.phase = 'idle';
    if (result.ok) {
      this.loadedCount += 1;
      this.note = { kind: 'loaded', slot: result.payload.slot };
      // The next certificate: a fresh form (the reference and the person change), the same size.
      this.reference = '';
      this.idNumber = '';
      this.titleId = undefined;
      return;
    }
    const code = problemOf(DEPOSIT_PROBLEMS, 'failed', result.completionCode, result.errorCode);
    this.problem = result.errorCode === 'lockFailed' || result.errorCode === 'doorClosedEmpty' ? { code, slot: result.payload.slot } : { code };
  }

  /** Opens the storage exchange on every compartment (the screen shows). */
  async openExchange(): Promise<void> {
    if (this.exchange !== 'none') return;
    this.exchange = 'starting';
    const status = await this.#send('Storage.Status', {});
    const units = status.ok ? compartmentsOf(status.payload.units).map((c) => cabinetUnitId(c.slot)) : [];
    if (!status.ok || units.length === 0 || this.#closing) {
      this.exchange = 'none';
      return;
    }
    const started = await this.#send('Storage.StartExchange', { units });
    if (!started.ok) {
      this.exchange = 'none';
      this.problem = { code: problemOf(EXCHANGE_PROBLEMS, 'failed', started.completionCode, started.errorCode) };
      return;
    }
    this.#exchangeUnits = units;
    this.exchange = 'open';
    if (this.#closing) await this.closeExchange();
  }

  /** Ends the exchange (the screen closes): the agent reads every door and sensor against its record. */
  async closeExchange(): Promise<void> {
    this.#closing = true;
    if (this.exchange !== 'open') return;
    const units = this.#exchangeUnits;
    this.exchange = 'none';
    this.#exchangeUnits = [];
    // After a sign-out this is refused (staffOnly): the agent has already left the exchange.
    await this.#send('Storage.EndExchange', { units, counts: {} });
  }

  async loadOverdue(): Promise<void> {
    const result = await this.#send('Pickup.ListOverdue', {});
    if (!result.ok) {
      this.problem = { code: 'failed' };
      return;
    }
    this.overdue = result.payload.overdue;
    this.needsCheck = result.payload.needsCheck;
  }

  async recover(itemId: string): Promise<void> {
    if (this.busy) return;
    this.#startCycle();
    const result = await this.#send('Pickup.Recover', { itemId }, { onEvent: (event) => this.#doorEvent(event) });
    this.phase = 'idle';
    if (result.ok) this.note = { kind: 'recovered', slot: result.payload.slot };
    else {
      const code = problemOf(RECOVER_PROBLEMS, 'failed', result.completionCode, result.errorCode);
      this.problem = result.errorCode === 'lockFailed' || result.errorCode === 'notRemoved' ? { code, slot: result.payload.slot } : { code };
    }
    await this.loadOverdue();
  }

  async loadCompartments(): Promise<void> {
    const result = await this.#send('Storage.Status', {});
    if (!result.ok) {
      this.problem = { code: 'failed' };
      return;
    }
    this.compartments = compartmentsOf(result.payload.units);
  }

  /** Technician: opens any compartment (audited by the agent); completes when the door is shut again. */
  async open(slot: string): Promise<void> {
    if (this.busy) return;
    this.#startCycle();
    const result = await this.#send('Pickup.Open', { slot }, { onEvent: (event) => this.#doorEvent(event) });
    this.phase = 'idle';
    if (result.ok) this.note = { kind: 'closed', slot: result.payload.slot, presence: result.payload.presence };
    else {
      const code = problemOf(OPEN_PROBLEMS, 'failed', result.completionCode, result.errorCode);
      this.problem = result.errorCode === 'lockFailed' ? { code, slot: result.payload.slot } : { code };
    }
    await this.loadCompartments();
  }

  #startCycle(): void {
    this.problem = undefined;
    this.note = undefined;
    this.editing = undefined;
    this.phase = 'opening';
    this.slot = undefined;
    this.applicant = undefined;
  }

  /** Recover's and Open's events all name the compartment; only "opened" moves the screen. */
  #doorEvent(event: { name: string; payload: { slot: string } }): void {
    if (event.name !== 'Pickup.SlotOpenedEvent') return;
    this.phase = 'open';
    this.slot = event.payload.slot;
  }
}

/** The cabinet's compartments among the storage units (Storage.Status, kind `cabinetSlot`). */
export function compartmentsOf(units: readonly StorageUnit[]): CompartmentUnit[] {
  return units.flatMap((u) => (u.kind === 'cabinetSlot' && u.compartment !== undefined ? [u.compartment] : []));
}
