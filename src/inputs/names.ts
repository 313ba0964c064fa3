// The action's inputs by name, their runner variables and defaults. Pure data.
/** Every input this action reads, by the name a workflow uses in `with:`. */
export const INPUT_NAMES = [
  'aws-region',
  'role-to-assume',
  'role-session-name',
  'role-duration-seconds',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'role-external-id',
  'inline-session-policy',
  'managed-session-policies',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'mask-aws-account-id',
  'output-credentials',
  'output-env-credentials',
  'unset-current-credentials',
  'allowed-account-ids',
  'disable-retry',
  'retry-max-attempts',
  'sts-endpoint',
  'aws-profile',
  'overwrite-aws-profile',
  'profiles',
  'http-proxy',
  'no-proxy',
  'custom-tags',
  'special-characters-workaround',
  'use-existing-credentials',
  'force-skip-oidc',
  'action-timeout-s',
  'role-chain',
  'refresh-credentials',
  'source-identity',
  'summary'
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export const DEFAULTS = {
  sessionName: 'GitHubActions',
  durationSeconds: 3600,
  chainedMaxSeconds: 3600,
  maxChainHops: 10,
  audience: 'sts.amazonaws.com',
  maxAttempts: 12
} as const;

/** The variable the runner sets for an input: spaces become `_`, hyphens stay, upper case. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}
