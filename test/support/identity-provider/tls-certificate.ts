/**
 * A throwaway self-signed TLS certificate for the loopback identity provider.
 *
 * MSAL only accepts an https authority, so the provider needs a certificate that the process
 * under test can be told to trust: in-process through a `ca` option, in a child process through
 * `NODE_EXTRA_CA_CERTS=<caCertPath>`. The certificate is its own trust anchor (cA: true), which is
 * what OpenSSL needs to accept a self-signed leaf found in the extra CA store.
 */
import { writeFile } from 'node:fs/promises';
import { generate } from 'selfsigned';

/** Long enough for any test run, short enough that a leaked file is useless. */
const CERTIFICATE_VALIDITY_MS = 2 * 24 * 60 * 60 * 1000;

export interface LoopbackCertificate {
  certPem: string;
  keyPem: string;
}

/** Generates a certificate valid for 127.0.0.1, ::1 and localhost. */
export async function generateLoopbackCertificate(now: Date = new Date()): Promise<LoopbackCertificate> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + CERTIFICATE_VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/** Writes the certificate where a child process can find it (`NODE_EXTRA_CA_CERTS`). */
export async function writeCertificateFile(path: string, certPem: string): Promise<void> {
  await writeFile(path, certPem, { mode: 0o644 });
}
