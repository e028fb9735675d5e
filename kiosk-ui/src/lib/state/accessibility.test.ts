import { describe, expect, it } from 'vitest';
import type { IdleTimes } from './accessibility.svelte.ts';
import { AccessibilityState, ELDER_IDLE_COUNTDOWN_MS, ELDER_IDLE_TIMEOUT_MS } from './accessibility.svelte.ts';

const agent = { timeoutMs: 60_000, countdownMs: 15_000 };

/** The idle times the kiosk's timer was last given. */
function withHost(agentIdle: IdleTimes = agent): { a11y: AccessibilityState; configured: () => IdleTimes | undefined } {
  let configured: IdleTimes | undefined;
  const a11y = new AccessibilityState({ agentIdle: () => agentIdle, configureIdle: (times) => (configured = times) });
  return { a11y, configured: () => configured };
}

describe('AccessibilityState', () => {
  it('keeps the agent idle times until elder mode or a second ask for more time', () => {
    const { a11y, configured } = withHost();
    a11y.askedForMoreTime();
    expect(configured()).toEqual(agent);
    a11y.askedForMoreTime();
    expect(configured()).toEqual({ timeoutMs: ELDER_IDLE_TIMEOUT_MS, countdownMs: ELDER_IDLE_COUNTDOWN_MS });
    a11y.reset();
    expect(configured()).toEqual(agent);
  });

  it('never shortens a longer idle time the agent configured', () => {
    const { a11y, configured } = withHost({ timeoutMs: 300_000, countdownMs: 60_000 });
    a11y.enterElder();
    expect(configured()).toEqual({ timeoutMs: 300_000, countdownMs: 60_000 });
  });

  it('elder mode reads at least large text and aloud, and everything resets for the next citizen', () => {
    const { a11y, configured } = withHost();
    a11y.enterElder();
    expect(configured()).toEqual({ timeoutMs: ELDER_IDLE_TIMEOUT_MS, countdownMs: ELDER_IDLE_COUNTDOWN_MS });
    expect(a11y.effectiveTextSize).toBe('large');
    expect(a11y.speaking).toBe(true);
    a11y.textSize = 'xlarge';
    a11y.theme = 'lightOnDark';
    expect(a11y.effectiveTextSize).toBe('xlarge');
    a11y.reset();
    expect([a11y.elder, a11y.effectiveTextSize, a11y.theme, a11y.speaking, a11y.moreTimeAsks]).toEqual([false, 'standard', 'standard', false, 0]);
  });
});
