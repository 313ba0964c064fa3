import type { Env } from './inputs.js';

/**
 * The fields of @actions/github's `context` this action reads, from the same runner variables.
 * Importing @actions/github for them loads its Octokit client and HTTP stack (~1.1 MB unminified)
 * and parses the event payload, none of which the session tags need. One difference: a missing
 * variable reads as '' here (the toolkit gives undefined, which the tag code could not handle).
 */
export function githubContext(env: Env) {
  return {
    /** Like the toolkit's: owner and name from GITHUB_REPOSITORY; it throws without it. */
    get repo(): { owner: string; repo: string } {
      if (!env.GITHUB_REPOSITORY) throw new Error("context.repo requires a GITHUB_REPOSITORY environment variable like 'owner/repo'");
      const [owner = '', repo = ''] = env.GITHUB_REPOSITORY.split('/');
      return { owner, repo };
    },
    eventName: env.GITHUB_EVENT_NAME ?? '',
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    action: env.GITHUB_ACTION ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    job: env.GITHUB_JOB ?? '',
    runId: parseInt(env.GITHUB_RUN_ID ?? '', 10)
  };
}
