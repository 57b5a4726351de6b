/**
 * Runs the real window (dist/renderer, built fresh from renderer/) in real Chromium, with
 * `window.tokentray` wired to a TokentrayApi in this process.
 *
 * The bridge is injected before any page script (addInitScript) and forwards every call
 * through `page.exposeBinding` to the same window backend and argument checks main uses
 * (createWindowBackend + invokeWindowMethod), so the page sees exactly what it would see in
 * Electron. The API is a parameter: the fake for the window's own tests, the real core (with
 * a real identity provider) for end-to-end runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { silentLogger } from '../../src/core/logging/logger.js';
import { ExternalLinks } from '../../src/main/external-urls.js';
import { invokeWindowMethod } from '../../src/main/ipc.js';
import { SignInSessions } from '../../src/main/sign-in-sessions.js';
import { createWindowBackend } from '../../src/main/window-backend.js';
import type { StatusReport } from '../../src/shared/account-status.js';
import { WINDOW_METHODS, type HelpTopic, type WindowMethod, type WindowView } from '../../src/shared/ipc-contract.js';
import type { TokentrayApi } from '../../src/shared/tokentray-api.js';
import type { SettingKey } from '../../src/shared/settings-shape.js';

export type HarnessApi = TokentrayApi & { onChange?(listener: (report: StatusReport) => void): () => void };

const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOT_DIR = join(ROOT, 'test-output', 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let built: string | null = null;

/** Builds the renderer from source once per test process into a temp dir; returns index.html. */
export function buildRenderer(): string {
  if (built) return built;
  const outdir = mkdtempSync(join(tmpdir(), 'tokentray-renderer-'));
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/build-renderer.mjs'), '--renderer-only', '--outdir', outdir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`renderer build failed:\n${result.stdout}\n${result.stderr}`);
  built = join(outdir, 'renderer', 'index.html');
  return built;
}

export interface ChromiumHandle {
  browser: Browser;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with HOME and XDG dirs in a temp folder it may write to. */
export async function launchChromium(): Promise<ChromiumHandle> {
  const profile = mkdtempSync(join(tmpdir(), 'tokentray-chromium-'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: join(profile, 'config'), XDG_CACHE_HOME: join(profile, 'cache'), XDG_DATA_HOME: join(profile, 'data') },
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface HarnessOptions {
  /** Reuse a browser across tests (faster); one is launched and closed with the harness otherwise. */
  browser?: Browser;
  view?: WindowView;
  colorScheme?: 'light' | 'dark';
  /** What main would do with the sign-in URL; by default it is only recorded. */
  openExternal?: (url: string) => Promise<void>;
  viewport?: { width: number; height: number };
  /** Settings main reports as overridden by TOKENTRAY_* environment variables. */
  overriddenSettings?: SettingKey[];
}

export interface WindowHarness {
  page: Page;
  context: BrowserContext;
  /** Calls the page made, in order (method and arguments as received by main). */
  calls: Array<{ method: string; args: unknown[] }>;
  /** Text put on the clipboard, URLs handed to the browser, help topics opened. */
  copied: string[];
  openedUrls: string[];
  /** Console errors, page errors (uncaught), CSP violations, and any network request attempted. */
  problems: string[];
  /** main's sign-ins, as the tray uses them: one started here shows in the window as main's. */
  signIns: SignInSessions;
  /** Pushes the API's current status to the page, as main does on every change. */
  pushStatus(report?: StatusReport): Promise<void>;
  showView(view: WindowView): Promise<void>;
  /** Saves test-output/screenshots/<name>.png; `tall` grows the window to show the whole section. */
  screenshot(name: string, options?: { tall?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** `window.tokentray` for the page: every method forwards to the `__tokentrayInvoke` binding. */
function bridgeScript(methods: readonly string[]): string {
  return `(() => {
    const invoke = (method, args) => window.__tokentrayInvoke(method, args);
    const listeners = { status: new Set(), view: new Set(), deviceCode: new Set(), signIns: new Set() };
    const bridge = {};
    for (const method of ${JSON.stringify(methods)}) bridge[method] = (...args) => invoke(method, args);
    const subscribe = (kind) => (listener) => {
      listeners[kind].add(listener);
      return () => listeners[kind].delete(listener);
    };
    bridge.onStatusChanged = subscribe('status');
    bridge.onShowView = subscribe('view');
    bridge.onDeviceCode = subscribe('deviceCode');
    bridge.onSignInsChanged = subscribe('signIns');
    Object.defineProperty(window, '__tokentrayEmit', { value: (kind, payload) => listeners[kind]?.forEach((listener) => listener(payload)) });
    Object.defineProperty(window, 'tokentray', { value: Object.freeze(bridge) });
  })();`;
}

export async function startWindowHarness(api: HarnessApi, options: HarnessOptions = {}): Promise<WindowHarness> {
  const indexHtml = buildRenderer();
  const owned = options.browser ? null : await launchChromium();
  const browser = options.browser ?? owned!.browser;
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 420, height: 560 },
    colorScheme: options.colorScheme ?? 'light',
    timezoneId: 'UTC',
    locale: 'en-GB',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);

  const calls: WindowHarness['calls'] = [];
  const copied: string[] = [];
  const openedUrls: string[] = [];
  const problems: string[] = [];

  // Tests run offline: the window must never reach the network.
  await context.route(/^(https?|wss?):/, async (route) => {
    problems.push(`network request: ${route.request().url()}`);
    await route.abort();
  });
  page.on('console', (message) => {
    // frame-ancestors only works as a header; file:// has none, so the <meta> copy is inert
    // but kept to document the intent (Chromium says so once per load).
    if (message.type() === 'error' && !message.text().includes("'frame-ancestors' is ignored")) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  const links = new ExternalLinks(
    async (url) => {
      openedUrls.push(url);
      await options.openExternal?.(url);
    },
    () => api.getSettings(),
    silentLogger,
  );
  const signIns = new SignInSessions(api, (url) => links.openSignInUrl(url), (url) => links.openVerificationUrl(url));
  const backend = createWindowBackend({
    api,
    signIns,
    copyText: (text) => void copied.push(text),
    openHelp: (topic: HelpTopic) => links.openHelp(topic),
    overriddenSettings: () => options.overriddenSettings ?? [],
  });

  await page.exposeBinding('__tokentrayInvoke', async (_source, method: unknown, args: unknown) => {
    if (typeof method !== 'string' || !(WINDOW_METHODS as string[]).includes(method) || !Array.isArray(args)) {
      return { ok: false, error: { code: 'USAGE', message: `unknown method ${String(method)}`, hint: '', details: {} } };
    }
    calls.push({ method, args });
    return invokeWindowMethod(backend, method as WindowMethod, args);
  });
  // The stand-in for the preload: same shape as createBridge's object (named functions only).
  // Plain source text, not a function: tsx would add helpers (__name) the page does not have.
  await page.addInitScript({ content: bridgeScript(WINDOW_METHODS) });

  const emit = async (kind: 'status' | 'view' | 'deviceCode' | 'signIns', payload: unknown): Promise<void> => {
    await page.evaluate(`window.__tokentrayEmit(${JSON.stringify(kind)}, ${JSON.stringify(payload)})`);
  };
  const unsubscribe = api.onChange?.((report) => {
    emit('status', report).catch(() => undefined); // the page may be closing
  });
  // As app-shell.ts does: each device code main hears goes to the window.
  const unsubscribeCodes = signIns.onDeviceCode((id, prompt) => {
    emit('deviceCode', { id, prompt }).catch(() => undefined);
  });
  // And each change of the sign-ins under way.
  const unsubscribeSignIns = signIns.onChange(() => {
    emit('signIns', [...signIns.inProgress()]).catch(() => undefined);
  });

  const url = pathToFileURL(indexHtml);
  if (options.view) url.hash = options.view;
  await page.goto(url.href);
  await page.waitForSelector('body:not(.loading)');

  return {
    page,
    context,
    calls,
    copied,
    openedUrls,
    problems,
    signIns,
    pushStatus: async (report) => emit('status', report ?? (await api.status())),
    showView: (view) => emit('view', view),
    screenshot: async (name, shotOptions) => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      const size = page.viewportSize() ?? { width: 420, height: 560 };
      if (shotOptions?.tall) {
        const extra = await page.evaluate('(() => { const m = document.getElementById("main"); return m.scrollHeight - m.clientHeight; })()');
        await page.setViewportSize({ width: size.width, height: size.height + Number(extra) });
      }
      await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
      if (shotOptions?.tall) await page.setViewportSize(size);
      return path;
    },
    close: async () => {
      unsubscribe?.();
      unsubscribeCodes();
      unsubscribeSignIns();
      await context.close();
      await owned?.close();
    },
  };
}

/** Opens a window on the shared Chromium of a test file (see windowTests). */
export type OpenWindow = (api: HarnessApi, options?: Omit<HarnessOptions, 'browser'>) => Promise<WindowHarness>;

/**
 * One Chromium for the test file and a fresh window per test, registered as the file's hooks:
 * after each test its window is closed, and the test fails if the page logged an error, broke
 * a CSP rule or made a request. `defaults` apply to every window (a starting view, say).
 */
export function windowTests(defaults: Omit<HarnessOptions, 'browser'> = {}): OpenWindow {
  let browser: ChromiumHandle | null = null;
  let current: WindowHarness | null = null;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    if (!current) return;
    const problems = [...current.problems];
    await current.close();
    current = null;
    assert.deepEqual(problems, []);
  });
  return async (api, options = {}) => {
    current = await startWindowHarness(api, { browser: browser!.browser, ...defaults, ...options });
    return current;
  };
}
