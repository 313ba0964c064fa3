// The built action in a hostile world: a full disk, the runner cancelling the step, two jobs on one
// self-hosted runner writing the same credentials file, and paths that are FIFOs or devices.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsHeader, hasSection, OWNER_MARK } from '../../src/export/shared-file.js';
import { canMount, mountTmpfs, unmount } from '../support/tmpfs.ts';
import { role, startWorld, USER, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const OIDC = { 'role-to-assume': role('gha-deploy') };
const KEYS = { 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `aws-assume-role-${label}-`));
}

/** Many profiles of the user's own, so a copy of the file does not fit on a small disk twice. */
function userProfiles(count: number): string {
  return Array.from({ length: count }, (_, i) => `[team-${i}]\naws_access_key_id = AKIATEAM${String(i).padStart(8, '0')}\naws_secret_access_key = teamSecret${i}${'x'.repeat(60)}\n`).join(
    '\n'
  );
}

describe('a full disk (a 64 KiB tmpfs as ~/.aws)', () => {
  const tmpfsTest = canMount ? test : test.skip;
  let home: string;
  let aws: string | undefined;
  beforeAll(() => {
    home = tempDir('fullhome');
    if (canMount) aws = mountTmpfs(64, join(home, '.aws'));
  });
  afterAll(() => unmount(aws));

  tmpfsTest("the user's credentials file is kept whole, the step fails and exports nothing", async () => {
    const original = userProfiles(330); // ~40 KB: the new copy cannot fit beside it
    writeFileSync(join(aws!, 'credentials'), original, { mode: 0o600 });
    const result = await world.step({ ...OIDC, 'aws-profile': 'p', 'output-env-credentials': 'true' }, { home });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^Export failed, could not write the profile sections in .*ENOSPC.*Nothing was exported$/)]);
    expect(readFileSync(join(aws!, 'credentials'), 'utf8')).toBe(original);
    expect(readdirSync(aws!)).toEqual(['credentials']);
    expect({ env: result.env, state: result.state, outputs: result.outputs }).toEqual({ env: {}, state: {}, outputs: {} });
    expect(result.stdout).not.toContain("Wrote profile 'p'");
  });
});

test('SIGTERM while an STS call is held: nothing exported, the step says it was cancelled', async () => {
  world.sts.addFault({ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: 20_000 });
  const calls = world.sts.calls.length;
  const result = await world.step(OIDC, {
    onSpawn: child => {
      const poll = setInterval(() => {
        if (world.sts.calls.length > calls) {
          clearInterval(poll);
          child.kill('SIGTERM');
        }
      }, 10);
      child.on('exit', () => clearInterval(poll));
    }
  });
  expect(result.signal).toBeNull();
  expect(result.exitCode).toBe(1);
  expect(result.errors).toEqual(['The step was cancelled (SIGTERM) before the export; nothing was exported']);
  expect({ env: result.env, state: result.state, outputs: result.outputs }).toEqual({ env: {}, state: {}, outputs: {} });
});

test('two jobs on one runner write profiles to the same credentials file at once: every profile survives', async () => {
  const home = tempDir('sharedhome');
  mkdirSync(join(home, '.aws'), { mode: 0o700 });
  // A large file (~650 KB) widens each writer's read-modify-write, as on a busy runner.
  const original = userProfiles(6000);
  writeFileSync(join(home, '.aws', 'credentials'), original, { mode: 0o600 });
  for (let round = 0; round < 2; round++) {
    const names = [0, 1, 2, 3].map(i => `job-${round}-${i}`);
    const results = await Promise.all(names.map(name => world.step({ ...KEYS, 'aws-profile': name }, { home, oidc: false })));
    expect(results.map(r => r.errors)).toEqual(names.map(() => []));
  }
  const text = readFileSync(join(home, '.aws', 'credentials'), 'utf8');
  const lost = [0, 1].flatMap(round => [0, 1, 2, 3].map(i => `job-${round}-${i}`)).filter(name => !hasSection(text, credentialsHeader(name)));
  expect(lost).toEqual([]);
  expect(text.startsWith(original)).toBe(true);
  expect(readdirSync(join(home, '.aws')).sort()).toEqual(['config', 'credentials']);
}, 60_000);

describe('paths that are not regular files', () => {
  test.each([
    [
      'a FIFO',
      (dir: string) => {
        const fifo = join(dir, 'credentials-fifo');
        execFileSync('mkfifo', [fifo]);
        return fifo;
      }
    ],
    ['/dev/zero', () => '/dev/zero']
  ])('AWS_SHARED_CREDENTIALS_FILE is %s: refused before any call, the step does not hang', async (_label, make) => {
    const path = make(tempDir('fifo'));
    const calls = world.sts.calls.length;
    const result = await world.step({ ...OIDC, 'aws-profile': 'p' }, { env: { AWS_SHARED_CREDENTIALS_FILE: path }, timeoutMs: 15_000 });
    expect(result.timedOut).toBe(false);
    expect(result.errors).toEqual([expect.stringContaining(`${path} is not a regular file`)]);
    expect(world.sts.calls.length).toBe(calls);
  });

  test('the post step, with state naming a FIFO, does not hang and touches nothing it did not write', async () => {
    const dir = tempDir('post-fifo');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const main = await world.step({ ...OIDC, 'aws-profile': 'p' });
    expect(main.errors).toEqual([]);
    const forged = JSON.stringify([...JSON.parse(main.state['profile-sections'] ?? '[]'), { file: fifo, header: '[p]' }]);
    const post = await world.post({ ...main, state: { ...main.state, 'profile-sections': forged } }, { HOME: main.home });
    expect(post.timedOut).toBe(false);
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('not a file or section this action writes');
    expect(readFileSync(join(main.home, '.aws', 'credentials'), 'utf8')).toBe('');
  });

  test('a header of [ and 30,000 spaces in the credentials file: the step finishes', async () => {
    const home = tempDir('cubic');
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'credentials'), `[${' '.repeat(30_000)}\n`);
    const result = await world.step({ ...OIDC, 'aws-profile': 'p' }, { home, timeoutMs: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.errors).toEqual([]);
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toContain(`[p]\n${OWNER_MARK}\n`);
  });
});

describe('a broken install', () => {
  test('without the log writer (dist/core) the step fails in one neutralised line and exports nothing', async () => {
    const copy = tempDir('broken-dist');
    execFileSync('cp', ['-r', join(process.cwd(), 'dist'), copy]);
    execFileSync('rm', ['-r', join(copy, 'dist', 'core')]);
    const result = await world.step(KEYS, { oidc: false, entry: join(copy, 'dist', 'index.js') });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^This action's files are incomplete, nothing was exported: .*core\/index\.js/)]);
    expect({ env: result.env, state: result.state, outputs: result.outputs }).toEqual({ env: {}, state: {}, outputs: {} });
    expect(result.stdout).toBe('');
  });
});
