// Which credentials the run starts from: a pure function of the inputs, used by the input rules and the plan alike.
import type { IdTokenEndpoint, StaticCredentials } from '../types.js';
import type { Inputs } from './model.js';

export type CredentialSource =
  | { kind: 'oidc'; audience: string; endpoint: IdTokenEndpoint }
  | { kind: 'keys'; credentials: StaticCredentials }
  | { kind: 'token-file'; path: string }
  | { kind: 'environment'; credentials: StaticCredentials };

export type SignedSource = Extract<CredentialSource, { kind: 'keys' | 'environment' }>;

export const SOURCE_LABELS: Record<CredentialSource['kind'], string> = {
  oidc: 'GitHub OIDC token',
  keys: 'stored access keys',
  'token-file': 'web identity token file',
  environment: 'credentials already in the environment (role chaining)'
};

/** Keys, then a token file, then role chaining, then OIDC when the job may request a token. */
export function chooseSource(inputs: Inputs): CredentialSource | undefined {
  if (inputs.keys !== undefined) return { kind: 'keys', credentials: inputs.keys };
  if (inputs.webIdentityTokenFile !== undefined) return { kind: 'token-file', path: inputs.webIdentityTokenFile };
  const environment = inputs.environment.credentials;
  if (inputs.roleChaining) return typeof environment === 'object' ? { kind: 'environment', credentials: environment } : undefined;
  const endpoint = inputs.environment.idToken;
  if (!inputs.forceSkipOidc && endpoint !== undefined) return { kind: 'oidc', audience: inputs.audience, endpoint };
  return undefined;
}

export function isSigned(source: CredentialSource): source is SignedSource {
  return source.kind === 'keys' || source.kind === 'environment';
}
