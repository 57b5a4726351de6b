/**
 * A page of the auth server's request history, for `tokentray activity [--follow]`.
 *
 * The cursor counts every request the running tokentray has recorded since it started, so a
 * follower asks "what came after N" over the request/response control channel without
 * seeing a record twice; records older than the in-memory ring are reported as `missed`.
 */
import type { RequestRecord } from './account-status.js';

export interface ActivityPage {
  /** Oldest first. */
  records: RequestRecord[];
  /** Pass back as `after` to get only what is newer. */
  cursor: number;
  /** Requests after the given cursor that are no longer in memory (the ring wrapped). */
  missed: number;
}
