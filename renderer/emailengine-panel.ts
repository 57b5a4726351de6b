/**
 * Settings → EmailEngine: connect tokentray to an EmailEngine once (URL + API token), see the
 * preflight's findings with each fix, confirm before replacing EmailEngine's one global
 * authServer, and connect the accounts EmailEngine has that tokentray does not.
 *
 * The token lives only in its password field until it is sent (through main) to the core,
 * which checks it or stores it in the vault; the field is cleared after a connect, and
 * nothing the window receives ever contains it.
 */
import { ERROR_HINTS } from '../src/shared/error-codes.js';
import { TokentrayError } from '../src/shared/tokentray-error.js';
import type { EmailEngineCheck, EmailEngineOrphan, EmailEnginePreflight, EmailEngineStatus } from '../src/shared/emailengine.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText } from './dom.js';
import type { AppState } from './store.js';
import { asTokentrayError, errorBox } from './ui.js';
import { CHECK_OUTCOME_VIEW } from './format.js';
import { providerAndProfileLabel, providerOfProfile } from '../src/shared/providers.js';

const CHECK_TITLES: Record<EmailEngineCheck['id'], string> = {
  reachable: 'Reachable',
  token: 'API token',
  version: 'Version',
  license: 'License',
  'auth-server': 'authServer',
};
export class EmailEnginePanel {
  readonly element: HTMLElement;
  readonly #ctx: AppContext;
  readonly #state: HTMLElement;
  readonly #url: HTMLInputElement;
  readonly #token: HTMLInputElement;
  readonly #preflight: HTMLElement;
  readonly #outcome: HTMLElement;
  readonly #disconnect: HTMLButtonElement;
  readonly #orphans: HTMLElement;
  #shownStatus = '';

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#state = h('p', { class: 'link-state', id: 'emailengine-state', role: 'status' });
    this.#url = h('input', { id: 'emailengine-url', class: 'input mono', type: 'url', spellcheck: 'false', autocomplete: 'off', placeholder: 'http://127.0.0.1:3000', 'aria-describedby': 'emailengine-url-help' });
    this.#token = h('input', { id: 'emailengine-token', class: 'input mono', type: 'password', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'emailengine-token-help' });
    this.#preflight = h('ul', { class: 'checks-list', id: 'emailengine-preflight', 'aria-label': 'EmailEngine checks' });
    this.#outcome = h('div', { class: 'outcome', 'aria-live': 'polite', id: 'emailengine-outcome' });
    this.#disconnect = h('button', { type: 'button', class: 'btn btn-ghost btn-ghost-danger', id: 'emailengine-disconnect', hidden: true, onclick: () => void this.#disconnectNow() }, 'Disconnect…');
    this.#orphans = h('div', { class: 'orphans', id: 'emailengine-orphans' });
    this.element = h(
      'form',
      { class: 'card form', novalidate: true, 'aria-labelledby': 'emailengine-heading', id: 'emailengine-card', onsubmit: (event: Event) => this.#submit(event) },
      h('h2', { id: 'emailengine-heading', class: 'section-title' }, 'EmailEngine'),
      this.#state,
      h(
        'div',
        { class: 'field' },
        h('label', { class: 'label', for: 'emailengine-url' }, 'EmailEngine URL'),
        this.#url,
        h('p', { class: 'field-help', id: 'emailengine-url-help' }, 'The address of its API and admin UI, e.g. http://127.0.0.1:3000.'),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { class: 'label', for: 'emailengine-token' }, 'API token'),
        this.#token,
        h(
          'p',
          { class: 'field-help', id: 'emailengine-token-help' },
          "A full-privilege token: in EmailEngine's admin UI open Access tokens and create one with all scopes, or run ",
          h('code', {}, "emailengine tokens issue -s '*'"),
          ' on the EmailEngine host. tokentray keeps it in its encrypted vault only.',
        ),
      ),
      this.#preflight,
      this.#outcome,
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', id: 'emailengine-connect' }, 'Connect EmailEngine'),
        h('button', { type: 'button', class: 'btn btn-secondary', id: 'emailengine-check', onclick: () => void this.#check() }, 'Check only'),
        this.#disconnect,
      ),
      this.#orphans,
    );
  }

  render(state: AppState): void {
    const status = state.report?.emailengine;
    if (!status) return;
    const key = JSON.stringify(status);
    if (key === this.#shownStatus) return;
    this.#shownStatus = key;
    setText(this.#state, describeLink(status));
    this.#state.classList.toggle('is-error', status.connected && (status.error !== null || (status.authServer !== null && status.authServer.kind !== 'this')));
    this.#disconnect.hidden = !status.connected;
    if (status.connected && status.url && this.#url.value === '') this.#url.value = status.url;
    if (status.connected) void this.#loadOrphans();
    else replaceChildren(this.#orphans);
  }

  #request(): { url: string; token: string } | null {
    const url = this.#url.value.trim();
    const token = this.#token.value.trim();
    if (!url) {
      this.#url.focus();
      this.#ctx.announce('Enter the EmailEngine URL.', 'error');
      return null;
    }
    if (!token) {
      this.#token.focus();
      this.#ctx.announce('Enter an EmailEngine API token.', 'error');
      return null;
    }
    return { url, token };
  }

  async #check(): Promise<void> {
    const request = this.#request();
    if (!request) return;
    replaceChildren(this.#outcome);
    try {
      const preflight = await this.#ctx.client.checkEmailEngine(request);
      this.#showPreflight(preflight);
      this.#ctx.announce(preflight.ok ? 'EmailEngine checks passed.' : 'EmailEngine checks found problems.', preflight.ok ? 'info' : 'error');
    } catch (error) {
      replaceChildren(this.#outcome, errorBox(error));
    }
  }

  #submit(event: Event): void {
    event.preventDefault();
    void this.#connect();
  }

  /**
   * Preflight first (its findings shown with their fixes), then the confirmation when
   * EmailEngine's one global authServer points elsewhere, then the connect itself.
   */
  async #connect(): Promise<void> {
    const request = this.#request();
    if (!request) return;
    replaceChildren(this.#outcome);
    try {
      const preflight = await this.#ctx.client.checkEmailEngine(request);
      this.#showPreflight(preflight);
      if (!preflight.ok) {
        this.#ctx.announce('EmailEngine checks found problems: see the fixes above.', 'error');
        return;
      }
      let replace = false;
      if (preflight.authServer?.kind === 'other') {
        replace = await this.#ctx.confirm({
          title: "Replace EmailEngine's authServer?",
          body: `EmailEngine's authServer points to ${preflight.authServer.url}. It is one setting for all of EmailEngine: other accounts there that depend on it would ask this tokentray instead.`,
          confirmLabel: 'Replace',
          danger: true,
        });
        if (!replace) {
          this.#ctx.announce("Nothing was changed: EmailEngine's authServer still points to the other server.");
          return;
        }
      }
      const result = await this.#ctx.client.connectEmailEngine({ ...request, replace });
      this.#token.value = ''; // in the vault now; the window keeps no copy
      this.#showPreflight(result.preflight);
      const done = { set: 'authServer set to this tokentray', replaced: 'authServer replaced', updated: 'authServer updated', unchanged: 'authServer already pointed here' }[result.authServer];
      const registered = result.registered.length ? `; registered ${result.registered.join(', ')}` : '';
      replaceChildren(
        this.#outcome,
        h('div', { class: 'callout callout-ok', role: 'status' }, h('p', { class: 'callout-title' }, 'EmailEngine connected'), h('p', {}, `${done}${registered}.`)),
        ...result.failed.map((failure) => errorBox(new TokentrayError(failure.code, `${failure.id}: ${failure.message}`), { role: 'note' })),
      );
      this.#ctx.announce('EmailEngine connected.');
      await this.#ctx.store.loadReport().catch(() => undefined);
    } catch (error) {
      replaceChildren(this.#outcome, errorBox(error));
    }
  }

  #showPreflight(preflight: EmailEnginePreflight): void {
    replaceChildren(
      this.#preflight,
      ...preflight.checks.map((check) => {
        const outcome = CHECK_OUTCOME_VIEW[check.outcome];
        return h(
          'li',
          { class: `check-item outcome-${check.outcome}`, 'data-check': check.id, 'data-code': check.code ?? undefined },
          h('span', { class: `badge ${outcome.tone}` }, outcome.label),
          h('span', { class: 'check-title' }, CHECK_TITLES[check.id]),
          h('span', { class: 'check-message' }, check.message),
          check.code && check.outcome !== 'ok' ? h('p', { class: 'check-fix' }, ERROR_HINTS[check.code]) : null,
        );
      }),
    );
  }

  async #disconnectNow(): Promise<void> {
    const confirmed = await this.#ctx.confirm({
      title: 'Disconnect EmailEngine?',
      body: "tokentray forgets EmailEngine's URL and token. EmailEngine itself is left as it is: its authServer and accounts keep working while tokentray runs.",
      confirmLabel: 'Disconnect',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await this.#ctx.client.disconnectEmailEngine();
      replaceChildren(this.#preflight);
      replaceChildren(this.#outcome);
      this.#ctx.announce('EmailEngine disconnected.');
      await this.#ctx.store.loadReport().catch(() => undefined);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }

  async #loadOrphans(): Promise<void> {
    let orphans: EmailEngineOrphan[];
    try {
      orphans = await this.#ctx.client.emailEngineOrphans();
    } catch {
      return; // the link's own state above says why EmailEngine cannot be asked
    }
    if (orphans.length === 0) return replaceChildren(this.#orphans);
    replaceChildren(
      this.#orphans,
      h('h3', { class: 'subsection-title', id: 'orphans-heading' }, 'In EmailEngine, not connected here'),
      h(
        'ul',
        { class: 'checks-list', 'aria-labelledby': 'orphans-heading' },
        ...orphans.map((orphan) =>
          h(
            'li',
            { class: 'check-item', 'data-orphan': orphan.id },
            h('span', { class: 'check-title' }, orphan.id),
            h('span', { class: 'check-message' }, `${orphan.email ?? orphan.name ?? ''} · ${providerAndProfileLabel(providerOfProfile(orphan.profile), orphan.profile)} · EmailEngine: ${orphan.state}`),
            h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => void this.#connectOrphan(orphan) }, `Connect ${orphan.id}`),
          ),
        ),
      ),
    );
  }

  async #connectOrphan(orphan: EmailEngineOrphan): Promise<void> {
    this.#ctx.showView('accounts');
    try {
      await this.#ctx.store.signIn({ id: orphan.id, email: orphan.email, profile: orphan.profile, sharedMailbox: null });
      this.#ctx.announce(`${orphan.id} connected.`);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }
}

function describeLink(status: EmailEngineStatus): string {
  if (!status.connected) return 'Not connected. Enter its URL and an API token to connect: tokentray then sets its authServer and registers your accounts there.';
  if (status.error) return `Connected to ${status.url ?? 'EmailEngine'}, but: ${status.error.message}`;
  const target = status.authServer;
  const where =
    target === null ? '' : target.kind === 'this' ? ' · authServer points here' : target.kind === 'other' ? ` · authServer points to ${target.url}` : target.kind === 'unset' ? ' · authServer not set' : ' · authServer has an old secret';
  return `Connected to ${status.url ?? 'EmailEngine'}${status.version ? ` (EmailEngine ${status.version})` : ''}${where}.`;
}
