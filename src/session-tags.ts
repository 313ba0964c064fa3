// The session tags this action sends on AssumeRole, from the run's context. Pure; imports only types.
import type { RunContext, Tag } from './types.js';

type TagSource = readonly [key: string, value: (run: RunContext) => string];

/** Always sent; trust policies and SCPs commonly test these. */
const PROTECTED_TAGS: readonly TagSource[] = [
  ['GitHub', () => 'Actions'],
  ['Repository', run => run.repository],
  ['Workflow', run => run.workflow],
  ['Action', run => run.action],
  ['Actor', run => run.actor],
  ['Commit', run => run.sha],
  ['Branch', run => run.ref]
];

/** Sent too, but given up when STS finds the packed tags too large (PackedPolicyTooLarge). */
const DROPPABLE_TAGS: readonly TagSource[] = [
  ['EventName', run => run.eventName],
  ['BaseRef', run => run.baseRef],
  ['HeadRef', run => run.headRef],
  ['RunId', run => run.runId],
  ['Job', run => run.job],
  ['TriggeringActor', run => run.triggeringActor]
];

export const BUILT_IN_TAG_KEYS: readonly string[] = [...PROTECTED_TAGS, ...DROPPABLE_TAGS].map(([key]) => key);
export const DROPPABLE_TAG_KEYS: readonly string[] = DROPPABLE_TAGS.map(([key]) => key);
export const MAX_SESSION_TAGS = 50;

const MAX_TAG_VALUE = 256;

/** STS accepts only letters, separators, digits and `_.:/=+-@` in tag values, up to 256 characters. */
export function sanitizeTagValue(value: string): string {
  return Array.from(value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_'))
    .slice(0, MAX_TAG_VALUE)
    .join('');
}

/** The run's tags, then the user's; tags with an empty value are left out, as they say nothing. */
export function sessionTags(run: RunContext, customTags: readonly Tag[] = []): Tag[] {
  const builtIn = [...PROTECTED_TAGS, ...DROPPABLE_TAGS].map(([Key, value]) => ({ Key, Value: sanitizeTagValue(value(run)) }));
  return [...builtIn.filter(tag => tag.Value !== ''), ...customTags];
}

export function withoutDroppableTags(tags: readonly Tag[]): Tag[] {
  return tags.filter(tag => !DROPPABLE_TAG_KEYS.includes(tag.Key));
}
