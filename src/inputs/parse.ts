// The inputs layer's entry: every input and environment variable the run depends on, read once,
// checked, and turned into one typed value.
import { homedir } from 'node:os';
import { InputError } from '../errors.js';
import type { Env, SystemFacts } from '../types.js';
import { parseCustomTags } from './custom-tags.js';
import { configFileVariant, type ConfigFileVariant } from './aws-config.js';
import { environmentInputs } from './env-inputs.js';
import { readRunnerFacts, sharedFiles } from './environment.js';
import type { Inputs } from './model.js';
import {
  legacyEnvironment,
  readAccountIds,
  readAudience,
  readEndpoint,
  readExternalId,
  readInlinePolicy,
  readKeys,
  readManagedPolicies,
  readMaxAttempts,
  readProfileName,
  readRegion,
  readRole,
  readRoleChain,
  readSessionName,
  readSourceIdentity,
  readTokenFile,
  readTransitiveTagKeys
} from './fields.js';
import { DEFAULTS } from './names.js';
import { parseProfileSpecs } from './profile-specs.js';
import { readProxySettings } from './proxy-settings.js';

export type { Inputs };
import { InputReader } from './reader.js';
import { checkCombinations } from './rules.js';

/** Reads and checks every input and the environment; pure, so it runs before anything touches the network. */
export function parseInputs(env: Env, system: SystemFacts = { homedir: homedir(), nodeVersion: process.versions.node }): Inputs {
  const fromEnvironment = environmentInputs(env);
  const read = new InputReader(fromEnvironment.env);
  const legacy = legacyEnvironment(read, env);
  const roleChaining = read.boolean('role-chaining', false);
  const awsProfile = readProfileName(read);
  const profiles = parseProfileSpecs(read.lines('profiles'), rule => read.problem('profiles', rule));
  const region = readRegion(read, env);
  const endpointNotices: string[] = [];
  const refreshCredentials = read.boolean('refresh-credentials', false);
  const inputs: Inputs = {
    region,
    role: readRole(read, legacy.roleArn),
    sessionName: readSessionName(read),
    durationSeconds: legacy.durationSeconds ?? read.integer('role-duration-seconds', DEFAULTS.durationSeconds, 900, 43200),
    keys: readKeys(read),
    webIdentityTokenFile: readTokenFile(read, env),
    roleChaining,
    audience: readAudience(read),
    externalId: readExternalId(read),
    inlineSessionPolicy: readInlinePolicy(read),
    managedSessionPolicies: readManagedPolicies(read),
    skipSessionTagging: read.boolean('role-skip-session-tagging', false),
    transitiveTagKeys: readTransitiveTagKeys(read),
    maskAccountId: read.boolean('mask-aws-account-id', false),
    outputCredentials: read.boolean('output-credentials', false),
    // Writing a profile means the shared files are the sink; the environment only when asked. A refresh
    // profile is found through AWS_PROFILE in the environment, so there it stays on.
    outputEnvCredentials: read.boolean('output-env-credentials', (awsProfile === undefined && profiles.length === 0) || refreshCredentials),
    unsetCurrentCredentials: read.boolean('unset-current-credentials', false),
    allowedAccountIds: readAccountIds(read),
    maxAttempts: readMaxAttempts(read),
    stsEndpoint: readEndpoint(read, env, region, activeProfileVariant(env, system), endpointNotices),
    awsProfile,
    overwriteProfile: read.boolean('overwrite-aws-profile', false),
    profiles,
    proxy: readProxySettings(read.text('http-proxy'), read.text('no-proxy'), env, rule => read.problem('http-proxy', rule)),
    customTags: parseCustomTags(read.text('custom-tags'), rule => read.problem('custom-tags', rule)),
    specialCharactersWorkaround: read.boolean('special-characters-workaround', false),
    useExistingCredentials: read.boolean('use-existing-credentials', false),
    forceSkipOidc: read.boolean('force-skip-oidc', false),
    actionTimeoutSeconds: read.integer('action-timeout-s', 0, 0, 21600),
    notices: [...fromEnvironment.notices, ...legacy.notices, ...endpointNotices],
    warnings: [...legacy.warnings],
    roleChain: readRoleChain(read),
    refreshCredentials,
    sourceIdentity: readSourceIdentity(read),
    summary: read.boolean('summary', true),
    environment: readRunnerFacts(env, system)
  };
  checkCombinations(read, inputs);
  if (read.problems.length > 0) throw new InputError(read.problems);
  return inputs;
}

/** FIPS and dual-stack as the SDK would take them from the active profile of the shared config file. */
function activeProfileVariant(env: Env, system: SystemFacts): ConfigFileVariant {
  const profile = env.AWS_PROFILE?.trim() || 'default';
  return configFileVariant(system.readConfigFile?.(sharedFiles(env, system.homedir, system.platform).config), profile);
}

export interface SummaryOptions {
  enabled: boolean;
  maskAccountId: boolean;
}

/** Read on their own (leniently) so a run whose other inputs are invalid can still report that. */
export function summaryOptions(env: Env): SummaryOptions {
  const read = new InputReader(env);
  return { enabled: read.boolean('summary', true), maskAccountId: read.boolean('mask-aws-account-id', false) };
}
