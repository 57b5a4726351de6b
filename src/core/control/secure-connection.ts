/**
 * One control-channel connection after the handshake: JSON messages, sealed, in order.
 *
 * Wire format: newline-terminated lines. The three handshake lines are JSON (see
 * control-handshake.ts); every later line is base64(AES-256-GCM(JSON) ‖ tag), sequence
 * numbers counted per direction. Any line that does not open ends the connection.
 */
import type { Socket } from 'node:net';
import { TokentrayError } from '../../shared/tokentray-error.js';
import { CONTROL_PROTOCOL, NONCE_BYTES, handshakeProof, newNonce, open, proofsMatch, seal, sessionKeys } from './control-handshake.js';

/** Handshake lines are tiny; anything longer before the handshake is an attack or a mistake. */
export const MAX_HANDSHAKE_LINE_BYTES = 1024;
/** A handshake that does not finish in this time ends the connection (no idle squatters). */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

type LineHandler = (line: string) => void;

/** Splits a socket's data into lines, ending the connection when one exceeds the limit. */
class LineReader {
  #buffered = '';
  #handler: LineHandler | null = null;
  #queue: string[] = [];
  readonly maxLineBytes: number;

  constructor(socket: Socket, maxLineBytes: number) {
    this.maxLineBytes = maxLineBytes;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffered += chunk;
      for (let newline = this.#buffered.indexOf('\n'); newline >= 0; newline = this.#buffered.indexOf('\n')) {
        const line = this.#buffered.slice(0, newline);
        this.#buffered = this.#buffered.slice(newline + 1);
        if (line.length > this.maxLineBytes) {
          socket.destroy();
          return;
        }
        if (this.#handler) this.#handler(line);
        else this.#queue.push(line);
        if (socket.destroyed) return;
      }
      if (this.#buffered.length > this.maxLineBytes) socket.destroy();
    });
  }

  /** Takes lines; those that arrive while no one listens wait in order for the next handler. */
  onLine(handler: LineHandler | null): void {
    this.#handler = handler;
    while (this.#handler === handler && handler && this.#queue.length > 0) handler(this.#queue.shift()!);
  }
}

/** The next handshake line (null on close, timeout or a line too long for a handshake). */
function nextLine(socket: Socket, reader: LineReader, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const done = (line: string | null): void => {
      clearTimeout(timer);
      socket.off('close', onClose);
      reader.onLine(null);
      resolve(line);
    };
    const onClose = (): void => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.once('close', onClose);
    let answered = false;
    reader.onLine((line) => {
      if (answered) return;
      answered = true;
      done(line.length > MAX_HANDSHAKE_LINE_BYTES ? null : line);
    });
  });
}

function parseObject(line: string | null): Record<string, unknown> | null {
  if (line === null) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function hexField(message: Record<string, unknown> | null, field: string, bytes: number): Buffer | null {
  const value = message?.[field];
  if (typeof value !== 'string' || value.length !== bytes * 2 || !/^[0-9a-f]+$/.test(value)) return null;
  return Buffer.from(value, 'hex');
}

export class SecureConnection {
  readonly #socket: Socket;
  readonly #reader: LineReader;
  readonly #sendKey: Buffer;
  readonly #receiveKey: Buffer;
  #sent = 0;
  #received = 0;

  private constructor(socket: Socket, reader: LineReader, sendKey: Buffer, receiveKey: Buffer) {
    this.#socket = socket;
    this.#reader = reader;
    this.#sendKey = sendKey;
    this.#receiveKey = receiveKey;
  }

  /**
   * The command's side: sends a nonce, checks the daemon's proof, then proves itself.
   *
   * Throws DAEMON_UNTRUSTED when the peer cannot prove it holds the vault key (nothing but
   * the random nonce was sent to it), DAEMON_UNREACHABLE when it goes away or refuses.
   *
   * The key may still be on its way (a keychain read): the hello needs none, so it goes out
   * at once and the daemon's answer is awaited together with the key; the key is needed
   * only to check that answer. A key that fails ends the connection with its error.
   */
  static async connectAsClient(socket: Socket, vaultKeySource: Buffer | Promise<Buffer>, endpoint: string, maxLineBytes: number): Promise<SecureConnection> {
    const reader = new LineReader(socket, maxLineBytes);
    const clientNonce = newNonce();
    socket.write(`${JSON.stringify({ hello: CONTROL_PROTOCOL, nonce: clientNonce.toString('hex') })}\n`);
    const answer = parseObject(await nextLine(socket, reader, HANDSHAKE_TIMEOUT_MS));
    if (answer === null) {
      socket.destroy();
      throw new TokentrayError('DAEMON_UNREACHABLE', `The running tokentray at ${endpoint} did not answer the handshake.`);
    }
    let vaultKey: Buffer;
    try {
      vaultKey = await vaultKeySource;
    } catch (error) {
      socket.destroy();
      throw error;
    }
    if (answer.refused === 'not-ready') {
      socket.destroy();
      throw new TokentrayError('DAEMON_UNREACHABLE', 'A tokentray daemon is running but has not created its vault yet.');
    }
    const serverNonce = hexField(answer, 'nonce', NONCE_BYTES);
    const proof = hexField(answer, 'proof', 32);
    if (!serverNonce || !proof || !proofsMatch(handshakeProof(vaultKey, 'server', clientNonce, serverNonce), proof)) {
      socket.destroy();
      throw new TokentrayError('DAEMON_UNTRUSTED', `The process answering at ${endpoint} could not prove it holds this data directory's vault key; nothing was sent to it.`, {
        details: { endpoint },
      });
    }
    socket.write(`${JSON.stringify({ proof: handshakeProof(vaultKey, 'client', clientNonce, serverNonce).toString('hex') })}\n`);
    const keys = sessionKeys(vaultKey, clientNonce, serverNonce);
    return new SecureConnection(socket, reader, keys.clientToServer, keys.serverToClient);
  }

  /**
   * The daemon's side: answers a hello with its proof, then checks the client's.
   *
   * Resolves null (and ends the connection) when the client fails; nothing it sent is
   * acted on. A daemon without a vault key yet refuses everyone.
   */
  static async acceptAsServer(socket: Socket, vaultKey: () => Buffer | null, maxLineBytes: number): Promise<SecureConnection | null> {
    const reader = new LineReader(socket, maxLineBytes);
    const hello = parseObject(await nextLine(socket, reader, HANDSHAKE_TIMEOUT_MS));
    const clientNonce = hello?.hello === CONTROL_PROTOCOL ? hexField(hello, 'nonce', NONCE_BYTES) : null;
    if (!clientNonce) {
      socket.destroy();
      return null;
    }
    const key = vaultKey();
    if (!key) {
      socket.end(`${JSON.stringify({ refused: 'not-ready' })}\n`);
      return null;
    }
    const serverNonce = newNonce();
    socket.write(`${JSON.stringify({ nonce: serverNonce.toString('hex'), proof: handshakeProof(key, 'server', clientNonce, serverNonce).toString('hex') })}\n`);
    const proof = hexField(parseObject(await nextLine(socket, reader, HANDSHAKE_TIMEOUT_MS)), 'proof', 32);
    if (!proof || !proofsMatch(handshakeProof(key, 'client', clientNonce, serverNonce), proof)) {
      socket.destroy();
      return null;
    }
    const keys = sessionKeys(key, clientNonce, serverNonce);
    return new SecureConnection(socket, reader, keys.serverToClient, keys.clientToServer);
  }

  send(message: unknown): void {
    if (this.#socket.destroyed) return;
    this.#socket.write(`${seal(this.#sendKey, this.#sent++, JSON.stringify(message)).toString('base64')}\n`);
  }

  /** Every message, in order; a line that does not open (forged, replayed, reordered) ends the connection. */
  onMessage(handler: (message: unknown) => void): void {
    this.#reader.onLine((line) => {
      const plain = open(this.#receiveKey, this.#received++, Buffer.from(line, 'base64'));
      let message: unknown;
      try {
        if (plain === null) throw new Error('unauthenticated');
        message = JSON.parse(plain);
      } catch {
        this.#socket.destroy();
        return;
      }
      handler(message);
    });
  }

  end(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  get socket(): Socket {
    return this.#socket;
  }
}
