// `npm run demo` is one of the README's two commands: it must work on its own, as a new user runs it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/world.ts';

test('npm run demo assumes a role with OIDC, shows the masked log, a later step as the role, and the post step', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', './scripts/ts-resolve.mjs', 'scripts/demo.ts'], { cwd: REPO_ROOT, timeout: 60_000 });
  expect(stdout).toMatch(/=== Step log \(exit 0, \d+ ms\) ===/);
  expect(stdout).not.toMatch(/^::(add-mask|debug)::/m);
  expect(stdout).toMatch(/"Arn": "arn:aws:sts::111122223333:assumed-role\/gha-deploy\/GitHubActions"/);
  expect(stdout).toContain('=== Post step ===');
});
