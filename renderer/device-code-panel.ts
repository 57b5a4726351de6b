/**
 * Connect → "Sign in with a code on another device": where to go, the code to enter there, how
 * long the code lives, and Cancel.
 *
 * The code and the page come from the identity provider through the core and main (a
 * `deviceCode` event). They are not secrets: the user reads them out to another device. The
 * page opens through main, which holds its URL (the window only names the account).
 */
import type { DeviceCodePrompt } from '../src/shared/tokentray-api.js';
import type { AppContext } from './context.js';
import { h, setText } from './dom.js';
import { asTokentrayError } from './ui.js';

/** "14:05" for 14 minutes 5 seconds. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export class DeviceCodePanel {
  readonly element: HTMLElement;
  readonly cancel: HTMLButtonElement;
  readonly #ctx: AppContext;
  readonly #status: HTMLElement;
  /** Read out once when the code arrives (the steps show it; this says it). */
  readonly #announcement: HTMLElement;
  readonly #steps: HTMLElement;
  readonly #url: HTMLButtonElement;
  readonly #code: HTMLElement;
  readonly #who: HTMLElement;
  readonly #expiry: HTMLElement;
  #id: string | null = null;
  #prompt: DeviceCodePrompt | null = null;

  constructor(ctx: AppContext, onCancel: () => void, onEscape: (event: KeyboardEvent) => void) {
    this.#ctx = ctx;
    this.cancel = h('button', { type: 'button', class: 'btn btn-secondary', id: 'connect-device-cancel', onclick: onCancel }, 'Cancel');
    this.#status = h('p', { class: 'waiting-text', id: 'connect-device-status' });
    this.#announcement = h('p', { class: 'visually-hidden', id: 'connect-device-announcement', role: 'status', 'aria-live': 'polite' });
    this.#url = h('button', { type: 'button', class: 'btn btn-link device-url', id: 'connect-device-url', onclick: () => void this.#openPage() });
    this.#code = h('output', { class: 'device-code', id: 'connect-device-code', 'aria-label': 'Code to enter' });
    this.#who = h('li', {});
    // A timer: not read out every second (role="timer" is not live by default).
    this.#expiry = h('p', { class: 'device-expiry', id: 'connect-device-expiry', role: 'timer' });
    this.#steps = h(
      'div',
      { class: 'device-steps', hidden: true },
      h(
        'ol',
        { class: 'steps device-list' },
        h(
          'li',
          {},
          'On a phone or computer, open ',
          h('span', { class: 'value-row' }, this.#url, h('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'connect-device-copy-url', onclick: () => void this.#copy('url') }, 'Copy link')),
        ),
        h(
          'li',
          {},
          'Enter this code:',
          h('span', { class: 'device-code-row' }, this.#code, h('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'connect-device-copy-code', onclick: () => void this.#copy('code') }, 'Copy code')),
        ),
        this.#who,
      ),
      this.#expiry,
    );
    this.element = h(
      'div',
      { class: 'waiting device', id: 'connect-device', hidden: true, onkeydown: (event: Event) => onEscape(event as KeyboardEvent) },
      h('div', { class: 'spinner', 'aria-hidden': 'true' }),
      h('h2', { class: 'waiting-title', id: 'connect-device-title' }, 'Sign in on another device'),
      this.#status,
      this.#announcement,
      this.#steps,
      h('div', { class: 'form-actions center' }, this.cancel),
    );
  }

  /** A new sign-in for `id` asked for a code; it is not here yet. */
  start(id: string, email: string | null): void {
    this.#id = id;
    this.#prompt = null;
    this.#steps.hidden = true;
    setText(this.#status, 'Asking Microsoft for a code…');
    setText(this.#announcement, '');
    setText(this.#who, `Sign in${email ? ` as ${email}` : ''} and allow tokentray to connect "${id}". This window updates by itself.`);
    setText(this.#expiry, '');
  }

  /** The core's code for the sign-in shown (others are ignored). */
  show(id: string, prompt: DeviceCodePrompt): void {
    if (id !== this.#id) return;
    this.#prompt = prompt;
    setText(this.#url, prompt.verificationUri);
    this.#url.setAttribute('aria-label', `Open ${prompt.verificationUri} in this computer's browser`);
    setText(this.#code, prompt.userCode);
    this.#steps.hidden = false;
    setText(this.#status, 'Waiting for the sign-in on the other device…');
    setText(this.#announcement, `On any device, open ${prompt.verificationUri} and enter the code ${prompt.userCode}.`);
    this.tick();
  }

  /** Re-renders the countdown (the app ticks every second). */
  tick(): void {
    const prompt = this.#prompt;
    if (!prompt) return;
    const left = prompt.expiresAt - this.#ctx.now();
    setText(this.#expiry, left > 0 ? `The code expires in ${formatCountdown(left)}.` : 'The code has expired.');
    this.#expiry.classList.toggle('is-error', left <= 0);
  }

  end(): void {
    this.#id = null;
    this.#prompt = null;
  }

  async #openPage(): Promise<void> {
    if (!this.#id) return;
    try {
      await this.#ctx.client.openDeviceCodePage(this.#id);
      this.#ctx.announce('The sign-in page opened in your browser: enter the code there.');
    } catch (error) {
      this.#ctx.announce(`${asTokentrayError(error).message} ${asTokentrayError(error).hint}`, 'error');
    }
  }

  async #copy(what: 'url' | 'code'): Promise<void> {
    const prompt = this.#prompt;
    if (!prompt) return;
    await (what === 'url' ? this.#ctx.copy(prompt.verificationUri, 'Link') : this.#ctx.copy(prompt.userCode, 'Code'));
  }
}
