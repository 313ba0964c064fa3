// aws-profile: the shared files the built step writes, read by the AWS CLI in a later step. How they are
// written (several profiles, keys, overwrite, symlinks, custom paths, refusals, the post step): flows/profiles.test.ts.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_MARK } from '../../src/export/shared-file.js';
import { callerIdentity } from '../support/aws-cli.ts';
import { ACCOUNT, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

function awsHome(): { home: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'aws-home-'));
  return { home, env: { HOME: home } };
}

/** A later step using a named profile, as `aws --profile NAME` would. */
async function whoamiWithProfile(home: string, profile: string) {
  const result = await callerIdentity(world.sts.url, { HOME: home }, { home, profile });
  return result.exitCode === 0 ? (JSON.parse(result.stdout) as { Arn: string }) : { Arn: `failed: ${result.stderr}` };
}

test('aws-profile writes a profile the AWS CLI uses, private, and exports no keys by default', async () => {
  const { home, env } = awsHome();
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'aws-profile': 'deploy' }, { env, home });
  expect(result.errors).toEqual([]);
  expect(result.env).toEqual({});
  expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`);
  expect((await whoamiWithProfile(home, 'deploy')).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`);
  expect(statSync(join(home, '.aws')).mode & 0o777).toBe(0o700);
  expect(statSync(join(home, '.aws', 'credentials')).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(`[profile deploy]\n${OWNER_MARK}\nregion = us-east-1\n`);
});
