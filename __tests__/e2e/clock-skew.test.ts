// A runner whose clock is 20 minutes off, for real: the built action runs under faketime (libfaketime
// shifts the process's clock) against the STS stand-in, which keeps the true time, as STS does.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { role, startWorld, USER, type World } from '../support/world.ts';

const FAKETIME = ['/usr/bin/faketime', '/usr/local/bin/faketime'].find(existsSync);
const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

/**
 * A `node` that runs under faketime with this offset ("+20m", "-20m"). The wrapper is node itself, not
 * a shell script: /bin/sh drops variables such as INPUT_AWS-REGION, whose names are not shell names.
 */
function skewedNode(offset: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'aws-assume-role-faketime-'));
  const wrapper = join(dir, 'node');
  const run = `require('node:child_process').spawnSync(${JSON.stringify(FAKETIME)}, ['-f', ${JSON.stringify(offset)}, process.execPath, ...process.argv.slice(2)], { stdio: 'inherit' })`;
  writeFileSync(wrapper, `#!${process.execPath}\nprocess.exitCode = ${run}.status ?? 1;\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

if (FAKETIME === undefined) {
  // .ci/run installs it (Debian package faketime); locally: apt-get install -y faketime.
  test.skip('faketime is not installed: the clock-skew runs are skipped (apt-get install -y faketime)', () => undefined);
} else {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  test('faketime really shifts node’s clock', () => {
    const shifted = Number(execFileSync(skewedNode('+20m'), ['-e', 'process.stdout.write(String(Date.now()))'], { encoding: 'utf8' }));
    expect(shifted - Date.now()).toBeGreaterThan(19 * 60 * 1000);
  });

  test.each([
    ['+20m', 'ahead'],
    ['-20m', 'behind']
  ])('a clock %s (%s): one signature refused, corrected from STS Date, signed again once; later calls right first time', async offset => {
    const before = world.sts.calls.length;
    const result = await world.step({ 'role-to-assume': role('ci-deploy'), ...KEYS }, { oidc: false, node: skewedNode(offset) });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const calls = world.sts.calls.slice(before).map(c => `${c.action} ${c.status}${c.code ? ` ${c.code}` : ''}`);
    expect(calls).toEqual(['AssumeRole 403 SignatureDoesNotMatch', 'AssumeRole 200', 'GetCallerIdentity 200']);
    expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
    expect(result.stdout).toMatch(/STS refused the signature for clock skew: this runner's clock is 2\d(\.\d)? min (ahead of|behind) STS's; signing again/);
  });
}
