/**
 * A self-signed TLS certificate for 127.0.0.1 made with the machine's `openssl`, once per test
 * process, for HTTPS fakes and emulators. Clients trust it explicitly (an agent with `ca`); TLS
 * verification is never turned off.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:https';

export interface LocalTlsCertificate {
  readonly key: string;
  readonly cert: string;
}

let made: LocalTlsCertificate | undefined;

/** The process's certificate for 127.0.0.1 and localhost (made on first call). */
export function localTlsCertificate(): LocalTlsCertificate {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'infrakey-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore', timeout: 20_000 },
    );
    made = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An HTTPS agent that trusts exactly `ca` (keep-alive off by default, so servers stop promptly). */
export function trustingAgent(ca: string, keepAlive = false): Agent {
  return new Agent({ ca, keepAlive });
}
