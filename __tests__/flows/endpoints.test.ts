// Where STS is called: named endpoints in their order, the SDK's partition rules (FIPS, dual-stack)
// otherwise, and the proxy decision on the URL actually called. The run's STS connection is recorded,
// then pointed at the stand-in, so nothing leaves this machine.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '../../src/ports.js';
import type { StsConnection } from '../../src/types.js';
import { startProxy, type ProxyServer } from '../support/proxy-server.ts';
import { role, startWorld, USER, type World } from '../support/world.ts';

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

let world: World;
let proxy: ProxyServer;
beforeAll(async () => {
  [world, proxy] = await Promise.all([startWorld(), startProxy()]);
});
afterAll(() => Promise.all([world.close(), proxy.close()]));

/** Records each STS connection the run opens, and sends its calls to `to` directly. */
function recorded(to: World): { seen: StsConnection[]; adapt: (rt: Runtime) => Runtime } {
  const seen: StsConnection[] = [];
  return { seen, adapt: rt => ({ ...rt, connectSts: c => (seen.push(c), rt.connectSts({ ...c, endpoint: to.sts.url, agent: undefined })) }) };
}

const planLine = (stdout: string): string => stdout.split('\n').find(line => line.startsWith('Plan: ')) ?? '';

describe('the partition endpoint, as the SDK resolves it', () => {
  test.each([
    ['us-east-1', {}, 'https://sts.us-east-1.amazonaws.com', "the aws partition's endpoint"],
    ['us-east-1', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://sts-fips.us-east-1.amazonaws.com', "the aws partition's FIPS endpoint"],
    ['us-gov-west-1', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://sts.us-gov-west-1.amazonaws.com', "the aws-us-gov partition's FIPS endpoint"],
    ['us-east-1', { AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://sts.us-east-1.api.aws', "the aws partition's dual-stack endpoint"],
    ['us-west-2', { AWS_USE_FIPS_ENDPOINT: 'true', AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://sts-fips.us-west-2.api.aws', "the aws partition's FIPS dual-stack endpoint"],
    ['cn-north-1', {}, 'https://sts.cn-north-1.amazonaws.com.cn', "the aws-cn partition's endpoint"],
    ['us-iso-east-1', {}, 'https://sts.us-iso-east-1.c2s.ic.gov', "the aws-iso partition's endpoint"],
    ['us-isob-east-1', {}, 'https://sts.us-isob-east-1.sc2s.sgov.gov', "the aws-iso-b partition's endpoint"],
    ['eu-isoe-west-1', {}, 'https://sts.eu-isoe-west-1.cloud.adc-e.uk', "the aws-iso-e partition's endpoint"],
    ['us-isof-south-1', {}, 'https://sts.us-isof-south-1.csp.hci.ic.gov', "the aws-iso-f partition's endpoint"],
    ['eusc-de-east-1', {}, 'https://sts.eusc-de-east-1.amazonaws.eu', "the aws-eusc partition's endpoint"]
  ])('%s %j: STS is called at %s, named in the Plan line', async (region, env, url, origin) => {
    const { seen, adapt } = recorded(world);
    const result = await world.run({ 'aws-region': region, 'sts-endpoint': '', 'role-to-assume': role('gha-deploy') }, { env, adapt });
    expect(seen.map(c => c.endpoint)).toEqual([url]);
    expect(planLine(result.stdout)).toContain(`STS at ${url}, ${origin}`);
  });

  test('eusc-de-east-1 (European Sovereign Cloud) is accepted and the role assumed there', async () => {
    const eusc = await startWorld({ sts: { region: 'eusc-de-east-1' } });
    try {
      const { adapt } = recorded(eusc);
      const result = await eusc.run({ 'aws-region': 'eusc-de-east-1', 'sts-endpoint': '', 'role-to-assume': role('ci-deploy'), ...KEYS }, { oidc: false, adapt });
      expect(result.errors).toEqual([]);
      expect(result.env.AWS_REGION).toBe('eusc-de-east-1');
    } finally {
      await eusc.close();
    }
  });

  test('FIPS in a region without a FIPS STS host fails before any call, saying so', async () => {
    const calls = world.sts.calls.length;
    const tokens = world.oidc.issued.length;
    const result = await world.run({ 'aws-region': 'eu-west-1', 'sts-endpoint': '', 'role-to-assume': role('gha-deploy') }, { env: { AWS_USE_FIPS_ENDPOINT: 'true' } });
    expect(result.errors).toEqual([
      'Invalid input: aws-region: AWS_USE_FIPS_ENDPOINT is true, but STS has no FIPS endpoint in eu-west-1 (only in us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, us-gov-west-1); use one of those regions, or set sts-endpoint'
    ]);
    expect([world.sts.calls.length, world.oidc.issued.length]).toEqual([calls, tokens]);
  });

  test('AWS_USE_FIPS_ENDPOINT other than true or false is refused, as the SDK refuses it', async () => {
    const result = await world.run({ 'sts-endpoint': '', 'role-to-assume': role('gha-deploy') }, { env: { AWS_USE_FIPS_ENDPOINT: 'yes' } });
    expect(result.errors.join('\n')).toContain("AWS_USE_FIPS_ENDPOINT must be true or false, as the AWS SDKs read it, got 'yes'");
  });

  test('no-proxy is matched against the partition host actually called', async () => {
    const { seen, adapt } = recorded(world);
    await world.run({ 'aws-region': 'us-iso-east-1', 'sts-endpoint': '', 'role-to-assume': role('gha-deploy'), 'http-proxy': proxy.url, 'no-proxy': '.c2s.ic.gov,127.0.0.1' }, { adapt });
    await world.run({ 'aws-region': 'us-isob-east-1', 'sts-endpoint': '', 'role-to-assume': role('gha-deploy'), 'http-proxy': proxy.url, 'no-proxy': '.c2s.ic.gov,127.0.0.1' }, { adapt });
    expect(seen.map(c => [c.endpoint, c.agent === undefined ? 'direct' : 'proxy'])).toEqual([
      ['https://sts.us-iso-east-1.c2s.ic.gov', 'direct'],
      ['https://sts.us-isob-east-1.sc2s.sgov.gov', 'proxy']
    ]);
  });
});

describe('FIPS and dual-stack from the shared config file, as the SDK reads them', () => {
  const home = (config: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'endpoints-config-'));
    mkdirSync(join(dir, '.aws'));
    writeFileSync(join(dir, '.aws', 'config'), config);
    return dir;
  };

  test.each([
    ['[default]\nuse_fips_endpoint = true\n', {}, 'https://sts-fips.us-east-1.amazonaws.com'],
    ['[default]\nregion = us-east-1\n[profile ci]\nuse_dualstack_endpoint = true\n', { AWS_PROFILE: 'ci' }, 'https://sts.us-east-1.api.aws'],
    ['[profile ci]\nuse_dualstack_endpoint = true\n', {}, 'https://sts.us-east-1.amazonaws.com'],
    ['[default]\nuse_fips_endpoint = true\n', { AWS_USE_FIPS_ENDPOINT: 'false' }, 'https://sts.us-east-1.amazonaws.com']
  ])('%j with %j: STS is called at %s', async (config, env, url) => {
    const { seen, adapt } = recorded(world);
    await world.run({ 'sts-endpoint': '', 'role-to-assume': role('gha-deploy') }, { env, adapt, home: home(config) });
    expect(seen.map(c => c.endpoint)).toEqual([url]);
  });

  test('a value other than true or false is refused, naming the setting', async () => {
    const result = await world.run({ 'sts-endpoint': '', 'role-to-assume': role('gha-deploy') }, { home: home('[default]\nuse_fips_endpoint = yes\n') });
    expect(result.errors.join('\n')).toContain("use_fips_endpoint in the shared config file must be true or false, as the AWS SDKs read it, got 'yes'");
  });
});

describe('an endpoint the workflow or the runner names', () => {
  test.each([
    [
      { 'sts-endpoint': 'https://sts.example.test' },
      { AWS_ENDPOINT_URL_STS: 'https://sts-env.example.test', AWS_ENDPOINT_URL: 'https://all.example.test' },
      'https://sts.example.test',
      'sts-endpoint'
    ],
    [{ 'sts-endpoint': '' }, { AWS_ENDPOINT_URL_STS: 'https://sts-env.example.test', AWS_ENDPOINT_URL: 'https://all.example.test' }, 'https://sts-env.example.test', 'AWS_ENDPOINT_URL_STS'],
    [{ 'sts-endpoint': '' }, { AWS_ENDPOINT_URL: 'https://all.example.test', AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://all.example.test', 'AWS_ENDPOINT_URL']
  ])('%j %j: %s wins, named as from %s', async (inputs, env, url, origin) => {
    const { seen, adapt } = recorded(world);
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), ...inputs }, { env, adapt });
    expect(seen.map(c => c.endpoint)).toEqual([url]);
    expect(planLine(result.stdout)).toContain(`STS at ${url} from ${origin}`);
  });

  test.each([
    ['AWS_ENDPOINT_URL', 'http://sts.example.test', "'http://sts.example.test' (from AWS_ENDPOINT_URL) must use https"],
    ['AWS_ENDPOINT_URL_STS', 'https://user:secret@sts.example.test', 'the URL given (from AWS_ENDPOINT_URL_STS) is not an http(s) URL without credentials'],
    ['AWS_ENDPOINT_URL', 'https://sts.example.test/\nx', '(from AWS_ENDPOINT_URL) is not an http(s) URL without credentials']
  ])('%s=%j is validated like sts-endpoint, before any call', async (variable, value, problem) => {
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'sts-endpoint': '' }, { env: { [variable]: value } });
    expect(result.errors.join('\n')).toMatch(/^Invalid input: sts-endpoint: /);
    expect(result.errors.join('\n')).toContain(problem);
    expect(result.stdout).not.toContain('secret');
    expect(world.sts.calls.length).toBe(calls);
  });

  test('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true: the variables are ignored, as the SDK ignores them', async () => {
    const { seen, adapt } = recorded(world);
    const env = { AWS_ENDPOINT_URL_STS: 'https://sts-env.example.test', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    await world.run({ 'role-to-assume': role('gha-deploy'), 'sts-endpoint': '' }, { env, adapt });
    await world.run({ 'role-to-assume': role('gha-deploy'), 'sts-endpoint': 'https://sts.example.test' }, { env, adapt });
    expect(seen.map(c => c.endpoint)).toEqual(['https://sts.us-east-1.amazonaws.com', 'https://sts.example.test']);
  });

  test('FIPS asked for with a named endpoint: the endpoint is used as given, with a notice to check it', async () => {
    const { seen, adapt } = recorded(world);
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'sts-endpoint': 'https://sts.vpce.example.test' }, { env: { AWS_USE_FIPS_ENDPOINT: 'true' }, adapt });
    expect(seen.map(c => c.endpoint)).toEqual(['https://sts.vpce.example.test']);
    expect(result.stdout).toContain('::notice::FIPS asked for, but sts-endpoint names the STS endpoint, which is used as given: make sure it is a FIPS endpoint');
  });

  test('http to a host other than this machine is refused when a web identity token would go there, before any call', async () => {
    const [calls, tokens] = [world.sts.calls.length, world.oidc.requests];
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'sts-endpoint': 'http://localstack:4566' });
    expect(result.errors.join('\n')).toContain("sts-endpoint: 'http://localstack:4566' must use https: a web identity token would cross the network in clear text");
    expect([world.sts.calls.length, world.oidc.requests]).toEqual([calls, tokens]);
  });

  test('stored keys may reach a local emulator over plain http (http://localstack:4566), with a warning', async () => {
    const emulator = await startProxy({ aliases: { 'localstack:4566': new URL(world.sts.url).host } });
    try {
      const result = await world.run({ ...KEYS, 'role-to-assume': role('ci-deploy'), 'sts-endpoint': 'http://localstack:4566', 'http-proxy': emulator.url }, { oidc: false });
      expect(result.errors).toEqual([]);
      expect(result.stdout).toContain(
        "::warning::sts-endpoint 'http://localstack:4566' is plain http: the credentials STS answers cross the network unencrypted. Use it only for a local emulator (LocalStack, moto) on a network you trust.\n"
      );
      expect(emulator.requests.map(r => `${r.method} ${r.target}`)).toEqual(['POST http://localstack:4566/', 'POST http://localstack:4566/']);
      expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
    } finally {
      await emulator.close();
    }
  });

  test('AWS_ENDPOINT_URL through a proxy: the request goes through the proxy to that URL', async () => {
    const before = proxy.requests.length;
    const result = await world.run({ ...KEYS, 'sts-endpoint': '', 'http-proxy': proxy.url }, { oidc: false, env: { AWS_ENDPOINT_URL: world.sts.url } });
    expect(result.errors).toEqual([]);
    expect(proxy.requests.slice(before).map(r => `${r.method} ${r.target}`)).toEqual([`POST ${world.sts.url}/`]);
    expect(planLine(result.stdout)).toContain(`STS at ${world.sts.url} from AWS_ENDPOINT_URL, through the proxy`);
  });
});
