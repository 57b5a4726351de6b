/**
 * Shows desktop notifications: the de-duplicated notices of notification-policy.ts, and
 * one-off messages (an action's outcome).
 */
import type { RequestRecord, StatusReport } from '../shared/account-status.js';
import type { ElectronApi, NotificationLike } from './electron-api.js';
import { currentNotices, selectNotices } from './notification-policy.js';
import type { TrayAction } from './tray-model.js';

/** Notifications kept referenced so their click handler survives garbage collection. */
const KEPT_NOTIFICATIONS = 10;

export class Notifier {
  readonly #electron: Pick<ElectronApi, 'Notification'>;
  readonly #onClick: (action: TrayAction) => void;
  #lastShown = new Map<string, number>();
  readonly #kept: NotificationLike[] = [];

  constructor(electron: Pick<ElectronApi, 'Notification'>, onClick: (action: TrayAction) => void) {
    this.#electron = electron;
    this.#onClick = onClick;
  }

  /** Shows whatever the current status deserves and was not shown within the quiet period. */
  update(report: StatusReport, recentRequests: readonly RequestRecord[], now: number): void {
    const { show, lastShown } = selectNotices(currentNotices(report, recentRequests, now), this.#lastShown, now);
    this.#lastShown = lastShown;
    for (const notice of show) this.show(notice.title, notice.body, notice.action);
  }

  show(title: string, body: string, action: TrayAction | null = null): void {
    if (!this.#electron.Notification.isSupported()) return;
    const notification = new this.#electron.Notification({ title, body });
    if (action) notification.on('click', () => this.#onClick(action));
    notification.show();
    this.#kept.push(notification);
    if (this.#kept.length > KEPT_NOTIFICATIONS) this.#kept.shift();
  }
}
