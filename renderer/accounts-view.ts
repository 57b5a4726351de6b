/**
 * Accounts: one card per account with its live state, last EmailEngine request, last error
 * with its fix-it hint, and the actions (sign in again, copy id, remove).
 *
 * Cards are keyed by account id and updated in place, so the once-a-second countdown never
 * replaces a button the user is focused on.
 */
import type { AccountStatus } from '../src/shared/account-status.js';
import { ERROR_HINTS, type ErrorCode } from '../src/shared/error-codes.js';
import { describeBothSides, describeEmailEngineSide, emailEngineHint, needsAttention } from '../src/shared/emailengine-hints.js';
import { reSignInRequest } from '../src/shared/ipc-contract.js';
import { PROVIDER_LABELS } from '../src/shared/providers.js';
import { providerSetup } from './provider-setup.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText } from './dom.js';
import { describeState, errorTitle, formatAgo, formatClock, outcomeLabel, profileLabel, protoLabel, severity, type Tone } from './format.js';
import type { AppState } from './store.js';
import { asTokentrayError } from './ui.js';

interface Card {
  root: HTMLElement;
  badge: HTMLElement;
  identity: HTMLElement;
  state: HTMLElement;
  lastRequest: HTMLElement;
  /** EmailEngine's own view of the account (its state), and the hint when the sides disagree. */
  emailEngineFact: HTMLElement;
  emailEngineState: HTMLElement;
  emailEngineHint: HTMLElement;
  problem: HTMLElement;
  progress: HTMLElement;
  signIn: HTMLButtonElement;
  cancel: HTMLButtonElement;
  key: string;
}

const TONES: readonly Tone[] = ['ok', 'busy', 'warn', 'error', 'muted'];

function setTone(element: Element, tone: Tone): void {
  for (const t of TONES) element.classList.toggle(`tone-${t}`, t === tone);
}

export class AccountsView {
  readonly #ctx: AppContext;
  readonly #list: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #setup: HTMLElement;
  readonly #cards = new Map<string, Card>();
  /** Errors from sign-ins started here, shown on the card until the next attempt. */
  readonly #signInErrors = new Map<string, unknown>();
  #cardCount = 0;

  constructor(panel: HTMLElement, ctx: AppContext) {
    this.#ctx = ctx;
    this.#setup = h(
      'div',
      { class: 'callout callout-warn', hidden: true },
      h('p', { class: 'callout-title' }, 'Finish the setup first'),
      h('p', { class: 'callout-body' }, 'tokentray needs the client ID of your Azure app registration, or a Google Cloud client, before it can sign anyone in.'),
      h('div', { class: 'callout-actions' }, h('button', { type: 'button', class: 'btn btn-primary', onclick: () => ctx.showView('settings', { focus: 'panel' }) }, 'Open the setup guide')),
    );
    this.#empty = h(
      'div',
      { class: 'empty', hidden: true },
      h('div', { class: 'empty-art', 'aria-hidden': 'true' }),
      h('h2', { class: 'empty-title' }, 'No accounts yet'),
      h('p', { class: 'empty-text' }, 'Connect a Microsoft 365 or Gmail mailbox, then give EmailEngine the same account id.'),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => ctx.showView('connect', { focus: 'panel' }) }, 'Connect an account'),
    );
    this.#list = h('div', { class: 'account-list', role: 'list', 'aria-label': 'Connected accounts' });
    replaceChildren(panel, this.#setup, this.#empty, this.#list);
  }

  render(state: AppState): void {
    const report = state.report;
    // Only when no provider can sign anyone in: with Google set up, Microsoft is optional.
    this.#setup.hidden = !(state.settings && state.settings.clientId === null && !providerSetup('google', state).ready);
    if (!report) return;
    this.#empty.hidden = report.accounts.length > 0;
    const seen = new Set<string>();
    let previous: HTMLElement | null = null;
    const now = this.#ctx.now();
    const ordered = [...report.accounts].sort((a, b) => severity(a.state, now) - severity(b.state, now) || a.id.localeCompare(b.id));
    for (const account of ordered) {
      seen.add(account.id);
      let card = this.#cards.get(account.id);
      if (!card) {
        card = this.#createCard(account);
        this.#cards.set(account.id, card);
      }
      this.#updateCard(card, account, state);
      const expected: ChildNode | null = previous ? previous.nextSibling : this.#list.firstChild;
      if (expected !== card.root) this.#list.insertBefore(card.root, expected);
      previous = card.root;
    }
    for (const [id, card] of this.#cards) {
      if (seen.has(id)) continue;
      card.root.remove();
      this.#cards.delete(id);
    }
  }

  #createCard(account: AccountStatus): Card {
    // An element id from a counter, not the account id: ids may hold spaces, and
    // aria-labelledby reads a space-separated list.
    this.#cardCount += 1;
    const titleId = `account-card-${this.#cardCount}-title`;
    const badge = h('span', { class: 'badge' });
    const identity = h('p', { class: 'card-identity' });
    const state = h('dd', { class: 'fact-state' });
    const lastRequest = h('dd', { class: 'fact-request' });
    const problem = h('div', { class: 'card-problem' });
    const emailEngineState = h('dd', { class: 'fact-emailengine' });
    const emailEngineFact = h('div', { class: 'fact', hidden: true }, h('dt', {}, 'In EmailEngine'), emailEngineState);
    // Classed as a callout only while shown: the card's callouts are its current problems.
    const emailEngineHint = h('div', { class: 'card-mismatch', hidden: true, role: 'note' });
    const progress = h('p', { class: 'card-progress', role: 'status', 'aria-live': 'polite' });
    const signIn = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => void this.#signIn(account.id) }, 'Sign in again');
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', hidden: true, onclick: () => void this.#cancel(account.id) }, 'Cancel sign-in');
    const copy = h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => void this.#ctx.copy(account.id, `Account id "${account.id}"`) }, 'Copy id');
    const remove = h('button', { type: 'button', class: 'btn btn-ghost btn-ghost-danger', onclick: () => void this.#remove(account.id) }, 'Remove…');
    const root = h(
      'article',
      { class: 'account-card', role: 'listitem', 'aria-labelledby': titleId, 'data-account': account.id },
      h('header', { class: 'card-head' }, h('span', { class: 'status-dot', 'aria-hidden': 'true' }), h('h2', { class: 'card-title', id: titleId }, account.id), badge),
      identity,
      h('dl', { class: 'facts' }, h('div', { class: 'fact' }, h('dt', {}, 'Token'), state), h('div', { class: 'fact' }, h('dt', {}, 'EmailEngine'), lastRequest), emailEngineFact),
      emailEngineHint,
      problem,
      progress,
      h('div', { class: 'card-actions' }, signIn, cancel, copy, remove),
    );
    return { root, badge, identity, state, lastRequest, emailEngineFact, emailEngineState, emailEngineHint, problem, progress, signIn, cancel, key: '' };
  }

  #updateCard(card: Card, account: AccountStatus, state: AppState): void {
    const now = this.#ctx.now();
    const view = describeState(account.state, now);
    const waiting = state.signingIn.has(account.id);
    setTone(card.root, view.tone);
    setTone(card.badge, view.tone);
    setText(card.badge, waiting ? 'Signing in…' : view.label);
    const shared = account.email !== null && account.user !== account.email ? ` · mailbox ${account.user}` : '';
    setText(card.identity, `${account.email ?? 'not signed in yet'} · ${profileLabel(account.profile)} (${PROVIDER_LABELS[account.provider]})${shared}`);
    setText(card.state, view.detail);
    const last = account.lastRequest;
    setText(
      card.lastRequest,
      last ? `Asked ${formatAgo(last.at, now)} (${formatClock(last.at)}) · ${protoLabel(last.proto, account.provider)} · ${outcomeLabel(last.outcome)}` : 'No requests yet',
    );
    card.lastRequest.classList.toggle('is-error', last !== null && last.outcome !== 'ok');
    this.#updateEmailEngineSide(card, account);

    // A sign-in error is stale once the account works again (signed in from the tray, say).
    if (account.state.kind === 'active' && !waiting) this.#signInErrors.delete(account.id);
    // The problem box changes rarely: rebuild it only when its content key changes.
    const signInError = this.#signInErrors.get(account.id);
    const problemKey = JSON.stringify([account.lastError, signInError === undefined ? null : asTokentrayError(signInError).toJSON()]);
    if (problemKey !== card.key) {
      card.key = problemKey;
      const boxes: HTMLElement[] = [];
      if (signInError !== undefined) {
        const err = asTokentrayError(signInError);
        const box = problemBox(errorTitle(err.code), err.message, err.hint, err.code);
        // No browser here: a Microsoft account can still sign in on another device.
        if (err.code === 'BROWSER_OPEN_FAILED' && account.provider === 'microsoft') {
          box.append(
            h(
              'div',
              { class: 'callout-actions' },
              h('button', { type: 'button', class: 'btn btn-primary', onclick: () => this.#ctx.signInWithCode(reSignInRequest(account)) }, 'Sign in with a code on another device'),
            ),
          );
        }
        boxes.push(box);
      } else if (account.lastError) {
        const hint = (ERROR_HINTS as Record<string, string | undefined>)[account.lastError.code as ErrorCode] ?? '';
        boxes.push(problemBox(`${errorTitle(account.lastError.code)} · ${formatClock(account.lastError.at)}`, account.lastError.message, hint, account.lastError.code));
      }
      replaceChildren(card.problem, ...boxes);
    }

    const needsUser = account.state.kind === 'needs-sign-in' || account.state.kind === 'signed-out';
    card.signIn.className = `btn ${needsUser ? 'btn-primary' : 'btn-secondary'}`;
    setText(card.signIn, account.state.kind === 'signed-out' ? 'Sign in' : 'Sign in again');
    const hadFocus = document.activeElement === card.signIn || document.activeElement === card.cancel;
    card.signIn.hidden = waiting;
    card.cancel.hidden = !waiting;
    if (hadFocus) (waiting ? card.cancel : card.signIn).focus();
    setText(card.progress, waiting ? 'Waiting for the browser… finish signing in there.' : '');
    card.progress.hidden = !waiting;
  }

  #updateEmailEngineSide(card: Card, account: AccountStatus): void {
    const view = account.emailengine ?? null;
    card.emailEngineFact.hidden = view === null;
    if (!view) {
      card.emailEngineHint.hidden = true;
      return;
    }
    const lastError = view.lastError?.response;
    setText(card.emailEngineState, `${describeEmailEngineSide(view)}${lastError && view.state !== 'connected' ? ` · ${lastError}` : ''}`);
    const mismatch = needsAttention(account) ? emailEngineHint(account, view) : null;
    card.emailEngineState.classList.toggle('is-error', mismatch !== null);
    card.emailEngineHint.hidden = mismatch === null;
    card.emailEngineHint.className = mismatch ? 'callout callout-warn card-mismatch' : 'card-mismatch';
    const text = mismatch ? `${describeBothSides(account) ?? mismatch.short}|${mismatch.fix}` : '';
    if (card.emailEngineHint.dataset.shown !== text) {
      card.emailEngineHint.dataset.shown = text;
      replaceChildren(card.emailEngineHint, ...(mismatch ? [h('p', { class: 'callout-title' }, describeBothSides(account) ?? mismatch.short), h('p', { class: 'callout-hint' }, mismatch.fix)] : []));
    }
  }

  async #signIn(id: string): Promise<void> {
    const account = this.#ctx.store.state.report?.accounts.find((candidate) => candidate.id === id);
    if (!account) return;
    this.#signInErrors.delete(id);
    try {
      await this.#ctx.store.signIn(reSignInRequest(account));
      this.#ctx.announce(`${id} is signed in.`);
    } catch (error) {
      const err = asTokentrayError(error);
      if (err.code === 'SIGN_IN_CANCELLED') {
        this.#ctx.announce(`Sign-in for ${id} cancelled.`);
      } else {
        this.#signInErrors.set(id, err);
        this.#ctx.announce(`${errorTitle(err.code)}: ${err.message}`, 'error');
      }
    }
    this.render(this.#ctx.store.state);
  }

  async #cancel(id: string): Promise<void> {
    try {
      await this.#ctx.client.cancelSignIn(id);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }

  async #remove(id: string): Promise<void> {
    const confirmed = await this.#ctx.confirm({
      title: `Remove "${id}"?`,
      body: 'tokentray forgets its tokens and EmailEngine can no longer get tokens for it. The mailbox itself is not changed; you can connect it again later.',
      confirmLabel: 'Remove account',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await this.#ctx.client.removeAccount(id);
      await this.#ctx.store.loadReport();
      this.#ctx.announce(`${id} was removed.`);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }
}

function problemBox(title: string, message: string, hint: string, code: string): HTMLElement {
  return h(
    'div',
    { class: 'callout callout-error', role: 'note', 'data-error-code': code },
    h('p', { class: 'callout-title' }, title),
    h('p', { class: 'callout-body' }, message),
    hint ? h('p', { class: 'callout-hint' }, hint) : null,
  );
}
