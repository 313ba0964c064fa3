// Inputs from environment variables, as aws-actions/configure-aws-credentials reads them (e.g. set once
// as organization variables, its issue #1335): an input given in `with:` wins, and each one taken from
// the environment gets a notice naming the input.
import type { Env } from '../types.js';
import { inputVariable, type InputName } from './names.js';
import { nonEmpty } from './reader.js';

/**
 * The variable, the input it stands for, and the input's default in action.yml: the runner sets every
 * input, so one equal to its default counts as not given.
 */
const ENVIRONMENT_INPUTS: readonly [variable: string, input: InputName, inputDefault: string][] = [
  ['ROLE_TO_ASSUME', 'role-to-assume', ''],
  ['WEB_IDENTITY_TOKEN_FILE', 'web-identity-token-file', ''],
  ['AUDIENCE', 'audience', 'sts.amazonaws.com'],
  ['MASK_AWS_ACCOUNT_ID', 'mask-aws-account-id', 'false'],
  ['ROLE_DURATION_SECONDS', 'role-duration-seconds', '3600'],
  ['ROLE_EXTERNAL_ID', 'role-external-id', ''],
  ['ROLE_SESSION_NAME', 'role-session-name', 'GitHubActions'],
  ['ROLE_SKIP_SESSION_TAGGING', 'role-skip-session-tagging', 'false'],
  ['TRANSITIVE_TAG_KEYS', 'transitive-tag-keys', ''],
  ['INLINE_SESSION_POLICY', 'inline-session-policy', ''],
  ['MANAGED_SESSION_POLICIES', 'managed-session-policies', ''],
  ['OUTPUT_CREDENTIALS', 'output-credentials', 'false'],
  ['UNSET_CURRENT_CREDENTIALS', 'unset-current-credentials', 'false'],
  ['DISABLE_RETRY', 'disable-retry', 'false'],
  ['RETRY_MAX_ATTEMPTS', 'retry-max-attempts', '12'],
  ['SPECIAL_CHARACTERS_WORKAROUND', 'special-characters-workaround', 'false'],
  ['OVERWRITE_AWS_PROFILE', 'overwrite-aws-profile', 'false']
];

/**
 * Never from the environment: ROLE_CHAINING and USE_EXISTING_CREDENTIALS would make a step use the
 * credentials an earlier step left in the environment without its workflow saying so (the anchor's
 * #1339). AWS_REGION, HTTP_PROXY/HTTPS_PROXY and NO_PROXY are read by their own inputs already.
 */
export const NOT_FROM_ENVIRONMENT = ['ROLE_CHAINING', 'USE_EXISTING_CREDENTIALS'] as const;

export interface EnvironmentInputs {
  /** The step environment with those inputs filled in. */
  env: Env;
  notices: string[];
}

export function environmentInputs(env: Env): EnvironmentInputs {
  const filled: Record<string, string | undefined> = { ...env };
  const notices: string[] = [];
  for (const [variable, input, inputDefault] of ENVIRONMENT_INPUTS) {
    const value = nonEmpty(env[variable]);
    const given = nonEmpty(env[inputVariable(input)]);
    if (value === undefined || (given !== undefined && given !== inputDefault)) continue;
    filled[inputVariable(input)] = value;
    notices.push(`Using ${variable} from the environment as the ${input} input (an input given in with: wins)`);
  }
  return { env: filled, notices };
}
