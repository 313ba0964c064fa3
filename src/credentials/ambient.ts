// The runner's own AWS identity (self-hosted runners on EC2, ECS, EKS, CodeBuild): the SDK's standard
// Node chain, walked one provider at a time in the SDK's order so the run can say which one answered.
// Whatever is found is masked at once, then verified with GetCallerIdentity.
import { StepError } from '../errors.js';
import type { AmbientLookup } from '../inputs/environment.js';
import { preview } from '../log-text.js';
import { maskAccount, maskCredentials } from '../mask.js';
import type { Plan } from '../plan.js';
import type { Runtime } from '../ports.js';
import type { AmbientAnswer, RunnerIdentity, SessionCredentials, Sts } from '../types.js';
import { retrier, stsFailure } from './assume.js';

export const RUNNER_ORIGINS = {
  environment: 'environment variables (AWS_ACCESS_KEY_ID)',
  profile: (name: string): string => `profile '${name}' of the shared AWS files`,
  webIdentity: 'web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE, as EKS IRSA sets it)',
  container: 'container credentials (ECS, EKS Pod Identity, CodeBuild)',
  instance: 'EC2 instance role'
} as const;

export const NO_RUNNER_IDENTITY_FIX =
  'give the job `permissions: id-token: write` and set role-to-assume (GitHub OIDC; pull requests from forks never get a token); or pass aws-access-key-id and aws-secret-access-key; ' +
  'or run on a runner with an AWS identity of its own (an EC2 instance profile, an ECS task role, EKS Pod Identity or IRSA, a CodeBuild service role)';

/** A provider of the chain: asked, or skipped because its settings are absent (the reason goes in the error). */
type Provider = { origin: string; skipped: string } | { origin: string; ask(): Promise<AmbientAnswer> };

export type RunnerSearch = { found: { credentials: SessionCredentials; origin: string } } | { tried: string[] };

/** The first provider with credentials, masked; or, for the error, what each provider said. */
export async function findRunnerCredentials(lookup: AmbientLookup, plan: Plan, sts: Sts, rt: Runtime): Promise<RunnerSearch> {
  const tried: string[] = [];
  for (const provider of providers(lookup, plan, sts, rt)) {
    if ('skipped' in provider) {
      tried.push(`${provider.origin}: ${provider.skipped}`);
      continue;
    }
    const answer = await provider.ask();
    if ('credentials' in answer) {
      maskCredentials(rt.out, answer.credentials);
      rt.out.debug(`The runner's own credentials: found by ${provider.origin}`);
      return { found: { credentials: answer.credentials, origin: provider.origin } };
    }
    tried.push(`${provider.origin}: ${preview(answer.missing, 160)}`);
  }
  return { tried };
}

/** The runner's credentials and who they verify as; an error that lists every source tried when there are none. */
export async function identifyRunner(lookup: AmbientLookup, plan: Plan, sts: Sts, rt: Runtime): Promise<RunnerIdentity> {
  const search = await findRunnerCredentials(lookup, plan, sts, rt);
  if ('tried' in search) {
    throw new StepError(
      `No AWS credentials found for the runner's own identity. Tried, in the AWS SDK's order:\n${search.tried.map(line => `- ${line}`).join('\n')}\nTo fix: ${NO_RUNNER_IDENTITY_FIX}`
    );
  }
  const { credentials, origin } = search.found;
  const identity = await retrier(plan, rt)('GetCallerIdentity (runner credentials)', () => sts.getCallerIdentity(credentials)).catch((error: unknown) => {
    throw stsFailure('GetCallerIdentity', `the runner's own credentials (${origin})`, error);
  });
  maskAccount(rt.out, plan.sinks.maskAccountId, identity.account);
  return { credentials, origin, identity };
}

function providers(lookup: AmbientLookup, plan: Plan, sts: Sts, rt: Runtime): Provider[] {
  const { environment, webIdentity, container, sharedFiles: files } = lookup;
  const instance = RUNNER_ORIGINS.instance;
  return [
    environment === undefined
      ? { origin: RUNNER_ORIGINS.environment, skipped: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set' }
      : lookup.profileSet
        ? { origin: RUNNER_ORIGINS.environment, skipped: 'skipped because AWS_PROFILE is set' }
        : { origin: RUNNER_ORIGINS.environment, ask: () => Promise.resolve({ credentials: environment }) },
    {
      origin: RUNNER_ORIGINS.profile(lookup.profile),
      ask: () => rt.resolveAmbient({ kind: 'profile', profile: lookup.profile, credentialsFile: files.credentials, configFile: files.config })
    },
    webIdentity === undefined
      ? { origin: RUNNER_ORIGINS.webIdentity, skipped: 'AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set' }
      : { origin: RUNNER_ORIGINS.webIdentity, ask: () => exchangeWebIdentity(webIdentity, plan, sts, rt) },
    // As in the SDK: a container URI means a container, and instance metadata is then not asked.
    container !== undefined
      ? { origin: RUNNER_ORIGINS.container, ask: () => rt.resolveAmbient(container) }
      : lookup.instanceMetadataOff !== undefined
        ? { origin: instance, skipped: lookup.instanceMetadataOff }
        : { origin: instance, ask: () => rt.resolveAmbient({ kind: 'instance-metadata' }) }
  ];
}

/**
 * IRSA: the token file exchanged through this run's own STS connection (endpoint, proxy, retries)
 * rather than the SDK's, which would reach STS on its own terms. A refusal is an error, as in the SDK.
 */
async function exchangeWebIdentity(settings: NonNullable<AmbientLookup['webIdentity']>, plan: Plan, sts: Sts, rt: Runtime): Promise<AmbientAnswer> {
  const token = await rt.readTokenFile(settings.tokenFile);
  rt.out.setSecret(token);
  const request = { roleArn: settings.roleArn, sessionName: settings.sessionName, durationSeconds: 3600, managedSessionPolicies: [] };
  const session = await retrier(plan, rt)('AssumeRoleWithWebIdentity (AWS_ROLE_ARN)', () => sts.assumeRoleWithWebIdentity(request, token)).catch((error: unknown) => {
    throw stsFailure('AssumeRoleWithWebIdentity', `AWS_ROLE_ARN ${preview(settings.roleArn)}`, error);
  });
  return { credentials: session.credentials };
}
