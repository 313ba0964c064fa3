// A certificate authority made for one run, and a leaf for 127.0.0.1/localhost signed by it, so the
// stand-ins can speak HTTPS that a spawned Node trusts through NODE_EXTRA_CA_CERTS (and the AWS CLI
// through AWS_CA_BUNDLE) — nothing is fetched and nothing outlives the run. Node cannot mint X.509
// certificates, so the machine's `openssl` does it. RSA 2048, as the certificates AWS's endpoints present.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsIdentity } from './net-listener.ts';

export interface TestCa extends TlsIdentity {
  /** PEM file of the CA certificate: the value for NODE_EXTRA_CA_CERTS / AWS_CA_BUNDLE. */
  caFile: string;
  caPem: string;
  /** Removes the files. */
  dispose(): void;
}

const LEAF_EXTENSIONS = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost'
].join('\n');

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=aws-assume-role test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign'
    );
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('leaf.key'), '-out', file('leaf.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(file('leaf.ext'), `${LEAF_EXTENSIONS}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      file('leaf.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('leaf.pem'),
      '-days',
      '2',
      '-sha256',
      '-extfile',
      file('leaf.ext')
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // The CA's key is not needed once the leaf is signed: nothing else can be issued under this CA.
  rmSync(file('ca.key'));
  return {
    caFile: file('ca.pem'),
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    key: readFileSync(file('leaf.key'), 'utf8'),
    cert: readFileSync(file('leaf.pem'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true })
  };
}
