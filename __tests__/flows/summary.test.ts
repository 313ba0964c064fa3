// The job summary, in process: a short table a person reads at a glance, the diagnosis on failure, never a secret.
import { ACCOUNT, OTHER_ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

/** Counts (never prints) the secrets found in the summary. */
function secretsIn(text: string): number {
  const secrets = [...world.sts.sessions.flatMap(s => [s.accessKeyId, s.secretAccessKey, s.sessionToken]), ...world.oidc.issued.map(t => t.token), USER.secretAccessKey];
  return secrets.filter(secret => text.includes(secret)).length;
}

function rows(summary: string): Record<string, string> {
  const table: Record<string, string> = {};
  for (const match of summary.matchAll(/^\| ([^|]+) \| (.*) \|$/gm)) table[match[1]!.trim()] = match[2]!;
  return table;
}

test('a successful run shows source, roles, session, identity, account, region, expiry and time', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-hub'), 'role-chain': role('deploy-target', OTHER_ACCOUNT), 'role-session-name': 'nightly' });
  expect(result.errors).toEqual([]);
  const session = world.sts.sessions.at(-1)!;
  expect(result.summary).toMatch(/^### AWS credentials: ready\n/);
  expect(rows(result.summary)).toEqual({
    '---': '---',
    Source: 'GitHub OIDC token',
    Role: `\`${role('gha-hub')}\` → \`${role('deploy-target', OTHER_ACCOUNT)}\``,
    'Session name': '`nightly`',
    'Verified identity': `\`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/deploy-target/nightly\``,
    Account: `\`${OTHER_ACCOUNT}\``,
    Region: '`us-east-1`',
    Expires: session.expiration.toISOString(),
    'Step time': expect.stringMatching(/^\d+\.\d s$/)
  });
  expect(secretsIn(result.summary)).toBe(0);
});

test('stored keys without a role show the user, and mask-aws-account-id hides every account id', async () => {
  const result = await world.run({ 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey, 'mask-aws-account-id': 'true' });
  expect(result.errors).toEqual([]);
  expect(rows(result.summary)).toMatchObject({ Source: 'stored access keys', 'Verified identity': '`arn:aws:iam::***:user/ci`', Account: '`***`', Expires: 'never (long-term keys)' });
  expect(result.summary).not.toContain(ACCOUNT);
  expect(secretsIn(result.summary)).toBe(0);
});

test('a refused role puts the diagnosis in the summary', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-other-repo') });
  expect(result.exitCode).toBe(1);
  expect(result.summary).toMatch(/^### AWS credentials: failed after \d+\.\d s\n\n```text\nAssumeRoleWithWebIdentity for /);
  expect(result.summary).toContain(`"token.actions.githubusercontent.com:sub": "${String(world.oidc.issued.at(-1)!.claims['sub'])}"`);
  expect(secretsIn(result.summary)).toBe(0);
});

test('invalid inputs are summarised too', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'role-chain': 'not-an-arn' });
  expect(result.summary).toContain("role-chain: line 1, 'not-an-arn', is not a role ARN");
});

test('summary: false writes nothing', async () => {
  const ok = await world.run({ 'role-to-assume': role('gha-deploy'), summary: 'false' });
  const failed = await world.run({ 'role-to-assume': role('gha-other-repo'), summary: 'false' });
  expect([ok.exitCode, failed.exitCode]).toEqual([0, 1]);
  expect([ok.summary, failed.summary]).toEqual(['', '']);
});
