/**
 * The main-process end of the IPC contract: one `ipcMain.handle` per WindowApi method.
 *
 * Each handler first checks the sender (only our own window's page may call), then checks the
 * arguments' shape (the page is treated as untrusted input), then calls the window backend.
 * Results and TokentrayErrors both travel as an `IpcResult` envelope of plain data.
 */
import { isScopeProfile } from '../shared/providers.js';
import { redact, type Logger } from '../core/logging/logger.js';
import { SETTING_KEYS, type SettingKey } from '../shared/settings-shape.js';
import {
  IPC_CHANNELS,
  WINDOW_METHODS,
  isHelpTopic,
  type IpcErrorData,
  type IpcRequest,
  type IpcResult,
  type WindowApi,
  type WindowMethod,
} from '../shared/ipc-contract.js';
import { TokentrayError, isTokentrayError } from '../shared/tokentray-error.js';
import type { ConnectRequest } from '../shared/tokentray-api.js';
import type { IpcInvokeEventLike, IpcMainLike } from './electron-api.js';

/** The most request records the window may ask for at once. */
export const MAX_RECENT_REQUESTS = 500;
/** Longer than any OAuth client secret (Google's are 35 characters); the core checks the shape. */
export const MAX_CLIENT_SECRET_CHARS = 512;

export function toIpcErrorData(error: unknown): IpcErrorData {
  if (isTokentrayError(error)) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return new TokentrayError('INTERNAL', `Unexpected error: ${redact(message)}`).toJSON();
}

type ArgumentCheck<M extends WindowMethod> = (args: readonly unknown[]) => IpcRequest<M> | null;

const isString = (value: unknown): value is string => typeof value === 'string';
const isOptionalString = (value: unknown): value is string | null | undefined => value === undefined || value === null || isString(value);

function connectRequest(value: unknown): ConnectRequest | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, email, profile, sharedMailbox, deviceCode } = value as Record<string, unknown>;
  if (!isString(id) || !isOptionalString(email) || !isOptionalString(sharedMailbox)) return null;
  if (profile !== undefined && !isScopeProfile(profile)) return null;
  if (deviceCode !== undefined && typeof deviceCode !== 'boolean') return null;
  // Rebuilt field by field: nothing else the page put on the object reaches the core.
  // The provider follows from the profile (the core derives it).
  const request: ConnectRequest = { id, email: email ?? null, profile: profile ?? 'outlook', sharedMailbox: sharedMailbox ?? null };
  if (deviceCode === true) request.deviceCode = true;
  return request;
}

/** EmailEngine's URL and API token as the window sends them (rebuilt: nothing else passes). */
function emailEngineRequest(value: unknown): { url: string; token: string; replace: boolean } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { url, token, replace } = value as Record<string, unknown>;
  if (!isString(url) || !isString(token) || (replace !== undefined && typeof replace !== 'boolean')) return null;
  if (url.length > 2048 || token.length > 1024) return null;
  return { url, token, replace: replace === true };
}

const none = <M extends WindowMethod>(): ArgumentCheck<M> => () => [] as unknown as IpcRequest<M>;
const oneId = <M extends 'cancelSignIn' | 'removeAccount' | 'openDeviceCodePage' | 'awaitSignIn'>(): ArgumentCheck<M> => (args) =>
  isString(args[0]) ? ([args[0]] as IpcRequest<M>) : null;

const ARGUMENT_CHECKS: { [M in WindowMethod]: ArgumentCheck<M> } = {
  status: none(),
  listAccounts: none(),
  getSettings: none(),
  runDiagnostics: none(),
  emailEngineOrphans: none(),
  disconnectEmailEngine: none(),
  emailEngineStatus: (args) => (args[0] === undefined ? [] : typeof args[0] === 'boolean' ? [args[0]] : null),
  checkEmailEngine: (args) => {
    const request = emailEngineRequest(args[0]);
    return request ? [{ url: request.url, token: request.token }] : null;
  },
  connectEmailEngine: (args) => {
    const request = emailEngineRequest(args[0]);
    return request ? [request] : null;
  },
  settingOverrides: none(),
  copyServerUrl: none(),
  rotateServerSecret: none(),
  cancelSignIn: oneId(),
  removeAccount: oneId(),
  openDeviceCodePage: oneId(),
  awaitSignIn: oneId(),
  pendingSignIns: none(),
  connectAccount: (args) => {
    const request = connectRequest(args[0]);
    return request ? [request] : null;
  },
  setSetting: (args) => {
    const [key, value] = args;
    if (!isString(key) || !(SETTING_KEYS as readonly string[]).includes(key) || value === undefined) return null;
    return [key as SettingKey, value as never];
  },
  recentRequests: (args) => {
    const [limit] = args;
    if (limit === undefined) return [];
    return typeof limit === 'number' && Number.isInteger(limit) && limit > 0 && limit <= MAX_RECENT_REQUESTS ? [limit] : null;
  },
  setClientSecret: (args) => {
    const [provider, secret] = args;
    if (provider !== 'google' || args.length !== 2) return null;
    if (secret === null) return ['google', null];
    return isString(secret) && secret.length <= MAX_CLIENT_SECRET_CHARS ? ['google', secret] : null;
  },
  copyText: (args) => (isString(args[0]) ? [args[0]] : null),
  openHelp: (args) => (isHelpTopic(args[0]) ? [args[0]] : null),
};

/**
 * Runs one window call: argument check, backend call, envelope.
 *
 * Shared by the IPC handlers and the renderer test harness, so both see the same behaviour.
 */
export async function invokeWindowMethod<M extends WindowMethod>(backend: WindowApi, method: M, args: readonly unknown[]): Promise<IpcResult<unknown>> {
  const check = ARGUMENT_CHECKS[method] as ArgumentCheck<M> | undefined;
  const checked = check ? check(args) : null;
  if (!checked) {
    return { ok: false, error: new TokentrayError('USAGE', `The window sent invalid arguments for ${method}.`, { hint: 'This is a bug in tokentray: please report it.' }).toJSON() };
  }
  try {
    const call = backend[method] as (...callArgs: unknown[]) => Promise<unknown>;
    const value = await call.apply(backend, checked as unknown[]);
    return { ok: true, value: value ?? null };
  } catch (error) {
    return { ok: false, error: toIpcErrorData(error) };
  }
}

/** Registers every handler; returns a function that removes them again. */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  backend: WindowApi,
  isTrustedSender: (event: IpcInvokeEventLike) => boolean,
  logger: Logger,
): () => void {
  for (const method of WINDOW_METHODS) {
    ipcMain.handle(IPC_CHANNELS[method], async (event, ...args) => {
      if (!isTrustedSender(event)) {
        logger.warn('refused an IPC call from an unknown sender', { method, url: event.senderFrame?.url ?? null });
        throw new Error(`tokentray: ${method} refused: unknown sender`);
      }
      return invokeWindowMethod(backend, method, args);
    });
  }
  return () => {
    for (const method of WINDOW_METHODS) ipcMain.removeHandler(IPC_CHANNELS[method]);
  };
}
