import { InputError } from '../../src/errors.js';
import { inputVariable } from '../../src/inputs/names.js';
import { parseInputs } from '../../src/inputs/parse.js';
import type { Env } from '../../src/types.js';
import { completeRoleArn, decidePlan, describePlan, type Plan } from '../../src/plan.js';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1/token?x=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bearer' };
const KEYS = { 'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE', 'aws-secret-access-key': 'secret' };

function plan(inputs: Record<string, string>, extra: Env = {}): Plan {
  const vars: Record<string, string | undefined> = { ...extra };
  for (const [name, value] of Object.entries({ 'aws-region': 'us-east-1', ...inputs })) vars[inputVariable(name)] = value;
  return decidePlan(parseInputs(vars));
}

function rejection(inputs: Record<string, string>, extra: Env = {}): string {
  try {
    plan(inputs, extra);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected the plan to be refused');
}

describe('choosing where credentials come from', () => {
  test('a role and the id-token variables mean OIDC, with no tags', () => {
    const p = plan({ 'role-to-assume': ROLE }, OIDC_ENV);
    expect(p).toMatchObject({ kind: 'assume', source: { kind: 'oidc', audience: 'sts.amazonaws.com' }, target: { tagging: false } });
  });

  test('stored keys win over OIDC and are the exact signer, with tags', () => {
    const p = plan({ 'role-to-assume': ROLE, ...KEYS }, OIDC_ENV);
    expect(p).toMatchObject({ kind: 'assume', source: { kind: 'keys', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } }, target: { tagging: true } });
  });

  test('keys without a role are verified and exported as they are', () => {
    expect(plan(KEYS)).toMatchObject({ kind: 'use-keys' });
  });

  test('a token file means AssumeRoleWithWebIdentity from the file', () => {
    expect(plan({ 'role-to-assume': ROLE, 'web-identity-token-file': '/tmp/token' })).toMatchObject({ source: { kind: 'token-file', path: '/tmp/token' } });
  });

  test('role chaining signs with exactly the environment credentials', () => {
    const p = plan({ 'role-to-assume': ROLE, 'role-chaining': 'true' }, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', ...OIDC_ENV });
    expect(p).toMatchObject({ source: { kind: 'environment', credentials: { accessKeyId: 'ASIAEXAMPLEEXAMPLE', secretAccessKey: 's', sessionToken: 't' } } });
  });

  test('role chaining refuses environment credentials that cannot go into a signature or a header', () => {
    for (const bad of [{ AWS_SESSION_TOKEN: 'tok\nen' }, { AWS_ACCESS_KEY_ID: 'ASIA EXAMPLE' }, { AWS_SECRET_ACCESS_KEY: 'se\ncret' }]) {
      const env = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', ...OIDC_ENV, ...bad };
      expect(rejection({ 'role-to-assume': ROLE, 'role-chaining': 'true' }, env)).toMatch(
        /^Invalid input: role-chaining: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment must be printable ASCII/
      );
    }
  });

  test("role chaining without credentials in the environment starts from the runner's own identity (CodeBuild, ECS, EKS, EC2)", () => {
    expect(plan({ 'role-to-assume': ROLE, 'role-chaining': 'true' }, OIDC_ENV)).toMatchObject({ kind: 'assume', source: { kind: 'ambient' }, target: { tagging: true } });
  });

  test("a role with no OIDC, keys or token file starts from the runner's own identity; so does force-skip-oidc", () => {
    expect(plan({ 'role-to-assume': ROLE })).toMatchObject({ kind: 'assume', source: { kind: 'ambient' } });
    expect(plan({ 'role-to-assume': ROLE, 'force-skip-oidc': 'true' }, OIDC_ENV)).toMatchObject({ kind: 'assume', source: { kind: 'ambient' } });
  });

  test("the runner's own identity may complete a bare role name and send an external id, as stored keys may", () => {
    expect(plan({ 'role-to-assume': 'deploy', 'role-external-id': 'x-1' })).toMatchObject({
      source: { kind: 'ambient' },
      target: { role: { kind: 'name', name: 'deploy' }, externalId: 'x-1' }
    });
  });

  test('where the runner identity is looked for comes from the step environment, as the SDK reads it', () => {
    const env = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/creds',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/irsa',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PROFILE: 'runner'
    };
    expect(plan({ 'role-to-assume': ROLE }, env)).toMatchObject({
      source: {
        lookup: {
          profile: 'runner',
          profileSet: true,
          webIdentity: { tokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE, roleArn: env.AWS_ROLE_ARN, sessionName: 'github-actions-runner' },
          container: { fullUri: env.AWS_CONTAINER_CREDENTIALS_FULL_URI, authorizationTokenFile: env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE },
          instanceMetadataOff: 'AWS_EC2_METADATA_DISABLED is set'
        }
      }
    });
    expect(plan({ 'role-to-assume': ROLE }, { AWS_EC2_METADATA_DISABLED: 'false' })).toMatchObject({ source: { lookup: { instanceMetadataOff: undefined, profile: 'default' } } });
    expect(plan({ 'role-to-assume': ROLE }, { RUNNER_ENVIRONMENT: 'github-hosted' })).toMatchObject({ source: { lookup: { instanceMetadataOff: 'not asked on a GitHub-hosted runner' } } });
  });

  test("only a region verifies the runner's own identity and exports none of its credentials", () => {
    const p = plan({});
    expect(p).toMatchObject({ kind: 'verify-ambient', source: { kind: 'ambient' } });
    expect(describePlan(p, { origin: 'EC2 instance role', arn: 'arn:aws:sts::111122223333:assumed-role/runner/i-0abc' })).toBe(
      "Plan: the runner's own AWS identity (EC2 instance role, verified as arn:aws:sts::111122223333:assumed-role/runner/i-0abc) → verify with GetCallerIdentity → " +
        "outputs aws-account-id and authenticated-arn, AWS_REGION and AWS_DEFAULT_REGION (region us-east-1); no credentials are exported: later steps find the runner's own the same way"
    );
  });

  test('only a region refuses the inputs that would need its credentials exported', () => {
    expect(rejection({ 'aws-profile': 'ci' })).toMatch(/aws-profile: has nothing to write/);
    expect(rejection({ 'output-credentials': 'true' })).toMatch(/output-credentials: has nothing to output/);
  });

  test("refresh-credentials cannot refresh from the runner's own identity", () => {
    expect(rejection({ 'role-to-assume': ROLE, 'refresh-credentials': 'true' })).toMatch(/refresh-credentials: only works with GitHub OIDC/);
  });

  test('use-existing-credentials keeps only credentials that could be sent at all', () => {
    const good = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' };
    expect(plan({ 'role-to-assume': ROLE, 'use-existing-credentials': 'true' }, { ...OIDC_ENV, ...good }).existing).toEqual({
      kind: 'environment',
      credentials: { accessKeyId: 'ASIAEXAMPLEEXAMPLE', secretAccessKey: 's', sessionToken: 't' }
    });
    expect(plan({ 'role-to-assume': ROLE, 'use-existing-credentials': 'true' }, OIDC_ENV).existing).toMatchObject({ kind: 'ambient' });
    expect(plan({ 'role-to-assume': ROLE, 'use-existing-credentials': 'true' }, { ...OIDC_ENV, ...good, AWS_SESSION_TOKEN: 't\nX: 1' }).existing).toBeUndefined();
    expect(rejection({ 'role-to-assume': ROLE, 'role-chaining': 'true' }, { ...good, AWS_SESSION_TOKEN: 't\nX: 1' })).toMatch(/role-chaining: .* must be printable ASCII/);
  });

  test('unset-current-credentials alone only wipes', () => {
    expect(plan({ 'unset-current-credentials': 'true' }).kind).toBe('wipe');
  });

  test('a bare role name needs a source account', () => {
    expect(rejection({ 'role-to-assume': 'deploy' }, OIDC_ENV)).toMatch(/'deploy' is a role name, not an ARN; with OIDC/);
    expect(plan({ 'role-to-assume': 'deploy', ...KEYS })).toMatchObject({ target: { role: { kind: 'name', name: 'deploy' } } });
  });

  test('transitive tag keys must be tags that are actually sent; where none are sent they only warn', () => {
    expect(plan({ 'role-to-assume': ROLE, 'transitive-tag-keys': 'Repository' }, OIDC_ENV).warnings).toEqual([
      expect.stringMatching(/^transitive-tag-keys does not apply .*no session tags are sent/)
    ]);
    expect(rejection({ 'role-to-assume': ROLE, ...KEYS, 'transitive-tag-keys': 'Team' })).toMatch(/'Team' is not a session tag this run sends/);
    expect(plan({ 'role-to-assume': ROLE, ...KEYS, 'role-skip-session-tagging': 'true', 'transitive-tag-keys': 'Repository' }).warnings).toEqual([
      expect.stringMatching(/role-skip-session-tagging is true, so no session tags are sent/)
    ]);
    expect(plan({ 'role-to-assume': ROLE, ...KEYS, 'transitive-tag-keys': 'Repository\nActor' })).toMatchObject({ target: { transitiveTagKeys: ['Repository', 'Actor'] } });
  });

  test('an external id on a web identity path warns that it is not sent', () => {
    const p = plan({ 'role-to-assume': ROLE, 'role-external-id': 'xyz123' }, OIDC_ENV);
    expect(p.warnings).toEqual([expect.stringMatching(/^role-external-id does not apply and is not sent/)]);
  });
});

describe('completing a bare role name', () => {
  test('uses the partition and account of the source identity', () => {
    expect(completeRoleArn({ kind: 'name', name: 'deploy' }, 'arn:aws-cn:iam::222233334444:user/ci', '222233334444')).toBe('arn:aws-cn:iam::222233334444:role/deploy');
  });
});

describe('the plan in one log line', () => {
  test('names the source, call, role, session, duration and sinks', () => {
    expect(describePlan(plan({ 'role-to-assume': ROLE }, OIDC_ENV))).toBe(
      `Plan: GitHub OIDC token (audience sts.amazonaws.com) → AssumeRoleWithWebIdentity ${ROLE} as session 'GitHubActions' for 3600 s → verify with GetCallerIdentity → export to environment, outputs (region us-east-1; STS at https://sts.us-east-1.amazonaws.com, the aws partition's endpoint)`
    );
    expect(describePlan(plan({ 'role-to-assume': ROLE, ...KEYS, 'output-env-credentials': 'false' }))).toMatch(/stored access keys → AssumeRole .* with session tags .* export to outputs/);
  });
});

describe('role-chain and refresh-credentials in the plan', () => {
  const HUB = 'arn:aws:iam::111122223333:role/hub';
  const TARGET = 'arn:aws:iam::444455556666:role/target';

  test('the chain is a list of targets after role-to-assume, and the plan line shows each hop', () => {
    const p = plan({ 'role-to-assume': HUB, 'role-chain': `${TARGET}\n`, 'role-session-name': 's1' }, OIDC_ENV);
    if (p.kind !== 'assume') throw new Error('expected assume');
    expect(p.chain).toEqual([expect.objectContaining({ role: { kind: 'arn', arn: TARGET }, sessionName: 's1', tagging: true })]);
    expect(describePlan(p)).toContain(`AssumeRoleWithWebIdentity ${HUB} as session 's1' for 3600 s → AssumeRole ${TARGET} (signed by the previous role) → verify`);
  });

  test('without a chain the plan is one target, as before', () => {
    const p = plan({ 'role-to-assume': HUB }, OIDC_ENV);
    expect(p.kind === 'assume' && p.chain).toEqual([]);
  });

  test('refresh needs OIDC or a token file, and a role', () => {
    expect(rejection({ 'role-to-assume': HUB, 'refresh-credentials': 'true', ...KEYS })).toMatch(/refresh-credentials: only works with GitHub OIDC or web-identity-token-file/);
    expect(rejection({ 'refresh-credentials': 'true', ...KEYS })).toMatch(/refresh-credentials: needs role-to-assume/);
    expect(rejection({ 'role-to-assume': HUB, 'refresh-credentials': 'true', 'role-chaining': 'true' }, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 's' })).toMatch(
      /refresh-credentials: only works/
    );
  });

  test('refresh without aws-profile serves later steps from the local credentials server, and writes no profile', () => {
    const served = plan({ 'role-to-assume': HUB, 'refresh-credentials': 'true' }, { ...OIDC_ENV, HOME: '/home/runner' });
    expect([served.sinks.refreshServer, served.sinks.refresh]).toEqual([true, undefined]);
    expect(describePlan(served)).toContain('local credentials server that re-assumes before they expire (AWS_CONTAINER_CREDENTIALS_FULL_URI');
  });

  test('refresh with aws-profile writes that credential_process profile to AWS_CONFIG_FILE or ~/.aws/config', () => {
    const home = plan({ 'role-to-assume': HUB, 'refresh-credentials': 'true', 'aws-profile': 'default' }, { ...OIDC_ENV, HOME: '/home/runner' });
    expect(home.sinks.refresh).toEqual({ profile: 'default', configFile: '/home/runner/.aws/config', customConfigFile: false });
    expect(home.sinks.refreshServer).toBe(false);
    const custom = plan({ 'role-to-assume': HUB, 'refresh-credentials': 'true', 'aws-profile': 'default' }, { ...OIDC_ENV, AWS_CONFIG_FILE: '/tmp/cfg' });
    expect(custom.sinks.refresh).toEqual({ profile: 'default', configFile: '/tmp/cfg', customConfigFile: true });
    expect(describePlan(custom)).toContain("export to profile 'default' in /tmp/cfg");
  });

  test('role-chain without role-to-assume is refused', () => {
    expect(rejection({ 'role-chain': TARGET, ...KEYS })).toMatch(/role-chain: only applies when role-to-assume is set/);
  });
});
