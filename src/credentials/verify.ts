// Verify: GetCallerIdentity with the new credentials, and the account checks, before anything is exported.
import { StepError } from '../errors.js';
import { maskAccount } from '../mask.js';
import type { AmbientLookup } from '../inputs/environment.js';
import type { Plan } from '../plan.js';
import type { Runtime } from '../ports.js';
import { isRetryable } from '../sts/retry.js';
import type { CallerIdentity, SessionCredentials, Sts } from '../types.js';
import { findRunnerCredentials } from './ambient.js';
import { retrier, stsFailure } from './assume.js';

// Brand-new session credentials can be refused for a moment while STS propagates them.
const FRESH_CREDENTIAL_GRACE_ATTEMPTS = 3;

/** Proves the credentials work, and belong where they should, before anything is exported. */
export async function verifyCredentials(plan: Plan, sts: Sts, rt: Runtime, credentials: SessionCredentials, expectedArn?: string): Promise<CallerIdentity> {
  const retryable = (error: unknown, attempt: number): boolean =>
    isRetryable(error) || (expectedArn !== undefined && (error as { name?: unknown }).name === 'InvalidClientTokenId' && attempt < FRESH_CREDENTIAL_GRACE_ATTEMPTS);
  const identity = await retrier(plan, rt)('GetCallerIdentity', () => sts.getCallerIdentity(credentials), retryable).catch((error: unknown) => {
    throw stsFailure('GetCallerIdentity', expectedArn === undefined ? 'the credentials' : 'the new credentials', error);
  });
  maskAccount(rt.out, plan.sinks.maskAccountId, identity.account);
  if (expectedArn !== undefined && identity.arn !== expectedArn) {
    throw new StepError(`GetCallerIdentity says these credentials are ${identity.arn}, but STS issued them for ${expectedArn}`);
  }
  checkAllowedAccount(plan, identity);
  rt.out.info(`Verified with GetCallerIdentity: ${identity.arn} (account ${identity.account})`);
  return identity;
}

export function checkAllowedAccount(plan: Plan, identity: CallerIdentity): void {
  const allowed = plan.allowedAccountIds;
  if (allowed.length === 0 || allowed.includes(identity.account)) return;
  throw new StepError(`allowed-account-ids: the credentials belong to account ${identity.account}, which is not one of ${allowed.join(', ')}; nothing was exported`);
}

/** `use-existing-credentials`: one unretried check; credentials that work (in an allowed account) are kept. */
export async function existingCredentialsWork(plan: Plan, sts: Sts, rt: Runtime): Promise<boolean> {
  const existing = plan.existing;
  if (existing === undefined) return false;
  const found = existing.kind === 'environment' ? { credentials: existing.credentials, origin: 'the environment' } : await runnerCredentials(existing.lookup, plan, sts, rt);
  if (found === undefined) return false;
  const identity = await sts.getCallerIdentity(found.credentials).catch(() => undefined);
  if (identity === undefined) {
    rt.out.info(`use-existing-credentials: the credentials from ${found.origin} do not work; getting new ones`);
    return false;
  }
  maskAccount(rt.out, plan.sinks.maskAccountId, identity.account);
  checkAllowedAccount(plan, identity);
  const whose = existing.kind === 'environment' ? 'the working credentials already in the environment' : `the runner's own working credentials, from ${found.origin}`;
  rt.out.notice(`use-existing-credentials: keeping ${whose} (${identity.arn})`);
  return true;
}

async function runnerCredentials(lookup: AmbientLookup, plan: Plan, sts: Sts, rt: Runtime): Promise<{ credentials: SessionCredentials; origin: string } | undefined> {
  const search = await findRunnerCredentials(lookup, plan, sts, rt);
  if ('found' in search) return search.found;
  rt.out.info('use-existing-credentials: the runner has no AWS credentials of its own; getting new ones');
  return undefined;
}
