// source-identity: SourceIdentity on the run's first AssumeRole, off by default, checked like STS checks it.
import type { PolicyDocument } from '../support/sts-server.ts';
import { role, ROLES, startWorld, USER, type World } from '../support/world.ts';

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const trusting = (principal: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }]
});

let world: World;
beforeAll(async () => {
  world = await startWorld({
    sts: {
      roles: [...ROLES, { arn: role('ci-source'), trustPolicy: trusting(USER.arn) }, { arn: role('hub-source-target'), trustPolicy: trusting(role('gha-hub')) }]
    }
  });
});
afterAll(() => world.close());

const lastAssumeRole = () => world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)!;

test('is off by default: no SourceIdentity is sent', async () => {
  const result = await world.run({ 'role-to-assume': role('ci-source'), ...KEYS }, { oidc: false });
  expect(result.errors).toEqual([]);
  expect(lastAssumeRole().params.SourceIdentity).toBeUndefined();
});

test('with stored keys it is sent on AssumeRole and the role is assumed', async () => {
  const result = await world.run({ 'role-to-assume': role('ci-source'), 'source-identity': 'octocat', ...KEYS }, { oidc: false });
  expect(result.errors).toEqual([]);
  expect(lastAssumeRole().params.SourceIdentity).toBe('octocat');
});

test('after OIDC it goes on the first role-chain hop (AssumeRoleWithWebIdentity takes none)', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-hub'), 'role-chain': role('hub-source-target'), 'source-identity': 'octocat' });
  expect(result.errors).toEqual([]);
  expect(world.sts.calls.filter(c => c.action === 'AssumeRoleWithWebIdentity').at(-1)!.params.SourceIdentity).toBeUndefined();
  expect(lastAssumeRole().params.SourceIdentity).toBe('octocat');
});

test('a trust policy without sts:SetSourceIdentity: the diagnosis names it', async () => {
  const result = await world.run({ 'role-to-assume': role('ci-deploy'), 'source-identity': 'octocat', ...KEYS }, { oidc: false });
  const error = result.errors.join('\n');
  expect(error).toContain(`not authorized to perform: sts:SetSourceIdentity on resource: ${role('ci-deploy')}`);
  expect(error).toContain('STS refused sts:SetSourceIdentity: source-identity was given, so the trust policy must allow sts:SetSourceIdentity');
  expect(error).toContain(`{"Effect":"Allow","Principal":{"AWS":"${USER.arn}"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}`);
  expect(result.env.AWS_ACCESS_KEY_ID).toBeUndefined();
});

test.each([
  ['aws:octocat', 'must not start with aws:'],
  ['dependabot[bot]', 'must be 2-64 characters of letters, digits and _+=,.@-'],
  ['x', 'must be 2-64 characters'],
  ['a'.repeat(65), 'must be 2-64 characters']
])('%s is refused before any call', async (value, rule) => {
  const calls = world.sts.calls.length;
  const result = await world.run({ 'role-to-assume': role('ci-source'), 'source-identity': value, ...KEYS }, { oidc: false });
  expect(result.errors).toEqual([expect.stringContaining(`source-identity: ${rule}`)]);
  expect(world.sts.calls.length).toBe(calls);
});

test('with OIDC and no role-chain it is refused before any call: there is no AssumeRole to carry it', async () => {
  const tokens = world.oidc.issued.length;
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'source-identity': 'octocat' });
  expect(result.errors.join('\n')).toContain('source-identity: only applies to AssumeRole');
  expect(world.oidc.issued.length).toBe(tokens);
});
