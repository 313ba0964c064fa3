// Proves the per-file leak scan (support/leak-scan.ts) sees every step and every issued secret, and
// fails where it should: steps that print a secret on purpose are exempted after the check, so the
// scan of this file itself passes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanRecordedSteps } from '../support/leak-scan.ts';
import { exemptFromLeakScan, recordedSteps, registeredSecrets } from '../support/step-registry.ts';
import { runStep, type StepResult } from '../support/step-runner.ts';
import { USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
let dir: string;
beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'leak-scan-'));
});
afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A later `run:` step that prints what `script` computes from its environment (SECRET). */
async function laterStep(script: string, secret: string): Promise<StepResult> {
  const entry = join(dir, `step-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(entry, script);
  return runStep({ entry, env: { SECRET: secret } });
}

/** The scan's findings for one step only (others in the file are clean or exempted). */
function findingsFor(result: StepResult): string[] {
  const index = recordedSteps().findIndex(s => s.result === result);
  return scanRecordedSteps().filter(l => l.startsWith(`step #${index + 1} `));
}

test('every step is recorded and every secret the world issued is registered', async () => {
  const before = recordedSteps().length;
  const main = await world.step({ 'role-to-assume': role('gha-deploy') });
  expect(main.exitCode).toBe(0);
  expect(recordedSteps().length).toBe(before + 1);
  const session = world.sts.sessions.at(-1)!;
  expect(registeredSecrets()).toEqual(
    expect.arrayContaining([session.accessKeyId, session.secretAccessKey, session.sessionToken, world.oidc.issued.at(-1)!.token, USER.accessKeyId, USER.secretAccessKey])
  );
  // The real step masks and never prints them.
  expect(findingsFor(main)).toEqual([]);
});

test('a secret handed to a later step in its environment is fine; printing it is not', async () => {
  const secret = world.sts.sessions.at(-1)!.secretAccessKey;
  const quiet = await laterStep("console.log('deploying with', process.env.SECRET.length, 'characters of secret')", secret);
  expect(findingsFor(quiet)).toEqual([]);

  const loud = await laterStep('console.log(`key=${process.env.SECRET}`)', secret);
  expect(findingsFor(loud)).toEqual([expect.stringMatching(/appears plain on stdout line 0 and is never masked$/)]);
  exemptFromLeakScan(loud);
});

test('encoded, stderr, after-mask and step-summary appearances are all found', async () => {
  const token = world.oidc.issued.at(-1)!.token;
  const encoded = await laterStep("console.error('Authorization: Basic ' + Buffer.from('x:' + process.env.SECRET).toString('base64'))", USER.secretAccessKey);
  expect(findingsFor(encoded)).toEqual([expect.stringMatching(/appears base64 \(offset 2\) on stderr line 0/)]);
  exemptFromLeakScan(encoded);

  const masked = await laterStep("console.log('::add-mask::' + process.env.SECRET); console.log(process.env.SECRET)", token);
  expect(findingsFor(masked)).toEqual([expect.stringMatching(/after its ::add-mask:: on line 0 \(starred by the runner, but printed\)$/)]);
  exemptFromLeakScan(masked);

  const summary = await laterStep("import { appendFileSync } from 'node:fs'; appendFileSync(process.env.GITHUB_STEP_SUMMARY, '## Deployed\\n' + process.env.SECRET + '\\n')", token);
  expect(findingsFor(summary)).toEqual([expect.stringMatching(/\(step summary \/ file-command errors\)$/)]);
  exemptFromLeakScan(summary);
});

test('with everything exempted that leaks on purpose, the file scan is clean', () => {
  expect(scanRecordedSteps()).toEqual([]);
});
