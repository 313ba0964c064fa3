import type { Env } from './inputs.js';

export const ACTION_NAME = 'aws-assume-role-action';
export const ACTION_VERSION = '1.0.0';

/** Name, version and the run, so a CloudTrail entry leads back to the workflow run that made it. */
export function userAgent(env: Env): [string, string][] {
  const parts: [string, string][] = [[ACTION_NAME, ACTION_VERSION]];
  const runId = env.GITHUB_RUN_ID ?? '';
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '';
  if (/^\d{1,20}$/.test(runId)) parts.push(['md/run_id', runId]);
  if (/^\d{1,10}$/.test(attempt)) parts.push(['md/run_attempt', attempt]);
  return parts;
}
