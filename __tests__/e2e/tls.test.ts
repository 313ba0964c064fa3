// The built action against HTTPS stand-ins (a CA made for the run, trusted through NODE_EXTRA_CA_CERTS
// as a runner's custom CA would be): one TCP connection and one TLS handshake per host, the STS one
// opened while the OIDC token is still being answered and reused by GetCallerIdentity.
import { makeTestCa, type TestCa } from '../support/test-ca.ts';
import { role, startWorld, USER, type World } from '../support/world.ts';

let ca: TestCa;
let world: World;
beforeAll(async () => {
  ca = makeTestCa();
  const listener = { tls: { key: ca.key, cert: ca.cert } };
  world = await startWorld({ sts: { listener }, oidc: { listener } });
});
afterAll(async () => {
  await world.close();
  ca.dispose();
});

const counts = (): number[] => [world.oidc.counts.connections, world.oidc.counts.handshakes, world.sts.counts.connections, world.sts.counts.handshakes];
const since = (before: number[]): number[] => counts().map((n, i) => n - (before[i] ?? 0));

test('OIDC over TLS: one connection and one handshake per host, the STS one opened before the token is answered', async () => {
  world.oidc.addFault({ kind: 'delay', ms: 300, times: 1 });
  const before = counts();
  const stsConnections = world.sts.connectedAt.length;
  const result = await world.step({ 'role-to-assume': role('gha-deploy') }, { env: { NODE_EXTRA_CA_CERTS: ca.caFile } });
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(since(before)).toEqual([1, 1, 1, 1]);
  expect(world.sts.connectedAt[stsConnections]).toBeLessThan(world.oidc.issued.at(-1)?.at ?? Number.NaN);
});

test('stored keys over TLS: AssumeRole and GetCallerIdentity share one connection and one handshake', async () => {
  const before = counts();
  const result = await world.step(
    { 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey },
    { oidc: false, env: { NODE_EXTRA_CA_CERTS: ca.caFile } }
  );
  expect(result.errors).toEqual([]);
  expect(since(before)).toEqual([0, 0, 1, 1]);
});

test('without the CA the certificate is refused, and nothing is exported', async () => {
  const result = await world.step({ 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey }, { oidc: false });
  expect(result.exitCode).toBe(1);
  expect(result.errors.join('\n')).toMatch(/certificate/i);
  expect(result.env).toEqual({});
});
