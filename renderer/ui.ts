/**
 * Small shared widgets: the error box, the status toast and the confirmation dialog.
 */
import { TokentrayError, isTokentrayError } from '../src/shared/tokentray-error.js';
import { h, replaceChildren } from './dom.js';
import { errorTitle } from './format.js';
import type { ConfirmOptions } from './context.js';

export function asTokentrayError(error: unknown): TokentrayError {
  if (isTokentrayError(error)) return error;
  return new TokentrayError('INTERNAL', error instanceof Error ? error.message : String(error));
}

/** Title from the code, then what happened, then how to fix it. */
export function errorBox(error: unknown, options: { role?: 'alert' | 'note' } = {}): HTMLElement {
  const err = asTokentrayError(error);
  return h(
    'div',
    { class: 'callout callout-error', role: options.role ?? 'alert', 'data-error-code': err.code },
    h('p', { class: 'callout-title' }, errorTitle(err.code)),
    h('p', { class: 'callout-body' }, err.message),
    h('p', { class: 'callout-hint' }, err.hint),
  );
}

/** Bottom status line: polite for info, assertive for errors; fades after a few seconds. */
export class Toast {
  readonly #polite: HTMLElement;
  readonly #assertive: HTMLElement;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(polite: HTMLElement, assertive: HTMLElement) {
    this.#polite = polite;
    this.#assertive = assertive;
  }

  show(message: string, kind: 'info' | 'error' = 'info'): void {
    const target = kind === 'error' ? this.#assertive : this.#polite;
    const other = kind === 'error' ? this.#polite : this.#assertive;
    other.classList.remove('visible');
    replaceChildren(target, message);
    target.classList.add('visible');
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => target.classList.remove('visible'), kind === 'error' ? 8000 : 3500);
  }
}

/** A modal <dialog>: Escape or Cancel answers false; focus starts on Cancel for destructive questions. */
export class ConfirmDialog {
  readonly #dialog: HTMLDialogElement;

  constructor(dialog: HTMLDialogElement) {
    this.#dialog = dialog;
  }

  ask(options: ConfirmOptions): Promise<boolean> {
    const dialog = this.#dialog;
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', value: 'cancel' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: `btn ${options.danger ? 'btn-danger' : 'btn-primary'}`, value: 'confirm' }, options.confirmLabel);
    replaceChildren(
      dialog,
      h(
        'div',
        { class: 'dialog-body' },
        h('h2', { id: 'confirm-title', class: 'dialog-title' }, options.title),
        h('p', { id: 'confirm-text', class: 'dialog-text' }, options.body),
        h('div', { class: 'dialog-actions' }, cancel, confirm),
      ),
    );
    dialog.setAttribute('aria-labelledby', 'confirm-title');
    dialog.setAttribute('aria-describedby', 'confirm-text');
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return new Promise((resolve) => {
      let answer = false;
      cancel.addEventListener('click', () => dialog.close());
      confirm.addEventListener('click', () => {
        answer = true;
        dialog.close();
      });
      dialog.addEventListener(
        'close',
        () => {
          if (opener?.isConnected) opener.focus();
          resolve(answer);
        },
        { once: true },
      );
      dialog.showModal();
      (options.danger ? cancel : confirm).focus();
    });
  }
}
