// A refused role fails at once with what to change: for OIDC the token's claims and the trust policy
// that admits exactly this workflow; for keys and chains the caller and the statements it needs.
import { DIAGNOSED_CLAIMS } from '../../src/credentials/diagnose.ts';
import { expectNoLeaks } from '../support/leaks.ts';
import type { PolicyDocument } from '../support/sts-server.ts';
import type { StepResult } from '../support/step-runner.ts';
import { ACCOUNT, OTHER_ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
afterEach(() => world.oidc.setClaims({}));

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

function refusal(result: StepResult): string {
  expect(result.exitCode).toBe(1);
  expect([result.env, result.outputs]).toEqual([{}, {}]);
  expect(result.errors).toHaveLength(1);
  return result.errors[0]!;
}

/** The JSON policy the diagnosis suggests, read back from the error text. */
function suggestedPolicy(error: string): PolicyDocument {
  const json = /A trust policy that admits exactly this workflow \(JSON\):\n([\s\S]*?)\nThe same as Terraform:/.exec(error)?.[1];
  expect(json).toBeDefined();
  return JSON.parse(json!) as PolicyDocument;
}

describe('a refused OIDC role', () => {
  test('shows the exact claims of the token STS saw, never the token', async () => {
    const callsBefore = world.sts.calls.length;
    const error = refusal(await world.run({ 'role-to-assume': role('gha-other-repo') }));
    const issued = world.oidc.issued.at(-1)!;
    for (const claim of DIAGNOSED_CLAIMS) {
      const value = issued.claims[claim];
      const shown = typeof value === 'string' && value !== '' ? value : '(not in the token)';
      expect(error).toMatch(new RegExp(`^  ${claim} +${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    }
    expect(error).not.toContain(issued.token);
    expect(error).not.toContain(issued.token.split('.')[1]!);
    // Refusals are not retried, and explaining one costs no extra call.
    expect(world.sts.calls.slice(callsBefore).map(c => c.action)).toEqual(['AssumeRoleWithWebIdentity']);
  });

  test('suggests the trust policy that really admits this workflow', async () => {
    const error = refusal(await world.run({ 'role-to-assume': role('gha-other-repo') }));
    const issued = world.oidc.issued.at(-1)!;
    const policy = suggestedPolicy(error);
    expect(policy.Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': issued.claims['aud'],
          'token.actions.githubusercontent.com:sub': issued.claims['sub'],
          'token.actions.githubusercontent.com:repository_id': issued.claims['repository_id']
        }
      }
    });
    expect(error).toContain(`resource "aws_iam_role" "gha-other-repo" {`);
    expect(error).toMatch(new RegExp(`"token\\.actions\\.githubusercontent\\.com:sub" += "${String(issued.claims['sub']).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`));

    // The same role with the suggested policy lets the same workflow in.
    const fixed = await startWorld({ sts: { roles: [{ arn: role('gha-other-repo'), trustPolicy: policy }] } });
    try {
      const result = await fixed.run({ 'role-to-assume': role('gha-other-repo') });
      expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
    } finally {
      await fixed.close();
    }
  });

  test('an environment job is told its sub is the environment form', async () => {
    world.oidc.setClaims({ environment: 'production' });
    const error = refusal(await world.run({ 'role-to-assume': role('gha-other-repo') }));
    expect(world.oidc.issued.at(-1)!.claims['sub']).toBe('repo:octo-org/octo-repo:environment:production');
    expect(error).toMatch(/^ {2}sub +repo:octo-org\/octo-repo:environment:production$/m);
    expect(error).toContain("(this job: environment 'production')");
    expect(error).toContain('repo:octo-org@123456/octo-repo@456789:');
  });

  test('the issuer comes from the token: another issuer gets its own provider ARN', async () => {
    const ghes = await startWorld({ oidc: { issuer: 'https://ghes.example.com/_services/token' } });
    try {
      const error = refusal(await ghes.run({ 'role-to-assume': role('gha-deploy') }));
      expect(error).toContain('InvalidIdentityToken');
      expect(error).toContain('create one with URL https://ghes.example.com/_services/token');
      expect(suggestedPolicy(error).Statement[0]).toMatchObject({
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/ghes.example.com/_services/token` },
        Condition: { StringEquals: { 'ghes.example.com/_services/token:aud': 'sts.amazonaws.com' } }
      });
    } finally {
      await ghes.close();
    }
  });

  test('a wrong audience is refused once, with the audience named', async () => {
    const error = refusal(await world.run({ 'role-to-assume': role('gha-deploy'), audience: 'https://github.com/octo-org' }));
    expect(error).toMatch(/^ {2}aud +https:\/\/github.com\/octo-org$/m);
    expect(error).toContain("this token: 'https://github.com/octo-org'; set with the audience input");
  });
});

describe('a refused AssumeRole with stored keys', () => {
  test('names the caller, the principal to trust and, across accounts, the identity policy it needs', async () => {
    const before = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('partner', OTHER_ACCOUNT), ...KEYS });
    const error = refusal(result);
    expect(error).toContain(`The caller is ${USER.arn}.`);
    expect(error).toContain(`{"Effect":"Allow","Principal":{"AWS":"${USER.arn}"},"Action":["sts:AssumeRole","sts:TagSession"]}`);
    expect(error).toContain(`different accounts, so the caller's own identity policy must allow it too`);
    expect(error).toContain(`{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"${role('partner', OTHER_ACCOUNT)}"}`);
    expect(error).toContain('role-skip-session-tagging: true');
    expect(error).not.toContain('role-external-id');
    const calls = world.sts.calls.slice(before);
    expect(calls.map(c => [c.action, c.accessKeyId])).toEqual([
      ['AssumeRole', USER.accessKeyId],
      ['GetCallerIdentity', USER.accessKeyId]
    ]);
    expectNoLeaks(result, [USER.secretAccessKey]);
  });

  test('with an external id it says a mismatch gives the same error; without tags it does not mention TagSession', async () => {
    const error = refusal(await world.run({ 'role-to-assume': role('ci-external'), 'role-external-id': 'partner-0000', 'role-skip-session-tagging': 'true', ...KEYS }));
    expect(error).toContain('role-external-id was given: a trust policy whose sts:ExternalId condition expects another value gives this same error');
    expect(error).toContain(`"Action":["sts:AssumeRole"]}`);
    expect(error).not.toContain('sts:TagSession');
    expect(error).not.toContain('different accounts');
  });
});
