// Which credentials the run starts from: a pure function of the inputs, used by the input rules and the plan alike.
import type { IdTokenEndpoint, StaticCredentials } from '../types.js';
import type { AmbientLookup } from './environment.js';
import type { Inputs } from './model.js';

export type CredentialSource =
  | { kind: 'oidc'; audience: string; endpoint: IdTokenEndpoint }
  | { kind: 'keys'; credentials: StaticCredentials }
  | { kind: 'token-file'; path: string }
  | { kind: 'environment'; credentials: StaticCredentials }
  /** The runner's own identity, found at run time by the SDK's standard chain (instance role, container, IRSA, profile…). */
  | { kind: 'ambient'; lookup: AmbientLookup };

export type SignedSource = Extract<CredentialSource, { kind: 'keys' | 'environment' }>;
export type AmbientSource = Extract<CredentialSource, { kind: 'ambient' }>;

export const SOURCE_LABELS: Record<CredentialSource['kind'], string> = {
  oidc: 'GitHub OIDC token',
  keys: 'stored access keys',
  'token-file': 'web identity token file',
  environment: 'credentials already in the environment (role chaining)',
  ambient: "the runner's own AWS identity"
};

/**
 * Keys, then a token file, then role chaining, then OIDC when the job may request a token, else the
 * runner's own identity (self-hosted runners on EC2, ECS, EKS, CodeBuild), as configure-aws-credentials does.
 * Undefined only for role chaining with credentials in the environment that could never be sent.
 */
export function chooseSource(inputs: Inputs): CredentialSource | undefined {
  if (inputs.keys !== undefined) return { kind: 'keys', credentials: inputs.keys };
  if (inputs.webIdentityTokenFile !== undefined) return { kind: 'token-file', path: inputs.webIdentityTokenFile };
  const environment = inputs.environment.credentials;
  // The SDK would send malformed keys as they are (unless AWS_PROFILE is set), and fail only inside a signature.
  const unusable = environment === 'malformed' && (inputs.roleChaining || !inputs.environment.ambient.profileSet);
  if (inputs.roleChaining && typeof environment === 'object') return { kind: 'environment', credentials: environment };
  const endpoint = inputs.environment.idToken;
  const assumes = inputs.role !== undefined || inputs.profiles.length > 0;
  if (!inputs.roleChaining && assumes && !inputs.forceSkipOidc && endpoint !== undefined) return { kind: 'oidc', audience: inputs.audience, endpoint };
  return unusable ? undefined : ambientSource(inputs);
}

export function ambientSource(inputs: Inputs): AmbientSource {
  return { kind: 'ambient', lookup: inputs.environment.ambient };
}

/** Sources whose sessions come from AssumeRole: session tags, external ids and role names apply. */
export function isSigned(source: CredentialSource): boolean {
  return source.kind === 'keys' || source.kind === 'environment' || source.kind === 'ambient';
}
