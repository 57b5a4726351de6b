/**
 * An MsalPort that answers from a script and records every call.
 *
 * Each `acquireSilent` takes the next scripted step (a token or an error to throw); a call
 * with nothing scripted fails loudly, so an unexpected identity-provider round trip fails
 * the test. `pause()` holds every answer until the returned `resume` is called, which is how
 * a test keeps a refresh in flight while it piles up callers.
 */
import type { InteractiveOptions, MsalPort, TokenResult } from '../../src/core/identity/microsoft/msal-client.js';

export type MsalStep = { token: TokenResult } | { error: unknown };

export interface SilentCall {
  homeAccountId: string;
  scopes: string[];
  forceRefresh: boolean;
}

export class RecordingMsal implements MsalPort {
  readonly silentCalls: SilentCall[] = [];
  readonly interactiveCalls: InteractiveOptions[] = [];
  readonly removedAccounts: string[] = [];
  readonly #silentSteps: MsalStep[] = [];
  readonly #interactiveSteps: MsalStep[] = [];
  #paused: Promise<void> | null = null;

  /** Queues answers for the next acquireSilent calls, in order. */
  willAnswerSilent(...steps: MsalStep[]): this {
    this.#silentSteps.push(...steps);
    return this;
  }

  willAnswerInteractive(...steps: MsalStep[]): this {
    this.#interactiveSteps.push(...steps);
    return this;
  }

  /** Steps scripted but not yet used. */
  get pendingSilentSteps(): number {
    return this.#silentSteps.length;
  }

  /** Holds every answer (already issued calls included) until `resume()` is called. */
  pause(): () => void {
    let resume!: () => void;
    this.#paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    return () => {
      this.#paused = null;
      resume();
    };
  }

  async acquireSilent(homeAccountId: string, scopes: string[], forceRefresh: boolean): Promise<TokenResult> {
    this.silentCalls.push({ homeAccountId, scopes: [...scopes], forceRefresh });
    const step = this.#silentSteps.shift();
    return this.#answer(step, `acquireSilent call #${this.silentCalls.length}`);
  }

  async acquireInteractive(options: InteractiveOptions): Promise<TokenResult> {
    this.interactiveCalls.push(options);
    const step = this.#interactiveSteps.shift();
    return this.#answer(step, `acquireInteractive call #${this.interactiveCalls.length}`);
  }

  async removeAccount(homeAccountId: string): Promise<void> {
    this.removedAccounts.push(homeAccountId);
  }

  async #answer(step: MsalStep | undefined, what: string): Promise<TokenResult> {
    if (this.#paused) await this.#paused;
    if (!step) throw new Error(`RecordingMsal: unexpected ${what} (nothing scripted)`);
    if ('error' in step) throw step.error;
    return step.token;
  }
}
