// Export: the verified credentials to the environment, the step's outputs and the profile files.
import type { Plan, RefreshSink } from '../plan.js';
import type { ActionOutput } from '../ports.js';
import type { CallerIdentity, SessionCredentials } from '../types.js';
import { writeProfiles, type ProfileEntry } from './profiles.js';
import { EXPORTABLE_VARIABLES, EXPORTED_STATE, PROFILES_STATE } from './state.js';

/** Credentials that passed verification, and where they go. */
export interface Verified {
  credentials: SessionCredentials;
  identity: CallerIdentity;
  /** Undefined for the main credentials (role-to-assume or the keys); a name for each `profiles` entry. */
  profile: string | undefined;
  region: string;
}

/** Profiles first (a file error then leaves the environment untouched), then environment and outputs. */
export function exportCredentials(out: ActionOutput, plan: Plan, results: Verified[]): void {
  const files = plan.sinks.sharedFiles;
  const main = results.find(result => result.profile === undefined);
  const entries: ProfileEntry[] = results.flatMap(result => {
    const name = result.profile ?? plan.sinks.profile;
    return name === undefined ? [] : [{ name, region: result.region, credentials: result.credentials }];
  });
  if (entries.length > 0) {
    out.saveState(PROFILES_STATE, JSON.stringify(writeProfiles(files, entries)));
    out.info(`Wrote profile${entries.length > 1 ? 's' : ''} ${entries.map(e => `'${e.name}'`).join(', ')} to ${files.credentials} and ${files.config}`);
  }
  if (plan.sinks.clearEnvironment) wipeCredentials(out);
  if (main === undefined) return;
  if (plan.sinks.env && plan.sinks.refresh) exportVariables(out, refreshVariables(plan.sinks.refresh, plan.region));
  else if (plan.sinks.env) exportEnvironment(out, plan, main.credentials);
  out.setOutput('aws-account-id', main.identity.account);
  out.setOutput('authenticated-arn', main.identity.arn);
  if (plan.sinks.credentialOutputs) exportOutputs(out, main.credentials);
}

/** Only a region: the runner's own credentials stay where later steps find them the same way; only who they are is said. */
export function exportRunnerIdentity(out: ActionOutput, plan: Plan, identity: CallerIdentity): void {
  if (plan.sinks.env) exportVariables(out, { AWS_REGION: plan.region, AWS_DEFAULT_REGION: plan.region });
  out.setOutput('aws-account-id', identity.account);
  out.setOutput('authenticated-arn', identity.arn);
}

function exportEnvironment(out: ActionOutput, plan: Plan, credentials: SessionCredentials): void {
  // A token left from an earlier step would pair with the new keys and make every call fail.
  const clearsToken = credentials.sessionToken === undefined && plan.sinks.clearSessionToken;
  exportVariables(out, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined || clearsToken ? { AWS_SESSION_TOKEN: credentials.sessionToken ?? '' } : {}),
    AWS_REGION: plan.region,
    AWS_DEFAULT_REGION: plan.region,
    ...(plan.sinks.profile === undefined ? {} : { AWS_PROFILE: plan.sinks.profile })
  });
}

function exportOutputs(out: ActionOutput, credentials: SessionCredentials): void {
  out.setOutput('aws-access-key-id', credentials.accessKeyId);
  out.setOutput('aws-secret-access-key', credentials.secretAccessKey);
  if (credentials.sessionToken) out.setOutput('aws-session-token', credentials.sessionToken);
  if (credentials.expiration) out.setOutput('aws-expiration', credentials.expiration.toISOString());
}

/** AWS_PROFILE instead of keys; the key variables blank, because the CLI prefers them and SDK v3 prefers the profile. */
export function refreshVariables(sink: RefreshSink, region: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: sink.profile,
    ...(sink.customConfigFile ? { AWS_CONFIG_FILE: sink.configFile } : {}),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region
  };
}

/** Blanks the credentials for later steps: `unset-current-credentials` on its own. */
export function wipeCredentials(out: ActionOutput): void {
  // AWS_CONFIG_FILE is left alone: it may be the job's own setting, and blank it names no file.
  const names = EXPORTABLE_VARIABLES.filter(name => name !== 'AWS_CONFIG_FILE');
  for (const name of names) out.exportVariable(name, '');
  out.info(`Cleared ${names.join(', ')} for later steps`);
}

function exportVariables(out: ActionOutput, variables: Record<string, string>): void {
  const names = Object.keys(variables);
  for (const name of names) out.exportVariable(name, variables[name] ?? '');
  // The post step blanks exactly these, and only because this run exported them.
  out.saveState(EXPORTED_STATE, names.join(','));
}
