/**
 * Settings → Google sign-in: the setup guide for a Google Cloud "Desktop app" client, its
 * client ID (a setting) and its client secret (write-only, into the vault).
 *
 * The secret lives only in its password field until Save sends it (through main) to the core's
 * vault; the field is emptied right after, whatever the outcome, and the window is only ever
 * told whether a secret is set (StatusReport.clientSecrets), never the secret itself.
 */
import { GOOGLE_SETUP_INTRO, GOOGLE_SETUP_STEPS, type GuidePart } from '../src/shared/google-setup-guide.js';
import { settingEnvironmentVariable, type SettingKey, type Settings } from '../src/shared/settings-shape.js';
import type { HelpTopic } from '../src/shared/ipc-contract.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText, type Child } from './dom.js';
import { googleSetup } from './provider-setup.js';
import type { AppState } from './store.js';
import { asTokentrayError, errorBox } from './ui.js';

const CLIENT_ID_KEY = 'google.clientId' satisfies SettingKey;

export class GoogleSettingsPanel {
  readonly element: HTMLElement;
  readonly #ctx: AppContext;
  readonly #state: HTMLElement;
  readonly #guide: HTMLDetailsElement;
  readonly #guideSummary: HTMLElement;
  readonly #clientId: HTMLInputElement;
  readonly #clientIdNote: HTMLElement;
  readonly #clientIdError: HTMLElement;
  readonly #secret: HTMLInputElement;
  readonly #secretState: HTMLElement;
  readonly #secretError: HTMLElement;
  readonly #clear: HTMLButtonElement;
  readonly #outcome: HTMLElement;
  /** The client id the field was last filled from: an untouched field follows updates. */
  #shownClientId: string | null | undefined = undefined;
  #busy = false;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#state = h('p', { class: 'link-state', id: 'google-state', role: 'status' });
    this.#guideSummary = h('summary', { class: 'guide-summary' }, 'How to register tokentray in Google Cloud');
    this.#guide = h('details', { class: 'guide guide-google', id: 'guide-google' }, this.#guideSummary, this.#guideBody());
    this.#clientId = h('input', {
      id: 'setting-google-clientId',
      class: 'input mono',
      type: 'text',
      spellcheck: 'false',
      autocomplete: 'off',
      placeholder: '1234567890-abc123.apps.googleusercontent.com',
      'aria-describedby': 'setting-google-clientId-help setting-google-clientId-error',
    });
    this.#clientIdNote = h('p', { class: 'field-note', id: 'setting-google-clientId-note', hidden: true });
    this.#clientIdError = h('p', { class: 'field-error', id: 'setting-google-clientId-error', 'aria-live': 'polite' });
    this.#secret = h('input', {
      id: 'google-client-secret',
      class: 'input mono',
      type: 'password',
      spellcheck: 'false',
      autocomplete: 'off',
      placeholder: 'GOCSPX-…',
      'aria-describedby': 'google-client-secret-state google-client-secret-help google-client-secret-error',
    });
    this.#secretState = h('p', { class: 'secret-state', id: 'google-client-secret-state' });
    this.#secretError = h('p', { class: 'field-error', id: 'google-client-secret-error', 'aria-live': 'polite' });
    this.#clear = h(
      'button',
      { type: 'button', class: 'btn btn-ghost btn-ghost-danger', id: 'google-client-secret-clear', hidden: true, onclick: () => void this.#clearSecret() },
      'Clear secret…',
    );
    this.#outcome = h('div', { class: 'outcome', 'aria-live': 'polite', id: 'google-outcome' });
    this.element = h(
      'form',
      { class: 'card form', novalidate: true, id: 'google-card', 'aria-labelledby': 'google-heading', onsubmit: (event: Event) => this.#submit(event) },
      h('h2', { id: 'google-heading', class: 'section-title' }, 'Google sign-in'),
      this.#state,
      this.#guide,
      h(
        'div',
        { class: 'field' },
        h('label', { class: 'label', for: 'setting-google-clientId' }, 'Google client ID'),
        this.#clientId,
        h('p', { class: 'field-help', id: 'setting-google-clientId-help' }, 'From Google Auth Platform → Clients → your "Desktop app" client.'),
        this.#clientIdNote,
        this.#clientIdError,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { class: 'label', for: 'google-client-secret' }, 'Google client secret'),
        this.#secretState,
        this.#secret,
        h(
          'p',
          { class: 'field-help', id: 'google-client-secret-help' },
          'Kept in the encrypted vault, never in config.json, and never shown again. Leave the field empty to keep the current one.',
        ),
        this.#secretError,
      ),
      this.#outcome,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'google-save' }, 'Save Google settings'), this.#clear),
    );
  }

  /** The field to focus when Connect points here: the first missing value, else the client id. */
  get firstMissing(): HTMLElement {
    const setup = googleSetup(this.#ctx.store.state);
    if (setup.missing.length === 0) return this.#clientId;
    return setup.missing[0] === 'clientId' ? (this.#guide.open ? this.#clientId : this.#guideSummary) : this.#secret;
  }

  /** Opens the guide when Google is not set up yet, and shows the section. */
  reveal(): void {
    if (googleSetup(this.#ctx.store.state).missing.includes('clientId')) this.#guide.open = true;
    this.element.scrollIntoView({ block: 'start' });
  }

  setOverrides(keys: ReadonlySet<SettingKey>): void {
    const overridden = keys.has(CLIENT_ID_KEY);
    this.#clientIdNote.hidden = !overridden;
    setText(this.#clientIdNote, overridden ? `Set by the environment variable ${settingEnvironmentVariable(CLIENT_ID_KEY)}: that value is in use, whatever is saved here.` : '');
    this.#clientId.setAttribute(
      'aria-describedby',
      `setting-google-clientId-help${overridden ? ' setting-google-clientId-note' : ''} setting-google-clientId-error`,
    );
  }

  render(state: AppState): void {
    const { settings } = state;
    if (settings) this.#fill(settings);
    const secret = state.report?.clientSecrets?.google;
    setText(this.#secretState, secret === undefined ? '' : secret ? 'Set: a client secret is in the vault.' : 'Not set.');
    this.#secretState.classList.toggle('is-set', secret === true);
    this.#secretState.hidden = secret === undefined;
    this.#clear.hidden = secret !== true;
    const setup = googleSetup(state);
    setText(
      this.#state,
      setup.ready
        ? 'Ready: Gmail accounts can connect.'
        : `Not set up yet: Gmail sign-in needs ${setup.missing.map((item) => (item === 'clientId' ? 'the client ID' : 'the client secret')).join(' and ')}.`,
    );
    // A warning only when Gmail accounts depend on it; otherwise Google is simply not in use.
    const inUse = state.report?.accounts.some((account) => account.provider === 'google') ?? false;
    this.#state.classList.toggle('is-warn', !setup.ready && inUse);
    this.#state.classList.toggle('is-muted', !setup.ready && !inUse);
  }

  #fill(settings: Settings): void {
    const value = settings[CLIENT_ID_KEY] ?? '';
    if (this.#shownClientId === undefined || this.#clientId.value === (this.#shownClientId ?? '')) this.#clientId.value = value;
    this.#shownClientId = settings[CLIENT_ID_KEY];
  }

  #guideBody(): HTMLElement {
    const part = (item: GuidePart): Child => (typeof item === 'string' ? item : this.#copyValue(item.copy));
    return h(
      'div',
      { class: 'guide-body' },
      h('p', {}, GOOGLE_SETUP_INTRO),
      h(
        'ol',
        { class: 'steps' },
        ...GOOGLE_SETUP_STEPS.map((step) =>
          h(
            'li',
            {},
            h('strong', {}, `${step.title} `),
            ...step.parts.map(part),
            ...(step.groups ?? []).map((group) => h('div', { class: 'permission-group' }, h('p', { class: 'permission-title' }, group.title), ...group.values.map((value) => this.#copyValue(value)))),
            ...(step.after ?? []).map(part),
          ),
        ),
      ),
      h(
        'p',
        { class: 'guide-links' },
        h('button', { type: 'button', class: 'btn btn-link', onclick: () => void this.#help('google-credentials') }, 'Google Cloud credentials'),
        h('button', { type: 'button', class: 'btn btn-link', onclick: () => void this.#help('google-token-expiry') }, 'Refresh-token expiry'),
      ),
    );
  }

  #copyValue(value: string): HTMLElement {
    return h(
      'span',
      { class: 'value-row' },
      h('code', { class: 'value' }, value),
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': `Copy ${value}`, onclick: () => void this.#ctx.copy(value, value) }, 'Copy'),
    );
  }

  async #help(topic: HelpTopic): Promise<void> {
    try {
      await this.#ctx.client.openHelp(topic);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }

  #resetErrors(): void {
    setText(this.#clientIdError, '');
    setText(this.#secretError, '');
    this.#clientId.removeAttribute('aria-invalid');
    this.#secret.removeAttribute('aria-invalid');
    replaceChildren(this.#outcome);
  }

  #submit(event: Event): void {
    event.preventDefault();
    void this.#save();
  }

  async #save(): Promise<void> {
    if (this.#busy) return;
    this.#resetErrors();
    // Taken out of the field at once: from here on the secret is only in this call's memory.
    const secret = this.#secret.value.trim();
    this.#secret.value = '';
    const settings = this.#ctx.store.state.settings ?? (await this.#ctx.store.loadSettings());
    const clientId = this.#clientId.value.trim() || null;
    const idChanged = clientId !== settings[CLIENT_ID_KEY];
    if (!idChanged && secret === '') {
      this.#ctx.announce('Nothing to save.');
      return;
    }
    const googleAccounts = this.#googleAccounts();
    if (idChanged && settings[CLIENT_ID_KEY] !== null && googleAccounts > 0) {
      const confirmed = await this.#ctx.confirm({
        title: 'Change the Google client?',
        body: `${googleAccounts} Gmail account${googleAccounts === 1 ? ' was' : 's were'} signed in with the current client ID. Google refreshes a token only for the client that got it: they need sign-in again after this change.`,
        confirmLabel: 'Change client ID',
        danger: true,
      });
      if (!confirmed) {
        this.#ctx.announce('Nothing was changed.');
        return;
      }
    }
    this.#busy = true;
    try {
      if (idChanged) {
        try {
          this.#ctx.store.update({ settings: await this.#ctx.client.setSetting(CLIENT_ID_KEY, clientId) });
        } catch (error) {
          this.#fieldError(this.#clientId, this.#clientIdError, error);
          return;
        }
      }
      if (secret !== '') {
        try {
          await this.#ctx.client.setClientSecret('google', secret);
        } catch (error) {
          this.#fieldError(this.#secret, this.#secretError, error);
          return;
        }
      }
      await this.#ctx.store.loadReport().catch(() => undefined);
      this.#ctx.announce(secret !== '' ? 'Google settings saved; the client secret is in the vault.' : 'Google settings saved.');
    } finally {
      this.#busy = false;
    }
  }

  #fieldError(input: HTMLInputElement, target: HTMLElement, error: unknown): void {
    const err = asTokentrayError(error);
    if (err.code === 'CONFIG_INVALID' || err.code === 'USAGE') {
      setText(target, `${err.message} ${err.hint}`);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } else {
      replaceChildren(this.#outcome, errorBox(err));
    }
  }

  async #clearSecret(): Promise<void> {
    const googleAccounts = this.#googleAccounts();
    const confirmed = await this.#ctx.confirm({
      title: 'Clear the Google client secret?',
      body: `Gmail sign-in stops working until you enter a client secret again.${
        googleAccounts > 0 ? ` The ${googleAccounts} Gmail account${googleAccounts === 1 ? '' : 's'} here cannot refresh tokens meanwhile.` : ''
      }`,
      confirmLabel: 'Clear secret',
      danger: true,
    });
    if (!confirmed) return;
    this.#resetErrors();
    try {
      await this.#ctx.client.setClientSecret('google', null);
      await this.#ctx.store.loadReport().catch(() => undefined);
      this.#ctx.announce('The Google client secret was removed from the vault.');
      this.#secret.focus();
    } catch (error) {
      replaceChildren(this.#outcome, errorBox(error));
    }
  }

  #googleAccounts(): number {
    return this.#ctx.store.state.report?.accounts.filter((account) => account.provider === 'google').length ?? 0;
  }
}
