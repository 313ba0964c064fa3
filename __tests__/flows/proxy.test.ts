// A proxy that is configured is used (whatever the case of its scheme) or the step fails; never bypassed.
import { startProxy, type ProxyServer } from '../support/proxy-server.ts';
import { role, startWorld, type World } from '../support/world.ts';

let world: World;
let proxy: ProxyServer;
beforeAll(async () => {
  world = await startWorld();
  proxy = await startProxy({ user: 'ci', password: 'pr0xy-s3cret' });
});
afterAll(async () => {
  await Promise.all([world.close(), proxy.close()]);
});

const upperScheme = (url: string): string => url.replace(/^http:/, 'HTTP:');

test.each([
  ['the http-proxy input', (url: string) => ({ inputs: { 'http-proxy': url }, env: {} })],
  ['HTTPS_PROXY', (url: string) => ({ inputs: {}, env: { HTTPS_PROXY: url } })]
])('an upper-case scheme in %s still sends STS and the OIDC token request through the proxy', async (_label, given) => {
  const seen = proxy.requests.length;
  const { inputs, env } = given(upperScheme(proxy.url));
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), ...inputs }, { env });
  expect(result.errors).toEqual([]);
  const through = proxy.requests.slice(seen).map(r => r.target);
  expect(through).toEqual(expect.arrayContaining([expect.stringContaining(`127.0.0.1:${world.sts.port}`), expect.stringContaining('/token')]));
  expect(result.stdout).toContain('through the proxy');
});

test('a proxy password with a stray % is an input error naming http-proxy, before any call, never quoting it', async () => {
  const calls = world.sts.calls.length;
  const requests = world.oidc.requests;
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'http-proxy': `http://ci:50%zz-s3cret@127.0.0.1:${proxy.port}` });
  expect(result.errors).toEqual(['Invalid input: http-proxy: the value has a user name or password with a % that is not a %XX escape; write a literal % as %25']);
  expect(world.sts.calls.length).toBe(calls);
  expect(world.oidc.requests).toBe(requests);
});
