/**
 * Connect account: id (validated as you type, same rule as the core), e-mail hint, provider,
 * profile, optional shared mailbox; then "Waiting for the browser…" with Cancel (or, for
 * Microsoft, a code to enter on another device, with its countdown); then the outcome.
 *
 * When the browser cannot be opened here, the failure offers the device code at once.
 */
import { PROVIDER_IDS, PROVIDER_LABELS, isScopeProfile, profilesOf, providerOfProfile, type ProviderId } from '../src/shared/providers.js';
import type { AccountStatus } from '../src/shared/account-status.js';
import type { ScopeProfile } from '../src/shared/scope-profile.js';
import type { ConnectRequest, DeviceCodePrompt } from '../src/shared/tokentray-api.js';
import type { PendingSignIn } from '../src/shared/ipc-contract.js';
import { validateAccountId } from '../src/shared/account-id.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText } from './dom.js';
import { describeState, profileLabel } from './format.js';
import type { AppState } from './store.js';
import { asTokentrayError, errorBox } from './ui.js';
import { DeviceCodePanel } from './device-code-panel.js';
import { ERROR_HINTS } from '../src/shared/error-codes.js';
import type { TokentrayError } from '../src/shared/tokentray-error.js';
import { providerSetup, type ProviderSetup } from './provider-setup.js';

type Phase = 'form' | 'waiting' | 'device' | 'done';

interface Attempt {
  id: string;
  email: string | null;
  profile: ScopeProfile;
  sharedMailbox: string | null;
}

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
  readonly #deviceButton: HTMLButtonElement;
  readonly #deviceNote: HTMLElement;
  readonly #device: DeviceCodePanel;
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
    this.#deviceButton = h(
      'button',
      { type: 'button', class: 'btn btn-secondary', id: 'connect-device-submit', onclick: () => this.#start(true) },
      'Sign in with a code on another device',
    );
    this.#deviceNote = h('p', { class: 'field-help', id: 'connect-device-note', hidden: true });
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
      h('div', { class: 'form-actions wrap' }, this.#submitButton, this.#deviceButton),
      this.#deviceNote,
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
    this.#device = new DeviceCodePanel(ctx, () => void this.#cancelSignIn(), (event) => this.#waitingKey(event));
    this.#done = h('div', { class: 'done', hidden: true, role: 'status' });
    replaceChildren(panel, this.#form, this.#waiting, this.#device.element, this.#done);
    ctx.client.onDeviceCode((event) => {
      if (this.#phase === 'device' && event.id === this.#pendingId) this.#device.show(event.id, event.prompt);
    });
    this.#syncProfile();
    void this.#resume();
  }

  /** Starts a device-code sign-in for an existing account (Accounts → "Sign in with a code"). */
  signInWithCode(request: ConnectRequest): void {
    if (this.#phase === 'waiting' || this.#phase === 'device') return;
    const profile = request.profile ?? 'outlook';
    if (providerOfProfile(profile) !== 'microsoft') return;
    // The form shows what is being signed in, so Cancel and any error come back to it.
    this.#reset();
    this.#fill(request.id, request.email ?? null, profile, request.sharedMailbox ?? null);
    void this.#connect({ id: request.id, email: request.email ?? null, profile, sharedMailbox: request.sharedMailbox ?? null }, true);
  }

  /** Puts a sign-in's request into the form, which it comes back to on Cancel or an error. */
  #fill(id: string, email: string | null, profile: ScopeProfile, sharedMailbox: string | null): void {
    this.#id.value = id;
    this.#email.value = email ?? '';
    const provider = this.#form.querySelector<HTMLInputElement>(`input[name="provider"][value="${providerOfProfile(profile)}"]`);
    if (provider) provider.checked = true;
    this.#syncProvider();
    const choice = this.#form.querySelector<HTMLInputElement>(`input[name="profile"][value="${profile}"]`);
    if (choice) choice.checked = true;
    this.#syncProfile();
    this.#shared.value = sharedMailbox ?? '';
    this.#validateId();
  }

  /** Focus target when the panel is entered from the keyboard. */
  get firstField(): HTMLElement {
    if (this.#phase === 'waiting') return this.#cancel;
    if (this.#phase === 'device') return this.#device.cancel;
    if (this.#phase === 'done') return this.#done.querySelector('button') ?? this.#done;
    return this.#id;
  }

  render(state: AppState): void {
    this.#renderSetup(state);
    this.#updateIdNote(state);
    if (this.#phase === 'device') this.#device.tick();
  }

  /** The chosen provider's "set up first" note; Connect stays disabled until it is set up. */
  #renderSetup(state: AppState): void {
    const provider = this.#provider();
    const setup = providerSetup(provider, state);
    this.#setup.hidden = setup.ready;
    this.#submitButton.disabled = !setup.ready;
    if (setup.ready) this.#submitButton.removeAttribute('aria-describedby');
    else this.#submitButton.setAttribute('aria-describedby', 'connect-setup');
    // Device code: Microsoft's only (Google refuses the Gmail scopes on its device flow).
    const deviceOffered = provider === 'microsoft';
    this.#deviceButton.disabled = !setup.ready || !deviceOffered;
    const describedBy = deviceOffered ? (setup.ready ? null : 'connect-setup') : 'connect-device-note';
    if (describedBy) this.#deviceButton.setAttribute('aria-describedby', describedBy);
    else this.#deviceButton.removeAttribute('aria-describedby');
    this.#deviceNote.hidden = deviceOffered;
    setText(this.#deviceNote, deviceOffered ? '' : `A code on another device is not available for ${PROVIDER_LABELS[provider]}. ${ERROR_HINTS.DEVICE_CODE_UNSUPPORTED}`);
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
    this.#start(false);
  }

  /** Checks the form and starts a browser (or device-code) sign-in with what it holds. */
  #start(deviceCode: boolean): void {
    const button = deviceCode ? this.#deviceButton : this.#submitButton;
    if (this.#phase !== 'form' || button.disabled) return;
    this.#idTouched = true;
    if (this.#validateId() !== null) {
      this.#id.focus();
      return;
    }
    const profile = this.#profile();
    const id = this.#id.value.trim();
    const email = this.#email.value.trim() || null;
    const sharedMailbox = profile === 'outlook' ? this.#shared.value.trim() || null : null;
    void this.#connect({ id, email, profile, sharedMailbox }, deviceCode);
  }

  #connect(request: Attempt, deviceCode: boolean): Promise<void> {
    return this.#follow(request, deviceCode, null, () => this.#ctx.store.signIn(deviceCode ? { ...request, deviceCode: true } : request));
  }

  /**
   * A sign-in main still has under way, begun in a window since closed (or from the tray):
   * shown again, with its code if it has one, and followed to its end like one begun here.
   */
  async #resume(): Promise<void> {
    let pending: PendingSignIn[];
    try {
      pending = await this.#ctx.client.pendingSignIns();
    } catch {
      return; // an older main, or none: nothing to show again
    }
    const session = pending.find((candidate) => candidate.withCode) ?? pending[0];
    if (!session || this.#phase !== 'form') return;
    const profile = session.profile ?? 'outlook';
    this.#fill(session.id, session.email, profile, session.sharedMailbox);
    const attempt: Attempt = { id: session.id, email: session.email, profile, sharedMailbox: session.sharedMailbox };
    await this.#follow(attempt, session.withCode, session.deviceCode, () => this.#ctx.store.awaitSignIn(session.id));
  }

  /** Shows the sign-in of `request` under way (`prompt`: its code, if already known) until `settle` does. */
  async #follow(request: Attempt, deviceCode: boolean, prompt: DeviceCodePrompt | null, settle: () => Promise<AccountStatus>): Promise<void> {
    this.#pendingId = request.id;
    replaceChildren(this.#outcome);
    if (deviceCode) {
      this.#device.start(request.id, request.email);
      if (prompt) this.#device.show(request.id, prompt);
      this.#setPhase('device');
    } else {
      setText(
        this.#waitingText,
        `A ${PROVIDER_LABELS[providerOfProfile(request.profile)]} sign-in page opened in your browser. Sign in${request.email ? ` as ${request.email}` : ''} there to connect "${request.id}"; this window updates by itself.`,
      );
      this.#setPhase('waiting');
    }
    try {
      const account = await settle();
      this.#showSuccess(account, request.email);
    } catch (error) {
      const err = asTokentrayError(error);
      this.#setPhase('form');
      const offer = this.#retryOffer(err, request, deviceCode);
      replaceChildren(this.#outcome, errorBox(err), offer);
      if (err.code === 'ACCOUNT_ID_INVALID') this.#id.focus();
      else if (offer) offer.querySelector('button')?.focus();
      else this.#submitButton.focus();
    } finally {
      this.#pendingId = null;
      this.#device.end();
    }
  }

  /**
   * What to try next, when there is something better than the same again: no browser could be
   * opened (a code on another device needs none), or the code was declined or ran out.
   */
  #retryOffer(err: TokentrayError, request: Attempt, deviceCode: boolean): HTMLElement | null {
    // Another sign-in for this id is still open (started from the tray, or in a window since closed).
    if (err.code === 'SIGN_IN_IN_PROGRESS') {
      const offer: HTMLElement = h(
        'div',
        { class: 'callout callout-offer', id: 'connect-offer' },
        h('p', { class: 'callout-body' }, `Not finishing that sign-in? Cancel it, then start again for "${request.id}".`),
        h(
          'div',
          { class: 'callout-actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-primary',
              id: 'connect-offer-cancel',
              onclick: () =>
                void this.#ctx.client.cancelSignIn(request.id).then(
                  () => {
                    replaceChildren(this.#outcome);
                    this.#ctx.announce(`The open sign-in for "${request.id}" was cancelled: you can start again.`);
                    this.#submitButton.focus();
                  },
                  (error: unknown) => this.#ctx.announce(asTokentrayError(error).message, 'error'),
                ),
            },
            'Cancel the open sign-in',
          ),
        ),
      );
      return offer;
    }
    if (providerOfProfile(request.profile) !== 'microsoft') return null;
    const again = (label: string, text: string): HTMLElement =>
      h(
        'div',
        { class: 'callout callout-offer', id: 'connect-offer' },
        h('p', { class: 'callout-body' }, text),
        h(
          'div',
          { class: 'callout-actions' },
          h('button', { type: 'button', class: 'btn btn-primary', id: 'connect-offer-device', onclick: () => void this.#connect(request, true) }, label),
        ),
      );
    if (!deviceCode && err.code === 'BROWSER_OPEN_FAILED') {
      return again('Sign in with a code on another device', 'No browser opened on this computer. Sign in on a phone or another computer instead: tokentray shows a link and a code to enter there.');
    }
    if (deviceCode && (err.code === 'SIGN_IN_TIMEOUT' || err.code === 'SIGN_IN_CONSENT_DENIED')) {
      return again('Get a new code', 'A new code starts a new sign-in on the other device.');
    }
    return null;
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
    this.#device.element.hidden = phase !== 'device';
    this.#done.hidden = phase !== 'done';
    const focusFree = hadFocusInForm || document.activeElement === document.body || this.#outcome.contains(document.activeElement);
    if (phase === 'waiting' && focusFree) this.#cancel.focus();
    if (phase === 'device' && focusFree) this.#device.cancel.focus();
  }

  #waitingKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      void this.#cancelSignIn();
    }
  }

  async #cancelSignIn(): Promise<void> {
    if (!this.#pendingId) return;
    const buttons = [this.#cancel, this.#device.cancel];
    for (const button of buttons) {
      button.disabled = true;
      setText(button, 'Cancelling…');
    }
    try {
      await this.#ctx.client.cancelSignIn(this.#pendingId);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    } finally {
      for (const button of buttons) {
        button.disabled = false;
        setText(button, 'Cancel');
      }
    }
  }
}

/** What the provider still needs, and where it comes from. */
function setupText(provider: ProviderId, setup: ProviderSetup): string {
  if (provider === 'microsoft') return 'Signing in with Microsoft needs the client ID of your Azure app registration.';
  const missing = setup.missing.map((item) => (item === 'clientId' ? 'the client ID' : 'the client secret')).join(' and ');
  return `Signing in with Google needs the client ID and the client secret of your Google Cloud "Desktop app" client. Not set yet: ${missing}.`;
}
