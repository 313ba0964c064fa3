// `npm run bench -- --refresh N`: what refresh-credentials costs a later step. The built main step runs
// once per mechanism against the stand-ins; then N `aws sts get-caller-identity` calls (the JS SDK's
// default chain where `aws` is missing) each with: the local credentials server (the default), the
// legacy credential_process profile (aws-profile), and static keys in the environment, alternating
// call by call so load on the machine hits all alike. Counts STS sessions and OIDC tokens per mechanism.
import { callerIdentity, laterStepClient } from '../../__tests__/support/aws-cli.ts';
import { envAfter, type StepResult } from '../../__tests__/support/step-runner.ts';
import { role, startWorld, type World } from '../../__tests__/support/world.ts';
import { median, ms, percentile, ratio, table, verdict } from './stats.ts';

const TARGET_RATIO = 1.15;

interface Mechanism {
  label: string;
  env: Record<string, string>;
  wall: number[];
  sessions: number;
  tokens: number;
  failures: number;
}

function idToken(world: World): Record<string, string> {
  return { ACTIONS_ID_TOKEN_REQUEST_URL: world.oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken };
}

function laterEnv(world: World, result: StepResult): Record<string, string> {
  return { ...envAfter(result), HOME: result.home, ...idToken(world) };
}

async function mainStep(world: World, inputs: Record<string, string>): Promise<StepResult> {
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', ...inputs });
  if (result.exitCode !== 0) throw new Error(`the main step failed: ${result.errors.join('; ')}`);
  return result;
}

async function oneCall(world: World, mechanism: Mechanism): Promise<void> {
  const [sessions, tokens] = [world.sts.sessions.length, world.oidc.issued.length];
  const started = performance.now();
  const call = await callerIdentity(world.sts.url, mechanism.env);
  mechanism.wall.push(performance.now() - started);
  if (call.exitCode !== 0) mechanism.failures += 1;
  mechanism.sessions += world.sts.sessions.length - sessions;
  mechanism.tokens += world.oidc.issued.length - tokens;
}

export async function refreshBench(calls: number): Promise<string> {
  const world = await startWorld();
  try {
    const served = await mainStep(world, {});
    const profile = await mainStep(world, { 'aws-profile': 'default' });
    const session = world.sts.sessions.at(-1)!;
    const keys = {
      AWS_ACCESS_KEY_ID: session.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
      AWS_SESSION_TOKEN: session.sessionToken,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1'
    };
    const mechanisms: Mechanism[] = [
      { label: 'refresh-credentials: local credentials server (default)', env: laterEnv(world, served), wall: [], sessions: 0, tokens: 0, failures: 0 },
      { label: 'refresh-credentials + aws-profile: credential_process (legacy)', env: laterEnv(world, profile), wall: [], sessions: 0, tokens: 0, failures: 0 },
      { label: 'static keys in the environment (reference)', env: keys, wall: [], sessions: 0, tokens: 0, failures: 0 }
    ];
    for (let i = 0; i < calls; i++) {
      process.stderr.write(`refresh: call ${i + 1}/${calls}\r`);
      for (const mechanism of mechanisms) await oneCall(world, mechanism);
    }
    process.stderr.write('\n');
    const post = await world.post(served);
    const stopped = /Stopped the local credentials server/.test(post.stdout);
    return report(calls, mechanisms, stopped);
  } finally {
    await world.close();
  }
}

function report(calls: number, mechanisms: Mechanism[], stopped: boolean): string {
  const reference = median(mechanisms[2]!.wall);
  const rows = mechanisms.map(m => [m.label, String(m.sessions), String(m.tokens), String(m.failures), ms(median(m.wall)), ms(percentile(m.wall, 90)), ratio(median(m.wall), reference)]);
  const server = median(mechanisms[0]!.wall) / reference;
  const clean = mechanisms.every(m => m.failures === 0);
  return [
    `### ${calls} later-step calls (${laterStepClient === 'aws-cli' ? '`aws sts get-caller-identity`, AWS CLI' : 'JS SDK default chain (no `aws` on PATH)'}), alternating call by call`,
    '',
    "STS sessions and OIDC tokens are counted during the calls (the main step's own assume is not included).",
    '',
    table(['mechanism', 'assumes during the calls', 'OIDC tokens', 'failed calls', 'wall per call, median', 'p90', '/ static keys (median)'], rows),
    '',
    `Target: the server within ${TARGET_RATIO}× of static keys per call: ${server.toFixed(2)}× ${clean ? verdict(server <= TARGET_RATIO) : '(not valid: some calls failed)'}. Post step stopped the server: ${stopped ? 'yes' : 'NO'}.`
  ].join('\n');
}
