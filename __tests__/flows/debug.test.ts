// The debug channel (ACTIONS_STEP_DEBUG): each decision a person debugging a run wants, never a secret.
import { role, startWorld, USER, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const debugLines = (result: { commands: { name: string; data: string }[] }): string[] => result.commands.filter(c => c.name === 'debug').map(c => c.data);

test('an OIDC run says where the token and STS are reached, the retry budget, and what it exports', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'retry-max-attempts': '3' }, { env: { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' } });
  expect(result.errors).toEqual([]);
  expect(debugLines(result)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^Plan source: GitHub OIDC token, token from 127\.0\.0\.1:\d+ direct \(no-proxy matches its host\)$/),
      expect.stringMatching(/^Plan STS: http:\/\/127\.0\.0\.1:\d+ \(named by sts-endpoint\), direct \(no-proxy matches its host\)$/),
      'Plan retries: up to 3 attempts per call, only throttling, server and network faults',
      'Plan hop 1: no session tags',
      expect.stringMatching(
        /^Export: environment AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION; outputs aws-account-id, authenticated-arn; state for the post step exported-variables$/
      )
    ])
  );
});

test('AssumeRole with keys names the session tags it sends, and a refusal says why it was not retried', async () => {
  const keys = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
  const sent = await world.run({ ...keys, 'role-to-assume': role('ci-deploy') }, { oidc: false });
  expect(debugLines(sent)).toContainEqual(expect.stringMatching(/^AssumeRole arn:aws:iam::111122223333:role\/ci-deploy: session tags GitHub, Repository, Workflow, /));

  const refused = await world.run({ ...keys, 'role-to-assume': role('nobody') }, { oidc: false });
  expect(refused.exitCode).toBe(1);
  expect(debugLines(refused)).toContainEqual(expect.stringMatching(/^AssumeRole: AccessDenied: .*; not retried \(not a throttling, server or network fault\)$/));
});
