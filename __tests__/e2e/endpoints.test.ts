// The built action behind a proxy that reaches nothing but this machine: the host it asks the proxy
// for is the STS host the SDK's rules give (FIPS, partitions), and never one from ~/.aws/config.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxy, type ProxyServer } from '../support/proxy-server.ts';
import { startSts, type StsServer } from '../support/sts-server.ts';
import { role, startWorld, USER, type World } from '../support/world.ts';

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

let world: World;
let proxy: ProxyServer;
let trap: StsServer;
beforeAll(async () => {
  [world, proxy, trap] = await Promise.all([startWorld(), startProxy({ reachable: host => host === '127.0.0.1' }), startSts()]);
});
afterAll(() => Promise.all([world.close(), proxy.close(), trap.close()]));

/** The hosts the step asked the proxy to tunnel to. */
async function tunnelledHosts(inputs: Record<string, string>, env: Record<string, string> = {}, home?: string): Promise<string[]> {
  const before = proxy.requests.length;
  await world.step({ 'sts-endpoint': '', 'http-proxy': proxy.url, 'no-proxy': '127.0.0.1', 'retry-max-attempts': '1', ...inputs }, { env, ...(home ? { home } : {}) });
  return proxy.requests.slice(before).map(r => `${r.method} ${r.target}`);
}

test.each([
  ['us-east-1', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'sts-fips.us-east-1.amazonaws.com:443'],
  ['us-gov-west-1', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'sts.us-gov-west-1.amazonaws.com:443'],
  ['us-east-1', { AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'sts.us-east-1.api.aws:443'],
  ['us-iso-east-1', {}, 'sts.us-iso-east-1.c2s.ic.gov:443'],
  ['eusc-de-east-1', {}, 'sts.eusc-de-east-1.amazonaws.eu:443']
])('%s %j: the proxy is asked for %s', async (region, env, host) => {
  expect(await tunnelledHosts({ ...KEYS, 'aws-region': region }, env)).toEqual([`CONNECT ${host}`]);
});

test('an endpoint_url in ~/.aws/config never receives the OIDC token or a signed request', async () => {
  const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-config-endpoint-'));
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'config'), `[default]\nendpoint_url = ${trap.url}\nservices = local\n\n[services local]\nsts =\n  endpoint_url = ${trap.url}\n`);
  const hosts = await tunnelledHosts({ 'role-to-assume': role('gha-deploy') }, {}, home);
  expect(hosts).toEqual(['CONNECT sts.us-east-1.amazonaws.com:443']);
  expect(trap.calls).toEqual([]);
});
