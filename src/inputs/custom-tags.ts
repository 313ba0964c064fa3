import { TAG_KEY_PATTERN, TAG_VALUE_PATTERN } from '../aws-names.js';
import { BUILT_IN_TAG_KEYS, MAX_SESSION_TAGS } from '../session-tags.js';
import type { Tag } from '../types.js';

/** `custom-tags`: a JSON object of extra session tags, checked against STS's rules before any call. */
export function parseCustomTags(text: string | undefined, problem: (rule: string) => void): Tag[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problem('is not valid JSON (expected an object such as {"Team": "payments"})');
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problem('must be a JSON object of tag keys to values, not an array or a single value');
    return [];
  }
  const tags = Object.entries(parsed).flatMap(([key, value]) => customTag(key, value, problem));
  checkTagSet(tags, problem);
  return tags;
}

function customTag(key: string, value: unknown, problem: (rule: string) => void): Tag[] {
  if (!['string', 'number', 'boolean'].includes(typeof value)) {
    problem(`the value of '${short(key)}' must be a string, number or boolean`);
    return [];
  }
  const text = String(value);
  let ok = true;
  if (!TAG_KEY_PATTERN.test(key)) ok = fail(problem, `key '${short(key)}' must be 1-128 letters, digits, spaces or _.:/=+-@`);
  if (!TAG_VALUE_PATTERN.test(text)) ok = fail(problem, `the value of '${short(key)}' must be at most 256 letters, digits, spaces or _.:/=+-@`);
  if (BUILT_IN_TAG_KEYS.some(builtIn => builtIn.toLowerCase() === key.toLowerCase())) {
    ok = fail(problem, `key '${key}' is a tag this action sets itself (${BUILT_IN_TAG_KEYS.join(', ')}) and cannot be overridden`);
  }
  return ok ? [{ Key: key, Value: text }] : [];
}

function checkTagSet(tags: Tag[], problem: (rule: string) => void): void {
  const lower = tags.map(tag => tag.Key.toLowerCase());
  const clashes = tags.filter((_, i) => lower.indexOf(lower[i] ?? '') !== i).map(tag => tag.Key);
  if (clashes.length > 0) problem(`keys differ only in case (${clashes.map(short).join(', ')}); STS treats tag keys case-insensitively`);
  const total = tags.length + BUILT_IN_TAG_KEYS.length;
  if (total > MAX_SESSION_TAGS) {
    problem(`${tags.length} tags plus this action's ${BUILT_IN_TAG_KEYS.length} make ${total}; STS allows ${MAX_SESSION_TAGS} session tags`);
  }
}

function fail(problem: (rule: string) => void, rule: string): false {
  problem(rule);
  return false;
}

/** A key quoted back on one short line: JSON keys may hold line breaks. */
function short(text: string): string {
  const flat = text.replace(/[\r\n]/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}
