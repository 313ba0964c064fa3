import type { Tag } from './sts.js';

/** The parts of the run that identify it; GitHub's own context object provides them. */
export interface RunContext {
  repository: string;
  workflow: string;
  action: string;
  actor: string;
  sha: string;
  ref: string;
}

/** Session tags this action sends, in order, with where each value comes from. */
const BUILT_IN_TAGS: ReadonlyArray<[key: string, value: (run: RunContext) => string]> = [
  ['GitHub', () => 'Actions'],
  ['Repository', run => run.repository],
  ['Workflow', run => run.workflow],
  ['Action', run => run.action],
  ['Actor', run => run.actor],
  ['Commit', run => run.sha],
  ['Branch', run => run.ref]
];

export const BUILT_IN_TAG_KEYS: readonly string[] = BUILT_IN_TAGS.map(([key]) => key);

const MAX_TAG_VALUE = 256;

/** STS accepts only letters, separators, digits and `_.:/=+-@` in tag values, up to 256 characters. */
export function sanitizeTagValue(value: string): string {
  return Array.from(value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_'))
    .slice(0, MAX_TAG_VALUE)
    .join('');
}

/** Tags with an empty value are left out: STS would accept them, but they say nothing. */
export function sessionTags(run: RunContext): Tag[] {
  return BUILT_IN_TAGS.map(([Key, value]) => ({ Key, Value: sanitizeTagValue(value(run)) })).filter(tag => tag.Value !== '');
}
