/**
 * Activity: the auth server's recent requests (time, account, protocol, outcome, latency).
 * Only metadata is ever recorded; there is nothing secret to show.
 */
import type { RequestRecord } from '../src/shared/account-status.js';
import type { AppContext } from './context.js';
import { h, replaceChildren, setText } from './dom.js';
import { formatAgo, formatClockSeconds, outcomeLabel, protoLabel } from './format.js';
import type { AppState } from './store.js';
import { asTokentrayError } from './ui.js';

export class ActivityView {
  readonly #ctx: AppContext;
  readonly #summary: HTMLElement;
  readonly #body: HTMLTableSectionElement;
  readonly #table: HTMLElement;
  readonly #empty: HTMLElement;
  #shown: readonly RequestRecord[] | null = null;

  constructor(panel: HTMLElement, ctx: AppContext) {
    this.#ctx = ctx;
    this.#summary = h('p', { class: 'activity-summary', 'aria-live': 'polite' });
    this.#body = h('tbody');
    this.#table = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'activity-table' },
        h('caption', { class: 'visually-hidden' }, 'Recent token requests from EmailEngine, newest first'),
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Account'), h('th', { scope: 'col' }, 'Proto'), h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col', class: 'num', title: 'How long the answer waited for a token refresh (0: served from memory)' }, 'ms')),
        ),
        this.#body,
      ),
    );
    this.#empty = h(
      'div',
      { class: 'empty', hidden: true },
      h('div', { class: 'empty-art empty-art-activity', 'aria-hidden': 'true' }),
      h('h2', { class: 'empty-title' }, 'No requests yet'),
      h('p', { class: 'empty-text' }, 'When EmailEngine asks tokentray for a token, the request shows up here.'),
    );
    replaceChildren(
      panel,
      h(
        'div',
        { class: 'toolbar' },
        h('h2', { class: 'section-title' }, 'Recent requests'),
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', id: 'activity-refresh', onclick: () => void this.refresh(true) }, 'Refresh'),
      ),
      this.#summary,
      this.#empty,
      this.#table,
    );
  }

  async refresh(announce = false): Promise<void> {
    try {
      await this.#ctx.store.loadRequests();
      if (announce) this.#ctx.announce('Activity refreshed.');
    } catch (error) {
      this.#ctx.announce(asTokentrayError(error).message, 'error');
    }
  }

  render(state: AppState): void {
    const requests = [...state.requests].sort((a, b) => b.at - a.at);
    const now = this.#ctx.now();
    const failed = requests.filter((request) => request.outcome !== 'ok').length;
    setText(
      this.#summary,
      requests.length === 0 ? '' : `${requests.length} request${requests.length === 1 ? '' : 's'}, ${failed === 0 ? 'all OK' : `${failed} failed`} · latest ${formatAgo(requests[0]!.at, now)}`,
    );
    this.#empty.hidden = requests.length > 0;
    this.#table.hidden = requests.length === 0;
    if (this.#shown === state.requests) return;
    this.#shown = state.requests;
    const providers = new Map((state.report?.accounts ?? []).map((account) => [account.id, account.provider]));
    replaceChildren(
      this.#body,
      ...requests.map((request) =>
        h(
          'tr',
          { class: request.outcome === 'ok' ? '' : 'is-error' },
          h('td', { class: 'mono' }, formatClockSeconds(request.at)),
          h('td', {}, request.account),
          h('td', {}, protoLabel(request.proto, providers.get(request.account))),
          h('td', {}, h('span', { class: `outcome-chip ${request.outcome === 'ok' ? 'tone-ok' : 'tone-error'}`, title: request.outcome }, outcomeLabel(request.outcome))),
          h('td', { class: 'num mono' }, String(Math.round(request.latencyMs))),
        ),
      ),
    );
  }
}
