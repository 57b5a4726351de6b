/**
 * Settings → Checks: the same checks as `tokentray doctor`, run by the core on request, each
 * with what was found and, for a failure, what to do.
 */
import type { DiagnosticReport } from '../src/shared/diagnostics.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText } from './dom.js';
import { errorBox } from './ui.js';
import { CHECK_OUTCOME_VIEW } from './format.js';

export class ChecksPanel {
  readonly element: HTMLElement;
  readonly #ctx: AppContext;
  readonly #list: HTMLElement;
  readonly #summary: HTMLElement;
  readonly #run: HTMLButtonElement;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#summary = h('p', { class: 'field-help', id: 'checks-summary', role: 'status' }, 'Checks the keychain, the vault, the Azure app, the sign-in authority, the port and every account.');
    this.#list = h('ul', { class: 'checks-list', id: 'checks-list', 'aria-labelledby': 'checks-heading' });
    this.#run = h('button', { type: 'button', class: 'btn btn-secondary', id: 'run-checks', onclick: () => void this.run() }, 'Run checks');
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'checks-heading', id: 'checks-card' },
      h('h2', { id: 'checks-heading', class: 'section-title' }, 'Checks'),
      this.#summary,
      this.#list,
      h('div', { class: 'card-actions' }, this.#run),
    );
  }

  async run(): Promise<void> {
    this.#run.disabled = true;
    setText(this.#run, 'Checking…');
    try {
      this.#show(await this.#ctx.client.runDiagnostics());
    } catch (error) {
      replaceChildren(this.#list, h('li', {}, errorBox(error)));
    } finally {
      this.#run.disabled = false;
      setText(this.#run, 'Run checks again');
    }
  }

  #show(report: DiagnosticReport): void {
    const failures = report.checks.filter((check) => check.outcome === 'fail').length;
    setText(this.#summary, failures === 0 ? 'All checks passed.' : `${failures} problem${failures === 1 ? '' : 's'} to fix.`);
    this.#summary.classList.toggle('is-error', failures > 0);
    replaceChildren(
      this.#list,
      ...report.checks.map((check) => {
        const outcome = CHECK_OUTCOME_VIEW[check.outcome];
        return h(
          'li',
          { class: `check-item outcome-${check.outcome}`, 'data-check': check.subject ? `${check.id}:${check.subject}` : check.id, 'data-code': check.code ?? undefined },
          h('span', { class: `badge ${outcome.tone}` }, outcome.label),
          h('span', { class: 'check-title' }, check.title),
          h('span', { class: 'check-message' }, check.message),
          check.fix && check.outcome !== 'ok' ? h('p', { class: 'check-fix' }, check.fix) : null,
        );
      }),
    );
  }
}
