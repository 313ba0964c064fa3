// npm run demo: the local STS and GitHub OIDC stand-ins, the built action run as a workflow step
// would run it (OIDC path), its log as the runner would show it, and a later step using the result.
import { hasAwsCli, LATER_STEP_NOTICE } from '../__tests__/support/aws-cli.ts';
import { awsEnv, role, startWorld } from '../__tests__/support/world.ts';
import type { StepResult } from '../__tests__/support/step-runner.ts';

/** What the runner's log shows: add-mask lines hidden, every registered secret replaced by ***. */
function asRunnerShows(text: string, masks: string[]): string {
  const secrets = [...masks].filter(s => s !== '').sort((a, b) => b.length - a.length);
  return (
    text
      .split('\n')
      // The runner hides these: masks always, debug lines unless ACTIONS_STEP_DEBUG is on.
      .filter(line => !/^\s*::(add-mask|debug)::/.test(line))
      .map(line => secrets.reduce((shown, secret) => shown.split(secret).join('***'), line))
      .join('\n')
      .trimEnd()
  );
}

function section(title: string, body: string): void {
  process.stdout.write(`\n=== ${title} ===\n${body}\n`);
}

async function main(): Promise<number> {
  if (!hasAwsCli) process.stdout.write(`${LATER_STEP_NOTICE}\n`);
  const world = await startWorld();
  try {
    section('Local stand-ins', `STS (SigV4-checking) at ${world.sts.url}\nGitHub OIDC token endpoint at ${world.oidc.requestUrl}`);
    const roleArn = role('gha-deploy');
    section('Workflow step', `uses: ./   with: role-to-assume: ${roleArn}, aws-region: us-east-1   (job permissions: id-token: write)`);
    const step: StepResult = await world.step({ 'role-to-assume': roleArn });
    section(`Step log (exit ${step.exitCode}, ${Math.round(step.durationMs)} ms)`, asRunnerShows(`${step.stdout}${step.stderr}`, step.masks));
    const exported = Object.entries(step.env).map(([name, value]) => `${name}=${asRunnerShows(value, step.masks)}`);
    section('Exported to later steps (GITHUB_ENV, as masked in logs)', exported.join('\n'));
    section(
      'Step outputs',
      Object.entries(step.outputs)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')
    );
    if (step.exitCode !== 0) return 1;

    const later = await world.whoami(awsEnv(step));
    const client = hasAwsCli ? 'aws sts get-caller-identity' : 'GetCallerIdentity with the AWS SDK for JavaScript (default credential chain)';
    section(`Later step: ${client}`, later.exitCode === 0 ? later.stdout.trim() : later.stderr.trim());
    const post = await world.post(step);
    section('Post step', asRunnerShows(post.stdout, []));
    return later.exitCode === 0 && post.exitCode === 0 ? 0 : 1;
  } finally {
    await world.close();
  }
}

process.exitCode = await main();
