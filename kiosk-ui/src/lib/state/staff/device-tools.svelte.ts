import type { AgentClient } from '../../agent/client.ts';
import { RESTART_PROBLEMS, staffProblem, TEST_PAGE_PROBLEMS, type StaffProblem } from './staff-problems.ts';

export type TestPageDevice = 'receiptPrinter' | 'printer';
export type TestPageState = 'busy' | 'ok' | StaffProblem;
export type RestartState =
  | { readonly stage: 'idle' }
  | { readonly stage: 'confirm' }
  | { readonly stage: 'busy' }
  | { readonly stage: 'restarting'; readonly graceMs: number }
  | { readonly stage: 'failed'; readonly problem: StaffProblem };

/**
 * Staff device tools (issue 12): a technician's test prints (Staff.PrintTestPage) and restarting
 * the agent (Staff.RestartAgent, any staff member, asked twice). The agent checks the roles; the
 * screens show the test buttons to technicians only so that staff are not offered what they cannot do.
 */
export class DeviceTools {
  testPages = $state.raw<Partial<Record<TestPageDevice, TestPageState>>>({});
  restart = $state.raw<RestartState>({ stage: 'idle' });

  readonly #client: AgentClient;

  constructor(client: AgentClient) {
    this.#client = client;
  }

  async printTestPage(device: TestPageDevice): Promise<void> {
    if (this.testPages[device] === 'busy') return;
    this.testPages = { ...this.testPages, [device]: 'busy' };
    const result = await this.#client.send('Staff.PrintTestPage', { device }).result;
    this.testPages = { ...this.testPages, [device]: result.ok ? 'ok' : staffProblem(TEST_PAGE_PROBLEMS, result.completionCode, result.errorCode) };
  }

  askRestart(): void {
    if (this.restart.stage === 'idle' || this.restart.stage === 'failed') this.restart = { stage: 'confirm' };
  }

  cancelRestart(): void {
    if (this.restart.stage === 'confirm') this.restart = { stage: 'idle' };
  }

  /** The agent answers, exits and is started again by its supervisor; the kiosk reconnects by itself and shows the attract screen. */
  async restartAgent(): Promise<void> {
    if (this.restart.stage !== 'confirm') return;
    this.restart = { stage: 'busy' };
    const result = await this.#client.send('Staff.RestartAgent', {}).result;
    this.restart = result.ok ? { stage: 'restarting', graceMs: result.payload.graceMs } : { stage: 'failed', problem: staffProblem(RESTART_PROBLEMS, result.completionCode, result.errorCode) };
  }

  clear(): void {
    this.testPages = {};
    this.restart = { stage: 'idle' };
  }
}
