/**
 * Connect account: id (validated as you type, same rule as the core), e-mail hint, profile,
 * optional shared mailbox; then "Waiting for the browser…" with Cancel; then the outcome.
 */
import { PROVIDER_IDS, PROVIDER_LABELS, isScopeProfile, profilesOf, providerOfProfile, type ProviderId } from '../src/shared/providers.js';
import type { AccountStatus, ScopeProfile } from '../src/shared/account-status.js';
import { validateAccountId } from '../src/shared/account-id.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText } from './dom.js';
import { describeState, profileLabel } from './format.js';
import type { AppState } from './store.js';
import { asTokentrayError, errorBox } from './ui.js';
import { providerSetup, type ProviderSetup } from './provider-setup.js';

type Phase = 'form' | 'waiting' | 'done';

export class ConnectView {
  readonly #ctx: AppContext;
  readonly #form: HTMLFormElement;
  readonly #fields: HTMLFieldSetElement;
  readonly #id: HTMLInputElement;
  readonly #idError: HTMLElement;
  readonly #idNote: HTMLElement;
  readonly #email: HTMLInputElement;
  readonly #shared: HTMLInputElement;
  readonly #sharedRow: HTMLElement;
  readonly #emailLabel: HTMLElement;
  readonly #submitButton: HTMLButtonElement;
  readonly #profileChoices: Record<ProviderId, HTMLElement>;
  readonly #outcome: HTMLElement;
  readonly #setup: HTMLElement;
  readonly #setupTitle: HTMLElement;
  readonly #setupBody: HTMLElement;
  readonly #setupButton: HTMLButtonElement;
  readonly #waiting: HTMLElement;
  readonly #waitingText: HTMLElement;
  readonly #cancel: HTMLButtonElement;
  readonly #done: HTMLElement;
  #phase: Phase = 'form';
  #pendingId: string | null = null;
  /** The id field shows its error once the user has typed in it (or tried to submit). */
  #idTouched = false;

  constructor(panel: HTMLElement, ctx: AppContext) {
    this.#ctx = ctx;
    this.#id = h('input', {
      id: 'connect-id',
      name: 'id',
      type: 'text',
      class: 'input',
      required: true,
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      'aria-describedby': 'connect-id-help connect-id-error connect-id-note',
      oninput: () => {
        this.#idTouched = true;
        this.#validateId();
      },
      onblur: () => {
        if (this.#id.value !== '') this.#idTouched = true;
        this.#validateId();
      },
    });
    this.#idError = h('p', { id: 'connect-id-error', class: 'field-error', 'aria-live': 'polite' });
    this.#idNote = h('p', { id: 'connect-id-note', class: 'field-note', hidden: true });
    this.#email = h('input', {
      id: 'connect-email',
      name: 'email',
      type: 'email',
      class: 'input',
      autocomplete: 'email',
      spellcheck: 'false',
      placeholder: 'name@contoso.com',
      'aria-describedby': 'connect-email-help',
    });
    this.#shared = h('input', {
      id: 'connect-shared',
      name: 'sharedMailbox',
      type: 'email',
      class: 'input',
      spellcheck: 'false',
      placeholder: 'support@contoso.com',
      'aria-describedby': 'connect-shared-help',
    });
    const providerOption = (value: ProviderId, description: string, checked: boolean): HTMLElement =>
      h(
        'label',
        { class: 'choice' },
        h('input', { type: 'radio', name: 'provider', value, checked, onchange: () => this.#syncProvider() }),
        h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, PROVIDER_LABELS[value]), h('span', { class: 'choice-help' }, description)),
      );
    const profileOption = (value: ScopeProfile, description: string, checked: boolean): HTMLElement =>
      h(
        'label',
        { class: 'choice' },
        h('input', { type: 'radio', name: 'profile', value, checked, onchange: () => this.#syncProfile() }),
        h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, profileLabel(value)), h('span', { class: 'choice-help' }, description)),
      );
    this.#sharedRow = h(
      'div',
      { class: 'field' },
      h('label', { for: 'connect-shared', class: 'label' }, 'Shared mailbox ', h('span', { class: 'optional' }, '(optional)')),
      this.#shared,
      h('p', { id: 'connect-shared-help', class: 'field-help' }, 'A shared mailbox this user may open. EmailEngine then logs in to it over IMAP.'),
    );
    this.#emailLabel = h('span', {}, 'Microsoft 365 address ');
    this.#profileChoices = {
      microsoft: h(
        'div',
        {},
        profileOption('outlook', 'IMAP and SMTP with OAuth2 (XOAUTH2)', true),
        profileOption('graph', 'Microsoft Graph API: Mail.ReadWrite, Mail.Send', false),
      ),
      google: h(
        'div',
        { hidden: true },
        profileOption('gmail', 'IMAP and SMTP with OAuth2 (XOAUTH2): https://mail.google.com/', false),
        profileOption('gmail-api', 'Gmail API (EmailEngine\'s Gmail backend): gmail.modify', false),
      ),
    };
    this.#submitButton = h('button', { type: 'submit', class: 'btn btn-primary', id: 'connect-submit' }, 'Sign in with Microsoft') as HTMLButtonElement;
    this.#fields = h(
      'fieldset',
      { class: 'plain-fieldset' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'connect-id', class: 'label' }, 'Account id'),
        this.#id,
        h('p', { id: 'connect-id-help', class: 'field-help' }, 'The id EmailEngine uses for this account: letters, digits, dot, dash, underscore.'),
        this.#idError,
        this.#idNote,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'connect-email', class: 'label' }, this.#emailLabel, h('span', { class: 'optional' }, '(optional)')),
        this.#email,
        h('p', { id: 'connect-email-help', class: 'field-help' }, 'Pre-fills the sign-in page; the signed-in user must match it.'),
      ),
      h(
        'fieldset',
        { class: 'field choices' },
        h('legend', { class: 'label' }, 'Provider'),
        providerOption('microsoft', 'Outlook, Microsoft 365, Exchange Online', true),
        providerOption('google', 'Gmail, Google Workspace', false),
      ),
      h(
        'fieldset',
        { class: 'field choices' },
        h('legend', { class: 'label' }, 'How EmailEngine reaches the mailbox'),
        this.#profileChoices.microsoft,
        this.#profileChoices.google,
      ),
      this.#sharedRow,
    );
    this.#outcome = h('div', { class: 'outcome', 'aria-live': 'assertive' });
    this.#setupTitle = h('p', { class: 'callout-title' });
    this.#setupBody = h('p', { class: 'callout-body' });
    this.#setupButton = h('button', {
      type: 'button',
      class: 'btn btn-secondary',
      id: 'connect-setup-open',
      onclick: () => ctx.showView('settings', { focus: 'panel', section: this.#provider() }),
    });
    this.#setup = h('div', { class: 'callout callout-warn', id: 'connect-setup', role: 'note', hidden: true }, this.#setupTitle, this.#setupBody, h('div', { class: 'callout-actions' }, this.#setupButton));
    this.#form = h(
      'form',
      { class: 'form', novalidate: true, 'aria-labelledby': 'connect-heading', onsubmit: (event: Event) => this.#submit(event) },
      h('h2', { id: 'connect-heading', class: 'section-title' }, 'Connect a mail account'),
      this.#setup,
      this.#outcome,
      this.#fields,
      h('div', { class: 'form-actions' }, this.#submitButton),
    );

    this.#cancel = h('button', { type: 'button', class: 'btn btn-secondary', id: 'connect-cancel', onclick: () => void this.#cancelSignIn() }, 'Cancel');
    this.#waitingText = h('p', { class: 'waiting-text' });
    this.#waiting = h(
      'div',
      { class: 'waiting', hidden: true, role: 'status', 'aria-live': 'polite', onkeydown: (event: Event) => this.#waitingKey(event as KeyboardEvent) },
      h('div', { class: 'spinner', 'aria-hidden': 'true' }),
      h('h2', { class: 'waiting-title', id: 'connect-waiting-title' }, 'Waiting for the browser…'),
      this.#waitingText,
      h('div', { class: 'form-actions center' }, this.#cancel),
    );
    this.#done = h('div', { class: 'done', hidden: true, role: 'status' });
    replaceChildren(panel, this.#form, this.#waiting, this.#done);
    this.#syncProfile();
  }

  /** Focus target when the panel is entered from the keyboard. */
  get firstField(): HTMLElement {
    if (this.#phase === 'waiting') return this.#cancel;
    if (this.#phase === 'done') return this.#done.querySelector('button') ?? this.#done;
    return this.#id;
  }

  render(state: AppState): void {
    this.#renderSetup(state);
    this.#updateIdNote(state);
  }

  /** The chosen provider's "set up first" note; Connect stays disabled until it is set up. */
  #renderSetup(state: AppState): void {
    const provider = this.#provider();
    const setup = providerSetup(provider, state);
    this.#setup.hidden = setup.ready;
    this.#submitButton.disabled = !setup.ready;
    if (setup.ready) this.#submitButton.removeAttribute('aria-describedby');
    else this.#submitButton.setAttribute('aria-describedby', 'connect-setup');
    if (setup.ready) return;
    setText(this.#setupTitle, `Set up ${PROVIDER_LABELS[provider]} sign-in first`);
    setText(this.#setupBody, setupText(provider, setup));
    setText(this.#setupButton, `Open Settings → ${PROVIDER_LABELS[provider]} sign-in`);
  }

  #provider(): ProviderId {
    const checked = this.#form.querySelector<HTMLInputElement>('input[name="provider"]:checked');
    return checked?.value === 'google' ? 'google' : 'microsoft';
  }

  #profile(): ScopeProfile {
    const provider = this.#provider();
    const checked = this.#profileChoices[provider].querySelector<HTMLInputElement>('input[name="profile"]:checked');
    return checked && isScopeProfile(checked.value) ? checked.value : profilesOf(provider)[0]!;
  }

  /** Shows the chosen provider's profiles (its IMAP + SMTP one selected) and wording. */
  #syncProvider(): void {
    const provider = this.#provider();
    for (const id of PROVIDER_IDS) this.#profileChoices[id].hidden = id !== provider;
    const first = this.#profileChoices[provider].querySelector<HTMLInputElement>(`input[value="${profilesOf(provider)[0]!}"]`);
    if (first) first.checked = true;
    setText(this.#emailLabel, provider === 'google' ? 'Google address ' : 'Microsoft 365 address ');
    this.#email.placeholder = provider === 'google' ? 'name@gmail.com' : 'name@contoso.com';
    setText(this.#submitButton, `Sign in with ${PROVIDER_LABELS[provider]}`);
    this.#syncProfile();
    this.#renderSetup(this.#ctx.store.state);
  }

  #syncProfile(): void {
    // A shared mailbox is an IMAP login name; Graph addresses mailboxes differently.
    this.#sharedRow.hidden = this.#profile() !== 'outlook';
  }

  #validateId(): string | null {
    const problem = validateAccountId(this.#id.value.trim());
    const show = this.#idTouched && problem !== null;
    setText(this.#idError, show ? problem : '');
    this.#id.setAttribute('aria-invalid', show ? 'true' : 'false');
    this.#updateIdNote(this.#ctx.store.state);
    return problem;
  }

  #updateIdNote(state: AppState): void {
    const id = this.#id.value.trim();
    const exists = id !== '' && (state.report?.accounts.some((account) => account.id === id) ?? false);
    this.#idNote.hidden = !exists;
    setText(this.#idNote, exists ? `"${id}" is already connected: continuing signs it in again.` : '');
  }

  #submit(event: Event): void {
    event.preventDefault();
    if (this.#phase !== 'form' || this.#submitButton.disabled) return;
    this.#idTouched = true;
    if (this.#validateId() !== null) {
      this.#id.focus();
      return;
    }
    const profile = this.#profile();
    const id = this.#id.value.trim();
    const email = this.#email.value.trim() || null;
    const sharedMailbox = profile === 'outlook' ? this.#shared.value.trim() || null : null;
    void this.#connect({ id, email, profile, sharedMailbox });
  }

  async #connect(request: { id: string; email: string | null; profile: ScopeProfile; sharedMailbox: string | null }): Promise<void> {
    this.#pendingId = request.id;
    replaceChildren(this.#outcome);
    setText(
      this.#waitingText,
      `A ${PROVIDER_LABELS[providerOfProfile(request.profile)]} sign-in page opened in your browser. Sign in${request.email ? ` as ${request.email}` : ''} there to connect "${request.id}"; this window updates by itself.`,
    );
    this.#setPhase('waiting');
    try {
      const account = await this.#ctx.store.signIn(request);
      this.#showSuccess(account, request.email);
    } catch (error) {
      const err = asTokentrayError(error);
      this.#setPhase('form');
      replaceChildren(this.#outcome, errorBox(err));
      if (err.code === 'ACCOUNT_ID_INVALID') this.#id.focus();
      else (this.#form.querySelector<HTMLButtonElement>('#connect-submit') ?? this.#id).focus();
    } finally {
      this.#pendingId = null;
    }
  }

  #showSuccess(account: AccountStatus, askedFor: string | null): void {
    const view = describeState(account.state, this.#ctx.now());
    const another = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => this.#reset() }, 'Connect another');
    const show = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => this.#ctx.showView('accounts', { focus: 'panel' }) }, 'Show accounts');
    replaceChildren(
      this.#done,
      h('div', { class: 'done-mark', 'aria-hidden': 'true' }),
      h('h2', { class: 'done-title', id: 'connect-done-title' }, `${account.id} is connected`),
      h('p', { class: 'done-text' }, `Signed in as ${account.email ?? 'the chosen account'} · ${profileLabel(account.profile)}. ${view.detail}.`),
      // No address was given, so whoever completed the sign-in was connected: say so.
      askedFor === null
        ? h('p', { class: 'done-text', id: 'connect-done-check' }, `Check that ${account.email ?? 'this'} is the account you meant; if not, remove "${account.id}" in Accounts.`)
        : null,
      h('p', { class: 'done-text subtle' }, `In EmailEngine, add the account with id "${account.id}" and turn on "use the authentication server".`),
      h('div', { class: 'form-actions center' }, another, show),
    );
    this.#setPhase('done');
    show.focus();
  }

  #reset(): void {
    this.#form.reset();
    this.#idTouched = false;
    this.#validateId();
    this.#syncProfile();
    replaceChildren(this.#outcome);
    this.#setPhase('form');
    this.#id.focus();
  }

  #setPhase(phase: Phase): void {
    const hadFocusInForm = this.#form.contains(document.activeElement);
    this.#phase = phase;
    this.#form.hidden = phase !== 'form';
    this.#fields.disabled = phase !== 'form';
    this.#waiting.hidden = phase !== 'waiting';
    this.#done.hidden = phase !== 'done';
    if (phase === 'waiting' && (hadFocusInForm || document.activeElement === document.body)) this.#cancel.focus();
  }

  #waitingKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      void this.#cancelSignIn();
    }
  }

  async #cancelSignIn(): Promise<void> {
    if (!this.#pendingId) return;
    this.#cancel.disabled = true;
    setText(this.#cancel, 'Cancelling…');
    try {
      await this.#ctx.client.cancelSignIn(this.#pendingId);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    } finally {
      this.#cancel.disabled = false;
      setText(this.#cancel, 'Cancel');
    }
  }
}

/** What the provider still needs, and where it comes from. */
function setupText(provider: ProviderId, setup: ProviderSetup): string {
  if (provider === 'microsoft') return 'Signing in with Microsoft needs the client ID of your Azure app registration.';
  const missing = setup.missing.map((item) => (item === 'clientId' ? 'the client ID' : 'the client secret')).join(' and ');
  return `Signing in with Google needs the client ID and the client secret of your Google Cloud "Desktop app" client. Not set yet: ${missing}.`;
}
