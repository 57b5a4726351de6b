/**
 * The window's entry point: wires the four sections, the tabs and the live updates.
 *
 * Talks to main only through `window.tokentray` (the preload's bridge, or the test harness's
 * stand-in). Keyboard: Tab into the tab list, arrows/Home/End between tabs, Enter or Space to
 * open one, Ctrl/Cmd+1…4 from anywhere; Escape cancels a waiting sign-in or closes a dialog.
 */
import { WINDOW_VIEWS, isWindowView, type WindowView } from '../src/shared/ipc-contract.js';
import { AccountsView } from './accounts-view.js';
import { ActivityView } from './activity-view.js';
import { createWindowClient } from './client.js';
import { ConnectView } from './connect-view.js';
import type { AppContext } from './context.js';
import { byId, replaceChildren, setText, h } from './dom.js';
import { SettingsView } from './settings-view.js';
import { Store, type AppState } from './store.js';
import { ConfirmDialog, Toast, asTokentrayError, errorBox } from './ui.js';

/** Countdowns ("valid for 52 min", "3 min ago") are re-rendered this often. */
const TICK_MS = 1000;
/** Fallback poll in case an update from main was missed (main pushes changes as they happen). */
const POLL_MS = 30_000;

class Tabs {
  readonly #tabs: Map<WindowView, HTMLButtonElement>;
  readonly #panels: Map<WindowView, HTMLElement>;
  readonly #onShow: (view: WindowView) => void;
  #current: WindowView = 'accounts';

  constructor(onShow: (view: WindowView) => void) {
    this.#onShow = onShow;
    this.#tabs = new Map(WINDOW_VIEWS.map((view) => [view, byId<HTMLButtonElement>(`tab-${view}`)]));
    this.#panels = new Map(WINDOW_VIEWS.map((view) => [view, byId(`panel-${view}`)]));
    for (const [view, tab] of this.#tabs) {
      tab.addEventListener('click', () => this.show(view));
      tab.addEventListener('keydown', (event) => this.#key(event, view));
    }
  }

  get current(): WindowView {
    return this.#current;
  }

  tab(view: WindowView): HTMLButtonElement {
    return this.#tabs.get(view)!;
  }

  panel(view: WindowView): HTMLElement {
    return this.#panels.get(view)!;
  }

  show(view: WindowView): void {
    this.#current = view;
    for (const [name, tab] of this.#tabs) {
      const selected = name === view;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      this.#panels.get(name)!.hidden = !selected;
    }
    history.replaceState(null, '', `#${view}`);
    this.#onShow(view);
  }

  #key(event: KeyboardEvent, view: WindowView): void {
    const index = WINDOW_VIEWS.indexOf(view);
    let next: number | null = null;
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (index + 1) % WINDOW_VIEWS.length;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = (index - 1 + WINDOW_VIEWS.length) % WINDOW_VIEWS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = WINDOW_VIEWS.length - 1;
    if (next === null) return;
    event.preventDefault();
    const target = WINDOW_VIEWS[next]!;
    this.show(target);
    this.tab(target).focus();
  }
}

function renderHeader(state: AppState): void {
  const pill = byId('server-pill');
  const report = state.report;
  if (!report) return;
  const running = report.server.running;
  pill.classList.toggle('tone-ok', running);
  pill.classList.toggle('tone-error', !running);
  setText(byId('server-pill-text'), running ? 'Auth server running' : 'Auth server stopped');
  pill.title = running ? (report.server.url ?? '') : (report.server.error ?? 'not running');
  const attention = report.accounts.filter((account) => account.state.kind === 'needs-sign-in' || account.state.kind === 'signed-out').length;
  const badge = byId('tab-accounts-badge');
  badge.hidden = attention === 0;
  setText(badge, String(attention));
  byId('tab-accounts').setAttribute('aria-label', attention === 0 ? 'Accounts' : `Accounts, ${attention} need${attention === 1 ? 's' : ''} sign-in`);
}

export function startApp(): void {
  const bridge = window.tokentray;
  const main = byId('main');
  if (!bridge) {
    document.body.classList.remove('loading');
    replaceChildren(main, errorBox(new Error('The window was opened without its preload: it cannot reach tokentray.')));
    return;
  }
  const client = createWindowClient(bridge);
  const store = new Store(client);
  const toast = new Toast(byId('toast'), byId('toast-alert'));
  const dialog = new ConfirmDialog(byId<HTMLDialogElement>('confirm-dialog'));

  let tabs: Tabs | null = null;
  const ctx: AppContext = {
    client,
    store,
    now: () => Date.now(),
    showView: (view, options) => {
      if (!tabs) return;
      tabs.show(view);
      if (options?.focus === 'tab') tabs.tab(view).focus();
      if (options?.section && view === 'settings') settings.reveal(options.section);
      else if (options?.focus === 'panel') focusPanel(view);
    },
    announce: (message, kind) => toast.show(message, kind),
    signInWithCode: (request) => {
      ctx.showView('connect');
      connect.signInWithCode(request);
    },
    confirm: (options) => dialog.ask(options),
    copy: async (text, what) => {
      try {
        await client.copyText(text);
        toast.show(`${what} copied.`);
      } catch (error) {
        toast.show(asTokentrayError(error).message, 'error');
      }
    },
  };

  const accounts = new AccountsView(byId('panel-accounts'), ctx);
  const connect = new ConnectView(byId('panel-connect'), ctx);
  const settings = new SettingsView(byId('panel-settings'), ctx);
  const activity = new ActivityView(byId('panel-activity'), ctx);

  /** Moves focus into a section: its natural first field, else its first control. */
  const focusPanel = (view: WindowView): void => {
    const panel = tabs?.panel(view);
    const first = panel?.querySelector<HTMLElement>('button:not([hidden]):not([disabled]), input:not([disabled]), summary');
    const target = view === 'connect' ? connect.firstField : view === 'settings' ? settings.firstField : (first ?? panel);
    target?.focus();
  };

  tabs = new Tabs((view) => {
    if (view === 'activity') void activity.refresh();
  });

  const renderAll = (state: AppState): void => {
    renderHeader(state);
    accounts.render(state);
    connect.render(state);
    settings.render(state);
    activity.render(state);
    document.body.classList.toggle('loading', state.report === null);
  };
  store.subscribe(renderAll);

  bridge.onStatusChanged((report) => {
    store.update({ report });
    void store.loadRequests().catch(() => undefined);
  });
  bridge.onShowView((view) => ctx.showView(view, { focus: 'tab' }));
  bridge.onSignInsChanged((ids) => store.setSignInsUnderWay(ids));

  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const index = Number(event.key) - 1;
    const view = WINDOW_VIEWS[index];
    if (view) {
      event.preventDefault();
      ctx.showView(view, { focus: 'tab' });
    }
  });

  const initial = location.hash.slice(1);
  tabs.show(isWindowView(initial) ? initial : 'accounts');

  store.loadAll().catch((error: unknown) => {
    document.body.classList.remove('loading');
    replaceChildren(main, h('div', { class: 'panel-error' }, errorBox(error)));
  });
  setInterval(() => renderAll(store.state), TICK_MS);
  setInterval(() => {
    void store.loadReport().catch(() => undefined);
    if (tabs?.current === 'activity') void store.loadRequests().catch(() => undefined);
  }, POLL_MS);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', startApp);
else startApp();
