// Export is all or nothing, and the user's files survive: in process, against the real stand-ins,
// with the runner's files real and one write made to fail (a full disk, a missing file).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsHeader, hasSection, iniLine, OWNER_MARK } from '../../src/export/shared-file.js';
import type { CommandFileKind } from '../../src/export/commit.js';
import { runPost } from '../../src/post/post.js';
import { canMount, fill, mountTmpfs, unmount } from '../support/tmpfs.ts';
import { role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const OIDC = { 'role-to-assume': role('gha-deploy') };
const USER_PROFILES = "# the team's own\n[ops]\naws_access_key_id = AKIAOPSKEY\naws_secret_access_key = opsSecret\n";

function homeWithCredentials(text = USER_PROFILES): string {
  const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-atomic-'));
  mkdirSync(join(home, '.aws'), { mode: 0o700 });
  writeFileSync(join(home, '.aws', 'credentials'), text, { mode: 0o600 });
  return home;
}

/** What the post step does with a step's state, in process. */
function post(home: string, state: Record<string, string>, env: Record<string, string> = {}): string {
  let log = '';
  const stateEnv = Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
  runPost({ HOME: home, ...env, ...stateEnv }, { exportVariables: () => undefined, info: message => (log += `${message}\n`) }, home);
  return log;
}

describe('export is all or nothing', () => {
  test('the environment write fails half-way (full disk): no variable, output or state remains, and the profile is taken out again', async () => {
    const home = homeWithCredentials();
    const result = await world.run({ ...OIDC, 'aws-profile': 'p', 'output-env-credentials': 'true', 'output-credentials': 'true' }, { home, exportFaults: { failAppend: 'env' } });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Export failed, could not write the environment for later steps: .*ENOSPC/);
    expect(result.errors[0]).toContain('Nothing was exported');
    expect({ env: result.env, outputs: result.outputs, state: result.state }).toEqual({ env: {}, outputs: {}, state: {} });
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toBe(USER_PROFILES);
    expect(existsSync(join(home, '.aws', 'config'))).toBe(false);
  });

  test('the state, the environment and the outputs are each one append, state first', async () => {
    const appends: CommandFileKind[] = [];
    const result = await world.run(
      { ...OIDC, 'aws-profile': 'p', 'output-env-credentials': 'true', 'output-credentials': 'true' },
      { exportFaults: { afterAppend: kind => appends.push(kind) } }
    );
    expect(result.errors).toEqual([]);
    expect(appends).toEqual(['state', 'env', 'outputs']);
    expect(result.output.exports).toBe(1);
    expect(result.env.AWS_SESSION_TOKEN).toBe(world.sts.sessions.at(-1)?.sessionToken);
    expect(JSON.parse(result.state['profile-sections'] ?? '[]')).toHaveLength(2);
  });

  test.each(['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE'])('%s unset: the step fails naming it, and nothing is written to the other files', async variable => {
    const result = await world.run({ ...OIDC, 'aws-profile': 'p', 'output-env-credentials': 'true' }, { env: { [variable]: undefined } });
    expect(result.errors).toEqual([expect.stringMatching(new RegExp(`^Nothing was exported: ${variable} is not set`))]);
    expect({ env: result.env, outputs: result.outputs, state: result.state }).toEqual({ env: {}, outputs: {}, state: {} });
    expect(existsSync(join(result.home, '.aws', 'credentials'))).toBe(false);
  });

  test('GITHUB_OUTPUT names a missing file: refused before the first byte, not after the credentials were exported', async () => {
    const result = await world.run(OIDC, { env: { GITHUB_OUTPUT: join(tmpdir(), 'no-such-dir-aws-assume-role', 'set_output') } });
    expect(result.errors).toEqual([expect.stringMatching(/^Nothing was exported: GITHUB_OUTPUT \(.*\) cannot be written: .*ENOENT/)]);
    expect({ env: result.env, state: result.state }).toEqual({ env: {}, state: {} });
  });

  test('cancelled while an STS call is pending: nothing is exported and the message says cancelled', async () => {
    const cancel = new AbortController();
    world.sts.addFault({ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: 2000 });
    const calls = world.sts.calls.length;
    const waitForCall = setInterval(() => {
      if (world.sts.calls.length > calls) cancel.abort('SIGTERM');
    }, 5);
    const result = await world.run(OIDC, { cancelled: cancel.signal }).finally(() => clearInterval(waitForCall));
    expect(result.errors).toEqual(['The step was cancelled (SIGTERM) before the export; nothing was exported']);
    expect({ env: result.env, outputs: result.outputs, state: result.state }).toEqual({ env: {}, outputs: {}, state: {} });
  });
});

describe("the user's files survive", () => {
  const tmpfsTest = canMount ? test : test.skip;
  let disk: string | undefined;
  beforeAll(() => {
    if (canMount) disk = mountTmpfs(64);
  });
  afterAll(() => unmount(disk));

  tmpfsTest('credentials written, then the config write fails on a full disk (tmpfs): both files as they were, no state', async () => {
    const home = homeWithCredentials();
    const config = join(disk!, 'config');
    writeFileSync(config, '[profile ops]\nregion = eu-west-1\n');
    fill(disk!);
    const result = await world.run({ ...OIDC, 'aws-profile': 'p' }, { home, env: { AWS_CONFIG_FILE: config } });
    expect(result.errors).toEqual([expect.stringMatching(/^Export failed, could not write the profile sections in .*ENOSPC.*Nothing was exported$/)]);
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toBe(USER_PROFILES);
    expect(readFileSync(config, 'utf8')).toBe('[profile ops]\nregion = eu-west-1\n');
    expect(readdirSync(disk!).sort()).toEqual(['config', 'filler']);
    expect(readdirSync(join(home, '.aws'))).toEqual(['credentials']);
    expect({ env: result.env, state: result.state }).toEqual({ env: {}, state: {} });
  });

  test('refresh-credentials over an existing [default]: refused before any call unless overwrite-aws-profile', async () => {
    const home = homeWithCredentials();
    const original = '[default]\nregion = eu-west-1\noutput = json\n\n[profile other]\nregion = us-west-2\n';
    writeFileSync(join(home, '.aws', 'config'), original);
    const calls = world.sts.calls.length;
    const refused = await world.run({ ...OIDC, 'refresh-credentials': 'true', 'aws-profile': 'default' }, { home });
    expect(refused.errors).toEqual([
      `Invalid input: refresh-credentials: profile 'default' already exists in ${join(home, '.aws', 'config')}; set overwrite-aws-profile: true to replace it`
    ]);
    expect(world.sts.calls.length).toBe(calls);
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(original);
  });

  test("overwriting was asked for: the section is replaced, and the post step puts the user's own back", async () => {
    const home = homeWithCredentials();
    const original = '[default]\nregion = eu-west-1\noutput = json\n\n[profile other]\nregion = us-west-2\n';
    writeFileSync(join(home, '.aws', 'config'), original);
    const result = await world.run({ ...OIDC, 'refresh-credentials': 'true', 'aws-profile': 'default', 'overwrite-aws-profile': 'true' }, { home });
    expect(result.errors).toEqual([]);
    const written = readFileSync(join(home, '.aws', 'config'), 'utf8');
    expect(written).toContain(`[default]\n${OWNER_MARK}\ncredential_process = `);
    expect(written).not.toContain('output = json');
    post(home, result.state);
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(original);
    expect(readdirSync(join(home, '.aws')).sort()).toEqual(['config', 'credentials']);
  });

  test('aws-profile over an existing profile with overwrite: the post step restores the original credentials', async () => {
    const home = homeWithCredentials();
    const result = await world.run({ ...OIDC, 'aws-profile': 'ops', 'overwrite-aws-profile': 'true' }, { home });
    expect(result.errors).toEqual([]);
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).not.toContain('AKIAOPSKEY');
    post(home, result.state);
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toBe(USER_PROFILES);
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe('');
  });

  test('the post step accepts only files it could have written: a section named in state elsewhere is left alone', () => {
    const home = homeWithCredentials();
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'aws-assume-role-victim-')), 'file');
    const victim = `[p]\n${OWNER_MARK}\nsomething = precious\n`;
    writeFileSync(elsewhere, victim);
    const log = post(home, {
      'profile-sections': JSON.stringify([
        { file: elsewhere, header: '[p]' },
        { file: join(home, '.aws', 'credentials'), header: '[ops]', backup: '/etc/passwd' }
      ])
    });
    expect(readFileSync(elsewhere, 'utf8')).toBe(victim);
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toBe(USER_PROFILES);
    expect(log).toContain('not a file or section this action writes');
  });

  test('HOME relative: .aws goes to the OS home, never into the working directory', async () => {
    const cwd = process.cwd();
    const work = mkdtempSync(join(tmpdir(), 'aws-assume-role-cwd-'));
    const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-oshome-'));
    process.chdir(work);
    try {
      const result = await world.run({ ...OIDC, 'aws-profile': 'p' }, { home, env: { HOME: 'relative-home' } });
      expect(result.errors).toEqual([]);
      expect(readdirSync(work)).toEqual([]);
      expect(hasSection(readFileSync(join(home, '.aws', 'credentials'), 'utf8'), credentialsHeader('p'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  test('the INI encoder refuses a value or name that could start a new line or section', () => {
    for (const value of ['a\n[evil]', 'a\rb', 'a\u0000b', 'a\u2028b', 'a\u0085b', ' padded']) expect(() => iniLine('region', value)).toThrow(/refusing to write/);
    expect(() => credentialsHeader('p]\n[q')).toThrow(/profile name/);
    expect(iniLine('region', 'us-east-1')).toBe('region = us-east-1');
  });

  test('a header of [ and 30,000 spaces is parsed in linear time', () => {
    const text = `[${' '.repeat(30_000)}\n[p]\nx = 1\n`;
    expect(hasSection(text, '[p]')).toBe(true);
    expect(hasSection(`${text}[${' '.repeat(30_000)}x`, '[q]')).toBe(false);
  });
});
