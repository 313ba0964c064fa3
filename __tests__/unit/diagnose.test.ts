import { claimsTable, diagnoseAssumeRole, diagnoseWebIdentity, isRefusal, issuerKeyPrefix, principalFor, terraformRole, webIdentityTrustPolicy } from '../../src/credentials/diagnose.js';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const CLAIMS = {
  iss: 'https://token.actions.githubusercontent.com',
  aud: 'sts.amazonaws.com',
  sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
  repository: 'octo-org/octo-repo',
  repository_owner: 'octo-org',
  repository_owner_id: '123456',
  repository_id: '456789',
  ref: 'refs/heads/main',
  event_name: 'push',
  runner_environment: 'github-hosted',
  job_workflow_ref: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main'
};

describe('which failures get a diagnosis', () => {
  test('trust refusals do, throttling and expired tokens do not', () => {
    expect(['AccessDenied', 'InvalidIdentityToken', 'InvalidIdentityTokenException'].map(name => isRefusal({ name }))).toEqual([true, true, true]);
    expect(['Throttling', 'ExpiredTokenException', 'ValidationError'].map(name => isRefusal({ name }))).toEqual([false, false, false]);
    expect(isRefusal(undefined)).toBe(false);
  });
});

describe('the trust policy suggested for a web identity', () => {
  test('the provider and condition keys come from the token issuer, including an enterprise path', () => {
    expect(issuerKeyPrefix('https://token.actions.githubusercontent.com/acme/')).toBe('token.actions.githubusercontent.com/acme');
    expect(issuerKeyPrefix('not a url')).toBeUndefined();
    const policy = webIdentityTrustPolicy('arn:aws-cn:iam::111122223333:role/x', { ...CLAIMS, iss: 'https://ghes.example.com/_services/token' });
    expect(policy.Statement[0]!.Principal.Federated).toBe('arn:aws-cn:iam::111122223333:oidc-provider/ghes.example.com/_services/token');
    expect(Object.keys(policy.Statement[0]!.Condition.StringEquals)).toEqual([
      'ghes.example.com/_services/token:aud',
      'ghes.example.com/_services/token:sub',
      'ghes.example.com/_services/token:repository_id'
    ]);
  });

  test('Terraform output keeps a claim literal (no interpolation) and carries the role path', () => {
    const policy = webIdentityTrustPolicy(ROLE, { ...CLAIMS, sub: 'repo:o/r:environment:${x}' });
    const tf = terraformRole('arn:aws:iam::111122223333:role/ci/deploy', policy);
    expect(tf).toMatch(/"token\.actions\.githubusercontent\.com:sub" += "repo:o\/r:environment:\$\$\{x\}"/);
    expect(tf).toContain('path = "/ci/"');
    expect(tf).toMatch(/^resource "aws_iam_role" "deploy" \{\n {2}name = "deploy"/);
  });

  test('the repository id is pinned where the token has it: a rename or a re-created name cannot match', () => {
    expect(webIdentityTrustPolicy(ROLE, CLAIMS).Statement[0]!.Condition.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-repo:ref:refs/heads/main',
      'token.actions.githubusercontent.com:repository_id': '456789'
    });
    const { repository_id: _, ...withoutId } = CLAIMS;
    expect(Object.keys(webIdentityTrustPolicy(ROLE, withoutId).Statement[0]!.Condition.StringEquals)).not.toContain('token.actions.githubusercontent.com:repository_id');
  });

  test('the table lists the claims STS exposes as condition keys, not event_name or runner_environment', () => {
    const rows = claimsTable(CLAIMS)
      .split('\n')
      .map(row => row.trim().split(/\s+/)[0]);
    expect(rows).toEqual(['iss', 'aud', 'sub', 'actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id']);
  });

  test('absent claims are shown as absent, not blank', () => {
    expect(claimsTable({ iss: 'https://x' })).toMatch(/^ {2}environment +\(not in the token\)$/m);
  });
});

describe('what commonly differs', () => {
  test('an immutable sub is recognised as such', () => {
    const text = diagnoseWebIdentity({ roleArn: ROLE, claims: { ...CLAIMS, sub: 'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main' }, stsMessage: 'AccessDenied' });
    expect(text).toContain('this token uses it: a policy written for repo:OWNER/REPO:… does not match');
  });

  test('a name-form sub is shown what its immutable form would be', () => {
    const text = diagnoseWebIdentity({ roleArn: ROLE, claims: CLAIMS, stsMessage: 'AccessDenied' });
    expect(text).toContain('repo:octo-org@123456/octo-repo@456789:…');
    expect(text).not.toContain('custom sub template');
  });

  test('pull requests, tags and custom templates are each named with this job’s value', () => {
    const text = diagnoseWebIdentity({ roleArn: ROLE, claims: { ...CLAIMS, event_name: 'pull_request', ref: 'refs/tags/v1', sub: 'job_workflow_ref:x' }, stsMessage: 'AccessDenied' });
    expect(text).toContain('(this job: event pull_request)');
    expect(text).toContain('(this job: ref refs/tags/v1)');
    expect(text).toContain('custom sub template');
  });

  test('no immutable-sub hint for GitHub Enterprise Server issuers, which have no immutable subjects', () => {
    const ghes = diagnoseWebIdentity({ roleArn: ROLE, claims: { ...CLAIMS, iss: 'https://ghes.example.com/_services/token' }, stsMessage: 'AccessDenied' });
    expect(ghes).not.toContain('immutable sub');
    expect(diagnoseWebIdentity({ roleArn: ROLE, claims: CLAIMS, stsMessage: 'AccessDenied' })).toContain('immutable sub');
  });

  test('a custom sub template that starts with repo: is recognised', () => {
    const custom = diagnoseWebIdentity({
      roleArn: ROLE,
      claims: { ...CLAIMS, sub: 'repo:octo-org/octo-repo:job_workflow_ref:octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main' },
      stsMessage: 'AccessDenied'
    });
    expect(custom).toContain('starts with repo: but is not one of the default forms, so a custom sub template is in use');
    for (const sub of ['repo:o/r:environment:prod', 'repo:o/r:pull_request', 'repo:o@1/r@2:ref:refs/tags/v1']) {
      expect(diagnoseWebIdentity({ roleArn: ROLE, claims: { ...CLAIMS, sub }, stsMessage: 'AccessDenied' })).not.toContain('custom sub template');
    }
  });

  test('a missing provider says to create it, with the URL and client id', () => {
    const text = diagnoseWebIdentity({
      roleArn: ROLE,
      claims: CLAIMS,
      stsMessage: 'InvalidIdentityToken: No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com'
    });
    expect(text).toContain('create one with URL https://token.actions.githubusercontent.com and client ID sts.amazonaws.com');
  });
});

describe('a refused AssumeRole', () => {
  test('a session caller is trusted by its role ARN, with a note that the path is not visible', () => {
    expect(principalFor({ arn: 'arn:aws:sts::111122223333:assumed-role/hub/s1' })).toEqual({ arn: 'arn:aws:iam::111122223333:role/hub', note: expect.stringContaining('path') });
    expect(principalFor({ arn: 'arn:aws:sts::111122223333:assumed-role/hub/s1', roleArn: 'arn:aws:iam::111122223333:role/team/hub' })).toEqual({
      arn: 'arn:aws:iam::111122223333:role/team/hub'
    });
    expect(principalFor({ arn: 'arn:aws:iam::111122223333:user/ci' })).toEqual({ arn: 'arn:aws:iam::111122223333:user/ci' });
  });

  test('same account: no identity-policy statement; unknown caller: says so', () => {
    const same = diagnoseAssumeRole({ roleArn: ROLE, caller: { arn: 'arn:aws:iam::111122223333:user/ci' }, tagged: false, externalId: false, stsMessage: '' });
    expect(same).not.toContain('different accounts');
    expect(same).not.toContain('TagSession');
    const unknown = diagnoseAssumeRole({ roleArn: ROLE, tagged: true, externalId: true, stsMessage: '' });
    expect(unknown).toContain('could not be identified');
    expect(unknown).toContain('sts:TagSession');
    expect(unknown).toContain('sts:ExternalId');
  });
});
