// The typed value the inputs layer hands on: every input, and what the run needs from the environment.
import type { StsEndpoint } from '../endpoints.js';
import type { ProxySettings, RoleReference, StaticCredentials, Tag } from '../types.js';
import type { RunnerFacts } from './environment.js';
import type { ProfileSpec } from './profile-specs.js';

export interface Inputs {
  region: string;
  /** A full role ARN, or a bare role name that only a known source account can complete. */
  role?: RoleReference;
  sessionName: string;
  durationSeconds: number;
  keys?: StaticCredentials;
  webIdentityTokenFile?: string;
  roleChaining: boolean;
  audience: string;
  externalId?: string;
  inlineSessionPolicy?: string;
  managedSessionPolicies: string[];
  skipSessionTagging: boolean;
  transitiveTagKeys: string[];
  maskAccountId: boolean;
  outputCredentials: boolean;
  outputEnvCredentials: boolean;
  unsetCurrentCredentials: boolean;
  allowedAccountIds: string[];
  maxAttempts: number;
  /** Where STS is and who said so; undefined only when no region is needed (a wipe-only run). */
  stsEndpoint?: StsEndpoint;
  /** Write the role's (or the keys') credentials to this profile of the shared files. */
  awsProfile?: string;
  overwriteProfile: boolean;
  /** Further roles, each assumed from the same source and written to its own profile. */
  profiles: ProfileSpec[];
  proxy: ProxySettings;
  customTags: Tag[];
  specialCharactersWorkaround: boolean;
  useExistingCredentials: boolean;
  forceSkipOidc: boolean;
  actionTimeoutSeconds: number;
  /** Things a person should change in the workflow, though the run can go on. */
  notices: string[];
  /** Inputs that do not apply, or settings that put the job at risk: shown as warnings, the run goes on. */
  warnings: string[];
  /** Role ARNs assumed in order after role-to-assume, each signed with the previous hop's credentials. */
  roleChain: string[];
  refreshCredentials: boolean;
  /** SourceIdentity for the first AssumeRole of the run; it persists through later chained roles. */
  sourceIdentity?: string;
  summary: boolean;
  /** What the run needs from the environment besides the inputs: the one place it is read. */
  environment: RunnerFacts;
}
