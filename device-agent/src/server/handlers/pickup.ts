import { cabinetUnitId, formatShanghaiIso, type EventName, type EventPayload } from '@onevisit/protocol';
import type { PickupEvent, PickupItemView, TakeResult } from '../../services/pickup/pickup-service.ts';
import { readApplicantCard } from '../../services/pickup/applicant-card.ts';
import { withinCabinetExchange, type CabinetExchangeDeps, type ExchangeRefusal } from '../../services/pickup/cabinet-exchange.ts';
import { buildPickupReceipt } from '../../services/pickup/pickup-receipt.ts';
import { recordDevMessage } from '../dev-sms.ts';
import { abortedOutcome, failure, success, type CommandContext, type HandlersFor } from '../handler.ts';

/**
 * Pickup.* (issue 13): only maps the protocol to services/pickup. Roles are enforced by the
 * dispatch (Deposit/ListOverdue/Recover staff, Open technician, Find/Collect citizen).
 */
export const pickupHandlers: HandlersFor<'Pickup'> = {
  'Pickup.Deposit': async (ctx) => {
    const { reference, title, size } = ctx.payload;
    let { idNumber, cardType, maskedName } = ctx.payload;
    if (ctx.payload.applicantCard === true) {
      // The applicant's card instead of a typed number: read now, kept only for this command. The wait
      // for the card ends with the command, with the staff session, and after CARD_WAIT_MS, so that a
      // forgotten read never takes a citizen's card later.
      const waiting = new AbortController();
      const timer = setTimeout(() => waiting.abort(), CARD_WAIT_MS);
      const offSession = ctx.services.staff.onNotice((notice) => {
        if (notice.kind === 'sessionEnded') waiting.abort();
      });
      const card = await readApplicantCard(
        { readForStaff: (options) => ctx.services.identity.readForStaff(options), isOwnCard: (identity) => ctx.services.staff.isOwnCard(ctx.connection.id, identity) },
        AbortSignal.any([ctx.signal, waiting.signal]),
      ).finally(() => {
        clearTimeout(timer);
        offSession();
      });
      switch (card.kind) {
        case 'read':
          ({ idNumber, cardType } = card);
          maskedName = card.maskedName;
          ctx.emit('Pickup.ApplicantCardReadEvent', { maskedIdNumber: card.maskedIdNumber, maskedName: card.maskedName });
          break;
        case 'staffCard':
          return failure<'Pickup.Deposit'>('userError', 'staffCard', "That is your own staff card: lift it and place the applicant's card.");
        case 'canceled':
          if (ctx.signal.aborted) return abortedOutcome<'Pickup.Deposit'>(ctx.signal);
          return failure<'Pickup.Deposit'>('userError', 'cardNotPlaced', 'No card was placed in time; nothing was opened.');
        case 'deviceNotReady':
          return failure<'Pickup.Deposit'>('deviceNotReady', 'readerNotReady', 'The ID card reader is not ready.');
        case 'readFailed':
          return failure<'Pickup.Deposit'>(
            card.reason === 'communication' ? 'hardwareError' : 'userError',
            card.reason === 'unreadable' ? 'cardUnreadable' : card.reason === 'unsupportedCard' ? 'unsupportedCard' : 'readerCommunication',
            'The card could not be read: place it again and keep it still.',
          );
        default: {
          const unreachable: never = card;
          return unreachable;
        }
      }
    }
    if (idNumber === undefined) return failure<'Pickup.Deposit'>('invalidData', 'noIdNumber', "Type the applicant's ID number or place their card (applicantCard).");
    const holder = idNumber;
    const result = await withinCabinetExchange(exchangeDeps(ctx), 'Pickup.Deposit', (inExchange) =>
      ctx.services.pickup.deposit(
        { reference, idNumber: holder, title, ...(cardType ? { cardType } : {}), ...(size ? { size } : {}), ...(maskedName ? { maskedName } : {}) },
        (event) => {
          if (event.kind === 'slotOpened') ctx.emit('Pickup.SlotOpenedEvent', { slot: event.slot });
          else if (event.kind === 'itemPlaced') ctx.emit('Pickup.ItemPlacedEvent', { slot: event.slot });
          else if (event.kind === 'doorClosed') ctx.emit('Pickup.DoorClosedEvent', { slot: event.slot });
        },
        ctx.signal,
        { inExchange },
      ),
    );
    switch (result.kind) {
      case 'deposited':
        // The demo has no SMS gateway: with --dev the code the back office would text is kept for Dev.SentMessages.
        if (ctx.services.dev) recordDevMessage(ctx.services, { reference, pickupCode: result.pickupCode });
        return success<'Pickup.Deposit'>({ itemId: result.itemId, slot: result.slot });
      case 'noFreeCompartment':
        return failure<'Pickup.Deposit'>('userError', 'noFreeCompartment', 'No free compartment of that size or larger.');
      case 'exchangeActive':
        return failure<'Pickup.Deposit'>('sequenceError', 'exchangeActive', 'An exchange without the cabinet is open; end it first.');
      case 'doorClosedEmpty':
        return failure<'Pickup.Deposit'>('invalidData', 'doorClosedEmpty', 'The door was closed with nothing inside: nothing was recorded.', { slot: result.slot });
      case 'lockFailed':
        return failure<'Pickup.Deposit'>('hardwareError', 'lockFailed', 'The compartment did not open: a technician must check its lock.', { slot: result.slot });
      case 'deviceNotReady':
        return failure<'Pickup.Deposit'>('deviceNotReady', 'deviceNotReady', 'The cabinet does not answer.');
      case 'canceled':
        return abortedOutcome<'Pickup.Deposit'>(ctx.signal);
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  },

  'Pickup.Find': (ctx) => {
    const code = ctx.payload?.code;
    const identity = ctx.session.identity;
    if (code === undefined && identity === undefined) {
      return Promise.resolve(failure<'Pickup.Find'>('invalidData', 'noCard', 'Place the ID card first, or type the pickup code.'));
    }
    const result = ctx.services.pickup.find(
      code !== undefined ? { kind: 'code', code } : { kind: 'person', idNumber: identity?.idNumber ?? '', cardType: identity?.cardType ?? 'resident' },
    );
    switch (result.kind) {
      case 'found':
        for (const item of result.items) ctx.session.pickupItems.set(item.itemId, { reference: item.reference, title: item.title, slot: item.slot });
        return Promise.resolve(success<'Pickup.Find'>({ items: result.items.map(itemOf) }));
      case 'wrongCode':
        return Promise.resolve(failure<'Pickup.Find'>('invalidData', 'wrongCode', 'No item waits for that code.', { attemptsLeft: result.attemptsLeft }));
      case 'codeEntryLocked':
        return Promise.resolve(
          failure<'Pickup.Find'>('invalidData', 'codeEntryLocked', 'Too many wrong codes: code entry is locked for a while.', { until: formatShanghaiIso(result.untilMs) }),
        );
      default: {
        const unreachable: never = result;
        return Promise.resolve(unreachable);
      }
    }
  },

  'Pickup.Collect': async (ctx) => {
    const item = ctx.session.pickupItems.get(ctx.payload.itemId);
    // Only an item this session found: another person's item id is as unknown as a made-up one.
    if (!item) return failure<'Pickup.Collect'>('invalidData', 'notFound', 'No such item found in this session.');
    // Staff are loading it (a storage exchange on the cabinet): out of service for citizens until it ends.
    if (ctx.services.staffMode.supplies.inExchange('dispenser')) return failure<'Pickup.Collect'>('deviceNotReady', 'deviceNotReady', 'Staff are loading the cabinet.');
    const { itemId } = ctx.payload;
    const result = await ctx.services.pickup.collect(
      itemId,
      takeEvents((e, p) => {
        // Collect declares the same door-cycle events as Recover (protocol messages/pickup.ts takeEvents).
        ctx.emit(e, p as unknown as EventPayload<'Pickup.Collect', typeof e>);
      }),
      {
        signal: ctx.signal,
        // Only asked on boards without a presence sensor (8A/80), once the door is closed.
        confirmRemoval: () =>
          new Promise<boolean>((resolve) => {
            const asked = confirmations(ctx.session);
            const timer = setTimeout(() => answer(true), CONFIRM_REMOVAL_MS);
            function answer(taken: boolean): void {
              clearTimeout(timer);
              asked.delete(itemId);
              resolve(taken);
            }
            asked.set(itemId, answer);
            ctx.emit('Pickup.ConfirmRemovalEvent', { slot: item.slot });
          }),
      },
    );
    if (result.kind === 'done') {
      ctx.session.pickupItems.delete(ctx.payload.itemId);
      const printed = await ctx.services.devices.receiptPrinter.print(buildPickupReceipt(item, ctx.services.clock.now(), ctx.services.terminalId));
      if (printed.kind !== 'printed') ctx.log.warn({ result: printed.kind }, 'pickup receipt not printed');
      return success<'Pickup.Collect'>({ outcome: 'collected', slot: result.slot, receipt: printed.kind === 'printed' ? 'printed' : 'notPrinted' });
    }
    if (result.kind === 'notRemoved') return success<'Pickup.Collect'>({ outcome: 'notRemoved', slot: result.slot, receipt: 'none' });
    return takeFailure<'Pickup.Collect'>(ctx, result);
  },

  'Pickup.ConfirmRemoval': (ctx) => {
    const answer = confirmations(ctx.session).get(ctx.payload.itemId);
    if (answer === undefined) return Promise.resolve(failure<'Pickup.ConfirmRemoval'>('sequenceError', 'notAsked', 'No collect of that item is waiting for an answer.'));
    answer(ctx.payload.taken);
    return Promise.resolve(success<'Pickup.ConfirmRemoval'>({}));
  },

  'Pickup.ListOverdue': (ctx) =>
    Promise.resolve(
      success<'Pickup.ListOverdue'>({ overdue: ctx.services.pickup.listOverdue().map(itemOf), needsCheck: ctx.services.pickup.listNeedsCheck().map(itemOf) }),
    ),

  'Pickup.Recover': async (ctx) => {
    const { itemId } = ctx.payload;
    const result = await withinCabinetExchange(exchangeDeps(ctx), 'Pickup.Recover', (inExchange): Promise<TakeResult | ExchangeRefusal> => {
      const slot = ctx.services.pickup.slotOfItem(itemId);
      if (slot !== undefined && !inExchange(slot)) return Promise.resolve({ kind: 'exchangeActive' });
      return ctx.services.pickup.recover(itemId, takeEvents((e, p) => ctx.emit(e, p)), { signal: ctx.signal });
    });
    if (result.kind === 'done') return success<'Pickup.Recover'>({ slot: result.slot });
    if (result.kind === 'exchangeActive') return failure<'Pickup.Recover'>('sequenceError', 'exchangeActive', 'The open exchange does not cover that compartment; end it first.');
    if (result.kind === 'notRemoved') {
      return failure<'Pickup.Recover'>('invalidData', 'notRemoved', 'The door was closed with the item still inside: it stays waiting.', { slot: result.slot });
    }
    return takeFailure<'Pickup.Recover'>(ctx, result);
  },

  'Pickup.Open': async (ctx) => {
    const result = await ctx.services.pickup.open(
      ctx.payload.slot,
      (event) => {
        if (event.kind === 'slotOpened') ctx.emit('Pickup.SlotOpenedEvent', { slot: event.slot });
        else if (event.kind === 'doorClosed') ctx.emit('Pickup.DoorClosedEvent', { slot: event.slot });
      },
      ctx.signal,
      { outsideExchange: !ctx.services.staffMode.supplies.unitInExchange(cabinetUnitId(ctx.payload.slot)) },
    );
    switch (result.kind) {
      case 'closed':
        return success<'Pickup.Open'>({ slot: result.slot, presence: result.presence });
      case 'unknownSlot':
        return failure<'Pickup.Open'>('invalidData', 'unknownSlot', 'The cabinet has no such compartment.');
      case 'busy':
        return failure<'Pickup.Open'>('sequenceError', 'busy', 'That compartment is already open.');
      case 'lockFailed':
        return failure<'Pickup.Open'>('hardwareError', 'lockFailed', 'The compartment did not open: check its lock.', { slot: result.slot });
      case 'deviceNotReady':
        return failure<'Pickup.Open'>('deviceNotReady', 'deviceNotReady', 'The cabinet does not answer.');
      case 'canceled':
        return abortedOutcome<'Pickup.Open'>(ctx.signal);
      default: {
        const unreachable: never = result;
        return unreachable;
      }
    }
  },
};

/** The storage exchange the cabinet's staff commands run inside (services/pickup/cabinet-exchange.ts). */
function exchangeDeps(ctx: CommandContext<'Pickup.Deposit' | 'Pickup.Recover'>): CabinetExchangeDeps {
  const mode = ctx.services.staffMode;
  return {
    supplies: mode.supplies,
    pickup: ctx.services.pickup,
    citizenActive: () => mode.citizenActive(),
    audit: (action, details) => ctx.services.staff.audit(action, ctx.connection.id, details),
  };
}

/** How long a deposit with `applicantCard` waits for the card to be placed. */
const CARD_WAIT_MS = 60_000;

/** How long a collect waits for the person's tap on a board without a presence sensor; then the closed door counts as taken. */
const CONFIRM_REMOVAL_MS = 60_000;
/** Collects waiting for Pickup.ConfirmRemoval, per citizen session (gone with it). */
const pendingConfirmations = new WeakMap<object, Map<string, (taken: boolean) => void>>();

function confirmations(session: object): Map<string, (taken: boolean) => void> {
  let asked = pendingConfirmations.get(session);
  if (asked === undefined) {
    asked = new Map();
    pendingConfirmations.set(session, asked);
  }
  return asked;
}

function itemOf(item: PickupItemView): { itemId: string; reference: string; title: string; slot: string; depositedAt: string } {
  return { itemId: item.itemId, reference: item.reference, title: item.title, slot: item.slot, depositedAt: formatShanghaiIso(item.depositedAtMs) };
}

/** The door cycle's events both Collect and Recover declare (Collect also asks for the tap on 8A/80 boards). */
type TakeEmit = <E extends EventName<'Pickup.Recover'>>(event: E, payload: EventPayload<'Pickup.Recover', E>) => void;

/** The door cycle's events as protocol events (Collect and Recover declare the same ones). */
function takeEvents(emit: TakeEmit): (event: PickupEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'slotOpened':
        emit('Pickup.SlotOpenedEvent', { slot: event.slot });
        return;
      case 'doorClosed':
        emit('Pickup.DoorClosedEvent', { slot: event.slot });
        return;
      case 'itemTaken':
        emit('Pickup.ItemTakenEvent', { slot: event.slot });
        return;
      case 'doorLeftOpen':
        emit('Pickup.DoorLeftOpenEvent', { slot: event.slot, openMs: event.openMs });
        return;
      case 'itemPlaced':
        return;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  };
}

function takeFailure<N extends 'Pickup.Collect' | 'Pickup.Recover'>(ctx: CommandContext<N>, result: Exclude<TakeResult, { kind: 'done' | 'notRemoved' }>) {
  switch (result.kind) {
    case 'lockFailed':
      return failure<N>('hardwareError', 'lockFailed', 'The compartment did not open: staff were told.', { slot: result.slot } as never);
    case 'notFound':
      return failure<N>('invalidData', 'notFound', 'The item is no longer waiting.');
    case 'busy':
      return failure<N>('sequenceError', 'busy', 'That compartment is already open.');
    case 'deviceNotReady':
      return failure<N>('deviceNotReady', 'deviceNotReady', 'The cabinet does not answer.');
    case 'canceled':
      return abortedOutcome<N>(ctx.signal);
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}
