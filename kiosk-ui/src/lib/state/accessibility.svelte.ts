/** Text sizes (标准 / 大 / 特大): the root font size is multiplied by the scale (app.css, a11y.css). */
export const TEXT_SIZES = ['standard', 'large', 'xlarge'] as const;
export type TextSize = (typeof TEXT_SIZES)[number];

/** Themes: the kiosk's own, and two high-contrast ones at 7:1 or more (WCAG 1.4.6, GB/T 37668-2019). */
export const THEMES = ['standard', 'darkOnLight', 'lightOnDark'] as const;
export type Theme = (typeof THEMES)[number];

/** Elder mode's idle time (issue 17): 180 s, then a 30 s countdown, or the agent's if longer. */
export const ELDER_IDLE_TIMEOUT_MS = 180_000;
export const ELDER_IDLE_COUNTDOWN_MS = 30_000;

/** A citizen who asks for more time this often gets the elder idle time (WCAG 2.2.1). */
const MORE_TIME_ASKS_FOR_ELDER_TIME = 2;

export type IdleTimes = { timeoutMs: number; countdownMs: number };

/** What the accessibility state needs from the kiosk: its idle timer and the agent's idle times (AgentInfo). */
export type AccessibilityHost = {
  agentIdle: () => IdleTimes;
  configureIdle: (times: IdleTimes) => void;
};

/**
 * One citizen's display and audio choices: elder mode, text size, contrast theme, read-aloud, and
 * how often they asked for more time. It lasts one session: `reset` runs at the attract screen.
 */
export class AccessibilityState {
  elder = $state(false);
  textSize = $state<TextSize>('standard');
  theme = $state<Theme>('standard');
  /** 语音播报: the citizen's switch; elder mode turns it on too. */
  readAloud = $state(false);
  settingsOpen = $state(false);
  moreTimeAsks = $state(0);
  readonly #host: AccessibilityHost;

  constructor(host: AccessibilityHost) {
    this.#host = host;
  }

  /** Elder mode reads at least "large". */
  get effectiveTextSize(): TextSize {
    if (this.elder && this.textSize === 'standard') return 'large';
    return this.textSize;
  }

  get speaking(): boolean {
    return this.readAloud || this.elder;
  }

  enterElder(): void {
    this.elder = true;
    this.#configureIdle();
  }

  /** The countdown's "I need more time". */
  askedForMoreTime(): void {
    this.moreTimeAsks += 1;
    this.#configureIdle();
  }

  /** The agent's idle times (AgentInfo), lengthened for this session when elder mode is on or more time was asked twice. */
  idleTimes(agent: IdleTimes): IdleTimes {
    if (!this.elder && this.moreTimeAsks < MORE_TIME_ASKS_FOR_ELDER_TIME) return agent;
    return {
      timeoutMs: Math.max(agent.timeoutMs, ELDER_IDLE_TIMEOUT_MS),
      countdownMs: Math.max(agent.countdownMs, ELDER_IDLE_COUNTDOWN_MS),
    };
  }

  /** The next citizen starts from the kiosk's defaults. */
  reset(): void {
    this.elder = false;
    this.textSize = 'standard';
    this.theme = 'standard';
    this.readAloud = false;
    this.settingsOpen = false;
    this.moreTimeAsks = 0;
    this.#configureIdle();
  }

  #configureIdle(): void {
    this.#host.configureIdle(this.idleTimes(this.#host.agentIdle()));
  }
}
