/**
 * Settings: the auth server EmailEngine talks to (copy URL, rotate secret), one section per
 * provider (the Azure app registration with a first-run guide carrying the exact values to
 * enter; the Google Desktop client with its own guide, client ID and write-only secret), and
 * start at login.
 */
import { settingEnvironmentVariable, type Cloud, type SettingKey, type Settings } from '../src/shared/settings-shape.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText } from './dom.js';
import type { AppState } from './store.js';
import { ChecksPanel } from './checks-panel.js';
import { EmailEnginePanel } from './emailengine-panel.js';
import { GoogleSettingsPanel } from './google-settings-panel.js';
import type { ProviderId } from '../src/shared/providers.js';
import { asTokentrayError, errorBox } from './ui.js';

const CLOUD_OPTIONS: ReadonlyArray<{ value: Cloud; label: string }> = [
  { value: 'global', label: 'Microsoft 365 (worldwide)' },
  { value: 'gcc-high', label: 'US Government GCC High' },
  { value: 'dod', label: 'US Government DoD' },
  { value: 'china', label: 'Microsoft 365 operated by 21Vianet (China)' },
];

/** The exact values the Azure portal asks for, per profile. */
export const REDIRECT_URI = 'http://localhost';
export const OUTLOOK_PERMISSIONS = ['IMAP.AccessAsUser.All', 'SMTP.Send', 'offline_access'] as const;
export const GRAPH_PERMISSIONS = ['Mail.ReadWrite', 'Mail.Send', 'User.Read', 'offline_access'] as const;

type FormKey = 'clientId' | 'tenant' | 'cloud' | 'port';

/** Settings that decide where sign-in goes: changing one needs the user's explicit confirmation. */
const SIGN_IN_TARGET_KEYS: ReadonlySet<SettingKey> = new Set(['clientId', 'tenant', 'cloud', 'authority']);

export class SettingsView {
  readonly #ctx: AppContext;
  readonly #serverState: HTMLElement;
  readonly #serverUrl: HTMLElement;
  readonly #guide: HTMLDetailsElement;
  readonly #guideSummary: HTMLElement;
  readonly #form: HTMLFormElement;
  readonly #inputs: { clientId: HTMLInputElement; tenant: HTMLInputElement; cloud: HTMLSelectElement; port: HTMLInputElement };
  readonly #errors: Record<FormKey, HTMLElement>;
  readonly #formOutcome: HTMLElement;
  readonly #startAtLogin: HTMLInputElement;
  readonly #emailEngine: EmailEnginePanel;
  readonly #google: GoogleSettingsPanel;
  readonly #notes: Record<FormKey, HTMLElement>;
  /** Where sign-in goes when an authority override is set (visible: it replaces cloud + tenant). */
  readonly #authorityNote: HTMLElement;
  /** Settings an environment variable overrides (loaded once from main). */
  #overrides: ReadonlySet<SettingKey> = new Set();
  /** The settings the form was last filled from: fields the user did not touch follow updates. */
  #shown: Settings | null = null;

  constructor(panel: HTMLElement, ctx: AppContext) {
    this.#ctx = ctx;

    // --- Auth server -------------------------------------------------------------------
    this.#serverState = h('p', { class: 'server-state', role: 'status' });
    this.#serverUrl = h('code', { class: 'url', id: 'server-url' });
    const server = h(
      'section',
      { class: 'card', 'aria-labelledby': 'server-heading' },
      h('h2', { id: 'server-heading', class: 'section-title' }, 'Auth server for EmailEngine'),
      this.#serverState,
      h('div', { class: 'url-row' }, this.#serverUrl),
      h(
        'p',
        { class: 'field-help' },
        "EmailEngine asks this address for tokens. The copied URL includes a secret: paste it into EmailEngine's authentication server setting and keep it private.",
      ),
      h(
        'div',
        { class: 'card-actions' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'copy-server-url', onclick: () => void this.#copyServerUrl() }, 'Copy EmailEngine URL'),
        h('button', { type: 'button', class: 'btn btn-secondary', id: 'rotate-secret', onclick: () => void this.#rotate() }, 'Rotate secret…'),
      ),
    );

    // --- First-run guide ---------------------------------------------------------------
    this.#guideSummary = h('summary', { class: 'guide-summary' }, 'How to register tokentray in Azure');
    this.#guide = h('details', { class: 'guide card', id: 'guide-microsoft' }, this.#guideSummary, this.#guideBody());

    // --- Sign-in settings --------------------------------------------------------------
    const field = (key: FormKey, label: string, control: HTMLElement, help: string): HTMLElement =>
      h(
        'div',
        { class: 'field' },
        h('label', { class: 'label', for: `setting-${key}` }, label),
        control,
        h('p', { class: 'field-help', id: `setting-${key}-help` }, help),
        this.#notes[key],
        this.#errors[key],
      );
    const note = (key: FormKey): HTMLElement => h('p', { class: 'field-note', id: `setting-${key}-note`, hidden: true });
    this.#notes = { clientId: note('clientId'), tenant: note('tenant'), cloud: note('cloud'), port: note('port') };
    this.#authorityNote = h('p', { class: 'field-note', id: 'setting-authority-note', role: 'note', hidden: true });
    this.#errors = {
      clientId: h('p', { class: 'field-error', id: 'setting-clientId-error', 'aria-live': 'polite' }),
      tenant: h('p', { class: 'field-error', id: 'setting-tenant-error', 'aria-live': 'polite' }),
      cloud: h('p', { class: 'field-error', id: 'setting-cloud-error', 'aria-live': 'polite' }),
      port: h('p', { class: 'field-error', id: 'setting-port-error', 'aria-live': 'polite' }),
    };
    const described = (key: FormKey): string => `setting-${key}-help setting-${key}-error`;
    this.#inputs = {
      clientId: h('input', {
        id: 'setting-clientId',
        class: 'input mono',
        type: 'text',
        spellcheck: 'false',
        autocomplete: 'off',
        placeholder: '00000000-0000-0000-0000-000000000000',
        'aria-describedby': described('clientId'),
      }),
      tenant: h('input', { id: 'setting-tenant', class: 'input', type: 'text', spellcheck: 'false', autocomplete: 'off', list: 'tenant-options', 'aria-describedby': described('tenant') }),
      cloud: h('select', { id: 'setting-cloud', class: 'input', 'aria-describedby': described('cloud') }, ...CLOUD_OPTIONS.map((option) => h('option', { value: option.value }, option.label))),
      port: h('input', { id: 'setting-port', class: 'input narrow', type: 'number', min: 0, max: 65535, step: 1, inputmode: 'numeric', 'aria-describedby': described('port') }),
    };
    this.#formOutcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
    this.#form = h(
      'form',
      { class: 'card form', novalidate: true, 'aria-labelledby': 'signin-settings-heading', onsubmit: (event: Event) => this.#save(event) },
      h('h2', { id: 'signin-settings-heading', class: 'section-title' }, 'Microsoft sign-in'),
      this.#authorityNote,
      field('clientId', 'Application (client) ID', this.#inputs.clientId, 'From the Overview page of your app registration.'),
      field('tenant', 'Tenant', this.#inputs.tenant, '"organizations" for any work account, or your tenant id or domain (contoso.com).'),
      h('datalist', { id: 'tenant-options' }, h('option', { value: 'organizations' }), h('option', { value: 'common' }), h('option', { value: 'consumers' })),
      field('cloud', 'Cloud', this.#inputs.cloud, 'Where your Microsoft 365 tenant lives.'),
      field('port', 'Auth-server port', this.#inputs.port, 'EmailEngine must use the new URL after a change (0 picks a free port at each start).'),
      this.#formOutcome,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'settings-save' }, 'Save changes')),
    );

    this.#startAtLogin = h('input', { type: 'checkbox', id: 'setting-startAtLogin', onchange: () => void this.#toggleStartAtLogin() });
    const general = h(
      'section',
      { class: 'card', 'aria-labelledby': 'general-heading' },
      h('h2', { id: 'general-heading', class: 'section-title' }, 'General'),
      h(
        'label',
        { class: 'check' },
        this.#startAtLogin,
        h('span', {}, h('span', { class: 'choice-title' }, 'Start at login'), h('span', { class: 'choice-help' }, 'Keep tokens fresh from the moment you log in.')),
      ),
    );
    this.#emailEngine = new EmailEnginePanel(ctx);
    this.#google = new GoogleSettingsPanel(ctx);
    replaceChildren(panel, this.#guide, server, this.#emailEngine.element, this.#form, this.#google.element, general, new ChecksPanel(ctx).element);
    void this.#ctx.client
      .settingOverrides()
      .then((keys) => {
        this.#overrides = new Set(keys);
        this.#google.setOverrides(this.#overrides);
        const settings = this.#ctx.store.state.settings;
        if (settings) this.#showNotes(settings);
      })
      .catch(() => undefined); // no notes is the safe default: the values shown are still real
  }

  /** Environment overrides beside their fields, and the authority override above the form. */
  #showNotes(settings: Settings): void {
    for (const key of Object.keys(this.#notes) as FormKey[]) {
      const overridden = this.#overrides.has(key);
      this.#notes[key].hidden = !overridden;
      setText(this.#notes[key], overridden ? `Set by the environment variable ${settingEnvironmentVariable(key)}: that value is in use, whatever is saved here.` : '');
      this.#inputs[key].setAttribute('aria-describedby', `setting-${key}-help${overridden ? ` setting-${key}-note` : ''} setting-${key}-error`);
    }
    const authority = settings.authority;
    this.#authorityNote.hidden = authority === null;
    setText(
      this.#authorityNote,
      authority === null
        ? ''
        : `Sign-in goes to ${authority} (an authority override${this.#overrides.has('authority') ? ` from the environment variable ${settingEnvironmentVariable('authority')}` : ''}): it replaces the cloud and tenant below.`,
    );
  }

  get firstField(): HTMLElement {
    return this.#ctx.store.state.settings?.clientId === null ? this.#guideSummary : this.#inputs.clientId;
  }

  /** Shows one provider's section (Connect's "set up first" pointer) and focuses what is missing there. */
  reveal(provider: ProviderId): void {
    if (provider === 'google') {
      this.#google.reveal();
      this.#google.firstMissing.focus();
      return;
    }
    if (this.#ctx.store.state.settings?.clientId === null) {
      this.#guide.open = true;
      this.#guide.scrollIntoView({ block: 'start' });
    } else {
      this.#form.scrollIntoView({ block: 'start' });
    }
    this.firstField.focus();
  }

  render(state: AppState): void {
    this.#emailEngine.render(state);
    this.#google.render(state);
    const { report, settings } = state;
    if (report) {
      const { server } = report;
      setText(
        this.#serverState,
        server.running ? 'Running: EmailEngine can get tokens.' : `Stopped${server.error ? `: ${server.error}` : ''}. EmailEngine cannot get tokens.`,
      );
      this.#serverState.classList.toggle('is-error', !server.running);
      setText(this.#serverUrl, server.url ?? 'not listening');
    }
    if (settings) {
      const firstRun = settings.clientId === null;
      this.#guide.classList.toggle('first-run', firstRun);
      setText(this.#guideSummary, firstRun ? 'First step: register tokentray in Azure' : 'How to register tokentray in Azure');
      if (firstRun && !this.#shown) this.#guide.open = true;
      this.#fill(settings);
      this.#showNotes(settings);
      this.#startAtLogin.checked = settings.startAtLogin;
    }
  }

  #fill(settings: Settings): void {
    const shown = this.#shown;
    const text = (value: Settings[FormKey]): string => (value === null ? '' : String(value));
    for (const key of ['clientId', 'tenant', 'cloud', 'port'] as const) {
      const input = this.#inputs[key];
      // Keep what the user is editing: only follow values the field still shows unchanged.
      if (!shown || input.value === text(shown[key])) input.value = text(settings[key]);
    }
    this.#shown = settings;
  }

  #guideBody(): HTMLElement {
    const copyValue = (value: string): HTMLElement =>
      h(
        'span',
        { class: 'value-row' },
        h('code', { class: 'value' }, value),
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': `Copy ${value}`, onclick: () => void this.#ctx.copy(value, value) }, 'Copy'),
      );
    return h(
      'div',
      { class: 'guide-body' },
      h('p', {}, 'tokentray signs in as a public client app that you register once in your organisation.'),
      h(
        'ol',
        { class: 'steps' },
        h(
          'li',
          {},
          h('strong', {}, 'New registration. '),
          'In the Microsoft Entra admin center open App registrations → New registration. Any name works, e.g. ',
          copyValue('tokentray'),
          ' For supported account types pick your organisation only (then set Tenant below to your tenant id) or any organisational directory.',
        ),
        h('li', {}, h('strong', {}, 'Redirect URI. '), 'Under Authentication → Add a platform choose "Mobile and desktop applications" and add ', copyValue(REDIRECT_URI)),
        h(
          'li',
          {},
          h('strong', {}, 'API permissions. '),
          'Add a permission → Microsoft Graph → Delegated permissions:',
          h('div', { class: 'permission-group' }, h('p', { class: 'permission-title' }, 'Outlook IMAP/SMTP accounts'), ...OUTLOOK_PERMISSIONS.map(copyValue)),
          h('div', { class: 'permission-group' }, h('p', { class: 'permission-title' }, 'Microsoft Graph accounts'), ...GRAPH_PERMISSIONS.map(copyValue)),
          'Grant admin consent if your organisation requires it. For SMTP, "Authenticated SMTP" must be allowed for the mailbox.',
        ),
        h('li', {}, h('strong', {}, 'Client ID. '), 'Copy the "Application (client) ID" from the Overview page into the field below and save.'),
      ),
      h(
        'p',
        { class: 'guide-links' },
        h('button', { type: 'button', class: 'btn btn-link', onclick: () => void this.#help('register-app') }, "Microsoft's registration guide"),
        h('button', { type: 'button', class: 'btn btn-link', onclick: () => void this.#help('imap-smtp-oauth') }, 'IMAP/SMTP with OAuth'),
      ),
    );
  }

  async #help(topic: 'register-app' | 'imap-smtp-oauth'): Promise<void> {
    try {
      await this.#ctx.client.openHelp(topic);
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }

  #readForm(settings: Settings): Array<[SettingKey, Settings[SettingKey]]> {
    const changes: Array<[SettingKey, Settings[SettingKey]]> = [];
    const clientId = this.#inputs.clientId.value.trim() || null;
    if (clientId !== settings.clientId) changes.push(['clientId', clientId]);
    const tenant = this.#inputs.tenant.value.trim();
    if (tenant !== settings.tenant) changes.push(['tenant', tenant]);
    const cloud = this.#inputs.cloud.value as Cloud;
    if (cloud !== settings.cloud) changes.push(['cloud', cloud]);
    const portText = this.#inputs.port.value.trim();
    const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
    if (port !== settings.port) changes.push(['port', port]);
    return changes;
  }

  #save(event: Event): void {
    event.preventDefault();
    void this.#saveChanges();
  }

  async #saveChanges(): Promise<void> {
    const settings = this.#ctx.store.state.settings ?? (await this.#ctx.store.loadSettings());
    for (const key of Object.keys(this.#errors) as FormKey[]) {
      setText(this.#errors[key], '');
      this.#inputs[key].removeAttribute('aria-invalid');
    }
    replaceChildren(this.#formOutcome);
    const changes = this.#readForm(settings);
    if (changes.length === 0) {
      this.#ctx.announce('Nothing to save.');
      return;
    }
    // Setting the first client id moves nothing; changing where sign-in goes does.
    const moving = changes.filter(([key]) => SIGN_IN_TARGET_KEYS.has(key) && !(key === 'clientId' && settings.clientId === null));
    if (moving.length > 0) {
      const accounts = this.#ctx.store.state.report?.accounts.length ?? 0;
      const confirmed = await this.#ctx.confirm({
        title: 'Change where sign-in goes?',
        body: `${moving.map(([key]) => key).join(', ')} decide${moving.length === 1 ? 's' : ''} where tokentray signs in.${
          accounts > 0
            ? ` Accounts signed in with the current settings stop getting new tokens ("signed in with another authority") until you change it back or sign them in again. Their tokens are kept.`
            : ''
        }`,
        confirmLabel: 'Change sign-in settings',
        danger: true,
      });
      if (!confirmed) {
        this.#ctx.announce('Nothing was changed.');
        return;
      }
    }
    for (const [key, value] of changes) {
      try {
        const updated = await this.#ctx.client.setSetting(key, value);
        this.#ctx.store.update({ settings: updated });
      } catch (error) {
        const err = asTokentrayError(error);
        const target = (err.details.key ?? key) as FormKey;
        if (target in this.#errors) {
          setText(this.#errors[target], `${err.message} ${err.hint}`);
          this.#inputs[target].setAttribute('aria-invalid', 'true');
          this.#inputs[target].focus();
        } else {
          replaceChildren(this.#formOutcome, errorBox(err));
        }
        return;
      }
    }
    this.#ctx.announce('Settings saved.');
    void this.#ctx.store.loadReport().catch(() => undefined);
  }

  async #copyServerUrl(): Promise<void> {
    try {
      await this.#ctx.client.copyServerUrl();
      this.#ctx.announce('EmailEngine URL copied. It contains a secret: paste it only into EmailEngine.');
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }

  async #rotate(): Promise<void> {
    const confirmed = await this.#ctx.confirm({
      title: 'Rotate the auth-server secret?',
      body: 'EmailEngine stops getting tokens until you paste the new URL into its authentication server setting. The new URL is copied for you.',
      confirmLabel: 'Rotate secret',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await this.#ctx.client.rotateServerSecret();
      this.#ctx.announce('New secret created and the new URL copied. Paste it into EmailEngine now.');
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }

  async #toggleStartAtLogin(): Promise<void> {
    const enabled = this.#startAtLogin.checked;
    try {
      this.#ctx.store.update({ settings: await this.#ctx.client.setSetting('startAtLogin', enabled) });
      this.#ctx.announce(enabled ? 'tokentray will start when you log in.' : 'tokentray will no longer start at login.');
    } catch (error) {
      this.#startAtLogin.checked = !enabled;
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }
}
