/**
 * The control channel's handshake and message protection: pure functions over the vault key.
 *
 * Both sides prove they hold the vault key without anything replayable crossing the wire:
 *
 *   client → server  hello: a fresh 32-byte nonce Nc
 *   server → client  a fresh nonce Ns and HMAC(Ka, "server" ‖ Nc ‖ Ns)
 *   client → server  HMAC(Ka, "client" ‖ Nc ‖ Ns)      (only after checking the server's)
 *
 * where Ka = HKDF(vault key, "auth"). The client proves itself last, so a fake daemon learns
 * nothing but a random nonce; the server's proof covers the client's fresh nonce, so a
 * recorded handshake proves nothing to a new client, and the server's fresh nonce makes a
 * recorded client proof worthless too.
 *
 * A relay that forwards the proofs between a real client and the real daemon completes the
 * handshake but holds no key: every later message is sealed with AES-256-GCM under keys
 * derived from both nonces and the vault key (one per direction), with the message's
 * sequence number as the GCM nonce. The relay can neither read (access tokens cross this
 * channel), change, reorder, replay nor inject a message; it can only drop the connection.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const CONTROL_PROTOCOL = 'tokentray-control-v2';
export const NONCE_BYTES = 32;
const KEY_BYTES = 32;
const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;

export type Direction = 'client-to-server' | 'server-to-client';

function derive(vaultKey: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', vaultKey, salt, `${CONTROL_PROTOCOL} ${info}`, KEY_BYTES));
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

function transcript(clientNonce: Buffer, serverNonce: Buffer): Buffer {
  return Buffer.concat([Buffer.from(CONTROL_PROTOCOL), clientNonce, serverNonce]);
}

/** The proof one side sends: bound to its role, so a proof can never be reflected back. */
export function handshakeProof(vaultKey: Buffer, role: 'server' | 'client', clientNonce: Buffer, serverNonce: Buffer): Buffer {
  const authKey = derive(vaultKey, Buffer.alloc(0), 'auth');
  return createHmac('sha256', authKey).update(role).update(transcript(clientNonce, serverNonce)).digest();
}

export function proofsMatch(expected: Buffer, presented: Buffer): boolean {
  return presented.length === expected.length && timingSafeEqual(expected, presented);
}

export interface SessionKeys {
  clientToServer: Buffer;
  serverToClient: Buffer;
}

export function sessionKeys(vaultKey: Buffer, clientNonce: Buffer, serverNonce: Buffer): SessionKeys {
  const salt = transcript(clientNonce, serverNonce);
  return { clientToServer: derive(vaultKey, salt, 'client-to-server'), serverToClient: derive(vaultKey, salt, 'server-to-client') };
}

function gcmNonce(sequence: number): Buffer {
  const nonce = Buffer.alloc(GCM_NONCE_BYTES);
  nonce.writeUIntBE(sequence, GCM_NONCE_BYTES - 6, 6);
  return nonce;
}

/** Seals message number `sequence` of one direction: ciphertext ‖ tag. */
export function seal(key: Buffer, sequence: number, plaintext: string): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, gcmNonce(sequence));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
}

/** Opens message number `sequence`; null when it was forged, changed, replayed or reordered. */
export function open(key: Buffer, sequence: number, sealed: Buffer): string | null {
  if (sealed.length < GCM_TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, gcmNonce(sequence));
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
