import type { CompartmentReading, DoorState, Presence } from '../../devices/cabinet/driver.ts';

/**
 * One opening of a compartment, as an explicit state machine driven by the cabinet's readings
 * and the clock (pure: the service feeds it and carries out what it returns).
 *
 *   open ──(reading: door closed)──▶ closed            (final)
 *     │ presence changes ▶ itemPlaced / itemTaken
 *     └ open past the limit ▶ doorLeftOpen (once; the cycle still ends when the door closes)
 */
export type DoorCycleEvent = 'itemPlaced' | 'itemTaken' | 'doorClosed' | 'doorLeftOpen';

export interface DoorCycleState {
  readonly phase: 'open' | 'closed';
  readonly presence: Presence;
  readonly openedAtMs: number;
  readonly leftOpenReported: boolean;
}

export function openCycle(reading: CompartmentReading, nowMs: number): DoorCycleState {
  return { phase: 'open', presence: reading.presence, openedAtMs: nowMs, leftOpenReported: false };
}

export type DoorCycleInput = { kind: 'reading'; door: DoorState; presence: Presence } | { kind: 'tick'; nowMs: number };

export function stepCycle(state: DoorCycleState, input: DoorCycleInput, doorOpenLimitMs: number): { state: DoorCycleState; events: DoorCycleEvent[] } {
  if (state.phase === 'closed') return { state, events: [] };
  switch (input.kind) {
    case 'reading': {
      const events: DoorCycleEvent[] = [];
      if (state.presence !== 'present' && input.presence === 'present') events.push('itemPlaced');
      if (state.presence === 'present' && input.presence === 'empty') events.push('itemTaken');
      if (input.door === 'closed') events.push('doorClosed');
      return { state: { ...state, presence: input.presence, phase: input.door === 'closed' ? 'closed' : 'open' }, events };
    }
    case 'tick':
      if (state.leftOpenReported || input.nowMs - state.openedAtMs < doorOpenLimitMs) return { state, events: [] };
      return { state: { ...state, leftOpenReported: true }, events: ['doorLeftOpen'] };
    default: {
      const unreachable: never = input;
      return unreachable;
    }
  }
}
