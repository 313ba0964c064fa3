// Export: the verified credentials to the environment, the step's outputs and the profile files.
import type { Plan, RefreshSink } from '../plan.js';
import type { ActionOutput } from '../ports.js';
import type { CallerIdentity, SessionCredentials } from '../types.js';
import { profileSections, stageSections, type ProfileEntry, type SectionWrite } from './profiles.js';
import { serverState, serverVariables, SERVER_STATE, type RunningServer } from './refresh-server.js';
import { EXPORTABLE_VARIABLES, EXPORTED_STATE, PROFILES_STATE, REFRESH_STATE } from './state.js';

/** Credentials that passed verification, and where they go. */
export interface Verified {
  credentials: SessionCredentials;
  identity: CallerIdentity;
  /** Undefined for the main credentials (role-to-assume or the keys); a name for each `profiles` entry. */
  profile: string | undefined;
  region: string;
}

/** Where the refresh-credentials profile goes, and what to say once it is there. */
export interface RefreshWrite {
  section: SectionWrite;
  message: string;
}

/**
 * Everything prepared first (sections, variables, outputs, state), then handed to the runner in one
 * exportAll: state, then the profile files, then the environment and outputs, all or nothing.
 */
export function exportCredentials(out: ActionOutput, plan: Plan, results: Verified[], refresh?: RefreshWrite, server?: RunningServer): void {
  const files = plan.sinks.sharedFiles;
  const main = results.find(result => result.profile === undefined);
  const entries: ProfileEntry[] = results.flatMap(result => {
    const name = result.profile ?? plan.sinks.profile;
    return name === undefined ? [] : [{ name, region: result.region, credentials: result.credentials }];
  });
  const writes = [...profileSections(files, entries), ...(refresh ? [refresh.section] : [])];
  const staged = writes.length > 0 ? stageSections(writes, plan.sinks.overwriteProfiles) : undefined;
  const variables = main === undefined || !plan.sinks.env ? {} : laterStepVariables(plan, main, server);
  const sections = staged?.sections ?? [];
  const state: Record<string, string> = {
    // The post step blanks exactly these, and only because this run exported them.
    ...(Object.keys(variables).length > 0 ? { [EXPORTED_STATE]: Object.keys(variables).join(',') } : {}),
    ...(entries.length > 0 ? { [PROFILES_STATE]: JSON.stringify(sections.slice(0, entries.length * 2)) } : {}),
    ...(refresh ? { [REFRESH_STATE]: JSON.stringify(sections.slice(entries.length * 2)) } : {}),
    ...(server ? { [SERVER_STATE]: serverState(server) } : {})
  };
  const env = { ...(plan.sinks.clearEnvironment ? blankVariables() : {}), ...variables };
  const outputs = main === undefined ? {} : outputsOf(plan, main);
  out.debug(
    `Export: environment ${Object.keys(env).join(', ') || 'none'}; outputs ${Object.keys(outputs).join(', ') || 'none'}; state for the post step ${Object.keys(state).join(', ') || 'none'}${staged ? `; ${staged.staged.description}` : ''}`
  );
  out.exportAll({ state, env, outputs, files: staged?.staged });
  if (entries.length > 0) out.info(`Wrote profile${entries.length > 1 ? 's' : ''} ${entries.map(e => `'${e.name}'`).join(', ')} to ${files.credentials} and ${files.config}`);
  if (refresh) out.info(refresh.message);
  if (server)
    out.info(
      `Later steps get credentials from the local credentials server on 127.0.0.1:${server.port} (pid ${server.pid}); it re-assumes the role before they expire, and the post step stops it`
    );
  if (plan.sinks.clearEnvironment) out.info(`Cleared ${Object.keys(blankVariables()).join(', ')} for later steps`);
}

/** Only a region: the runner's own credentials stay where later steps find them the same way; only who they are is said. */
export function exportRunnerIdentity(out: ActionOutput, plan: Plan, identity: CallerIdentity): void {
  const env: Record<string, string> = plan.sinks.env ? { AWS_REGION: plan.region, AWS_DEFAULT_REGION: plan.region } : {};
  const state: Record<string, string> = Object.keys(env).length > 0 ? { [EXPORTED_STATE]: Object.keys(env).join(',') } : {};
  out.exportAll({ state, env, outputs: { 'aws-account-id': identity.account, 'authenticated-arn': identity.arn } });
}

function laterStepVariables(plan: Plan, main: Verified, server: RunningServer | undefined): Record<string, string> {
  if (server) return serverVariables(server, plan.region);
  return plan.sinks.refresh ? refreshVariables(plan.sinks.refresh, plan.region) : environmentVariables(plan, main.credentials);
}

function outputsOf(plan: Plan, main: Verified): Record<string, string> {
  const credentials = main.credentials;
  return {
    'aws-account-id': main.identity.account,
    'authenticated-arn': main.identity.arn,
    ...(plan.sinks.credentialOutputs
      ? {
          'aws-access-key-id': credentials.accessKeyId,
          'aws-secret-access-key': credentials.secretAccessKey,
          ...(credentials.sessionToken ? { 'aws-session-token': credentials.sessionToken } : {}),
          ...(credentials.expiration ? { 'aws-expiration': credentials.expiration.toISOString() } : {})
        }
      : {})
  };
}

function environmentVariables(plan: Plan, credentials: SessionCredentials): Record<string, string> {
  // A token left from an earlier step would pair with the new keys and make every call fail.
  const clearsToken = credentials.sessionToken === undefined && plan.sinks.clearSessionToken;
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken !== undefined || clearsToken ? { AWS_SESSION_TOKEN: credentials.sessionToken ?? '' } : {}),
    AWS_REGION: plan.region,
    AWS_DEFAULT_REGION: plan.region,
    ...(plan.sinks.profile === undefined ? {} : { AWS_PROFILE: plan.sinks.profile })
  };
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
  const env = blankVariables();
  out.exportAll({ state: {}, env, outputs: {} });
  out.info(`Cleared ${Object.keys(env).join(', ')} for later steps`);
}

function blankVariables(): Record<string, string> {
  // AWS_CONFIG_FILE is left alone: it may be the job's own setting, and blank it names no file.
  return Object.fromEntries(EXPORTABLE_VARIABLES.filter(name => name !== 'AWS_CONFIG_FILE').map(name => [name, '']));
}
