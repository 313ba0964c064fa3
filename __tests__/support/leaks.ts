// Leak checks over a step's captured output. The runner's masker only hides a value in lines
// processed AFTER its `::add-mask::`, so a secret printed before its mask (or never masked) is in
// the log for good. Stricter than the runner on purpose: any appearance outside an add-mask
// line is reported, since an action has no reason to print a secret even when it would be starred.
import { outputLines, parseWorkflowCommands } from './file-commands.ts';
import type { WorkflowCommand } from './file-commands.ts';

type Stream = 'stdout' | 'stderr';

interface Variant {
  label: string;
  needle: string;
}

const MIN_SECRET = 4;
const MIN_BASE64_CORE = 8;

// The base64 characters that depend only on the secret when it sits at byte offset `shift` (mod 3)
// inside a larger encoded blob, e.g. `user:secret` in a Basic auth header.
function base64Core(secret: string, shift: number): string {
  const bytes = Buffer.concat([Buffer.alloc(shift), Buffer.from(secret, 'utf8')]);
  const whole = Math.floor(bytes.length / 3) * 3;
  const encoded = bytes.subarray(0, whole).toString('base64');
  return shift === 0 ? encoded : encoded.slice(4);
}

function base64Variants(secret: string): Variant[] {
  const variants: Variant[] = [{ label: 'base64', needle: Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, '') }];
  for (const shift of [0, 1, 2]) {
    const core = base64Core(secret, shift);
    if (core.length >= MIN_BASE64_CORE) variants.push({ label: `base64 (offset ${shift})`, needle: core });
  }
  const url = variants.map(v => ({ label: `${v.label}url`, needle: v.needle.replace(/\+/g, '-').replace(/\//g, '_') }));
  return [...variants, ...url];
}

function encodings(secret: string): Variant[] {
  const all: Variant[] = [
    { label: 'plain', needle: secret },
    { label: 'URI-encoded', needle: encodeURIComponent(secret) },
    { label: 'URI-encoded (RFC 3986)', needle: encodeURIComponent(secret).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) },
    { label: 'JSON-escaped', needle: JSON.stringify(secret).slice(1, -1) },
    ...base64Variants(secret)
  ];
  const seen = new Set<string>();
  return all.filter(v => v.needle.length >= MIN_SECRET && !seen.has(v.needle) && seen.add(v.needle));
}

// A secret is registered by a mask whose value is the secret or has it as one (trimmed) line.
function masksSecret(command: WorkflowCommand, secret: string): boolean {
  if (command.name !== 'add-mask') return false;
  if (command.data === secret) return true;
  return command.data.split(/[\r\n]+/).some(part => part.trim() === secret);
}

/** Shows a few leading characters only, so the report itself never carries the secret. */
export function redact(secret: string): string {
  const keep = Math.min(4, Math.floor(secret.length / 4));
  return `"${secret.slice(0, keep)}…" (${secret.length} chars)`;
}

interface Place {
  stream: Stream;
  line: number;
  variant: string;
}

// The texts of one line the log would show: the raw line, plus the unescaped data and property
// values when it is a command (the runner displays `::error::a%25b` as `a%b`).
function shownTexts(raw: string, command: WorkflowCommand | undefined): string[] {
  if (command === undefined) return [raw];
  return [raw, command.data, ...Object.values(command.properties)];
}

function scanStream(text: string, stream: Stream, variants: Variant[]): Place[] {
  const commands = new Map(parseWorkflowCommands(text, stream).map(c => [c.line, c]));
  const places: Place[] = [];
  outputLines(text).forEach((raw, line) => {
    const command = commands.get(line);
    if (command?.name === 'add-mask') return; // never echoed by the runner
    const texts = shownTexts(raw, command);
    const hit = variants.find(v => texts.some(t => t.includes(v.needle)));
    if (hit !== undefined) places.push({ stream, line, variant: hit.label });
  });
  return places;
}

// A secret spanning several lines (a PEM) is not on any single line: look in the whole stream too.
function scanMultiline(text: string, stream: Stream, secret: string): Place[] {
  const at = text.indexOf(secret);
  if (!/[\r\n]/.test(secret) || at < 0) return [];
  // Index of the line the occurrence starts on (the appended 'x' keeps a trailing break countable).
  const line = outputLines(`${text.slice(0, at)}x`).length - 1;
  return [{ stream, line, variant: 'plain (multi-line)' }];
}

function firstMask(streams: Record<Stream, string>, secret: string): WorkflowCommand | undefined {
  for (const stream of ['stdout', 'stderr'] as const) {
    const mask = parseWorkflowCommands(streams[stream], stream).find(c => masksSecret(c, secret));
    if (mask !== undefined) return mask;
  }
  return undefined;
}

function describeLeak(place: Place, mask: WorkflowCommand | undefined, name: string): string {
  const where = `${name} appears ${place.variant} on ${place.stream} line ${place.line}`;
  if (mask === undefined) return `${where} and is never masked`;
  if (mask.stream !== place.stream) return `${where}; its ::add-mask:: is on ${mask.stream} line ${mask.line} (order across streams unknown)`;
  if (place.line < mask.line) return `${where}, BEFORE its ::add-mask:: on line ${mask.line} (stays in the log unmasked)`;
  return `${where}, after its ::add-mask:: on line ${mask.line} (starred by the runner, but printed)`;
}

export interface LeakOptions {
  /** Accept appearances after the mask on the same stream: for values the runner should star, like an account id. */
  starredIsFine?: boolean;
}

function leaksOf(result: { stdout: string; stderr: string }, secret: string, options: LeakOptions): string[] {
  const name = `secret ${redact(secret)}`;
  const mask = firstMask(result, secret);
  const variants = encodings(secret);
  const places = (['stdout', 'stderr'] as const).flatMap(stream => [...scanStream(result[stream], stream, variants), ...scanMultiline(result[stream], stream, secret)]);
  const starred = (p: Place): boolean => options.starredIsFine === true && mask?.stream === p.stream && p.line > mask.line;
  const found = places.filter(p => !starred(p)).map(p => describeLeak(p, mask, name));
  if (mask === undefined) found.push(`${name} is never masked (no ::add-mask:: registers it)`);
  return found;
}

/** Every place a secret (or a common encoding of it) shows up in the log outside add-mask lines, and every secret never masked. */
export function findLeaks(result: { stdout: string; stderr: string }, secrets: string[], options: LeakOptions = {}): string[] {
  const unique = [...new Set(secrets)].filter(s => s.trim().length >= MIN_SECRET);
  return unique.flatMap(secret => leaksOf(result, secret, options));
}

export function expectNoLeaks(result: { stdout: string; stderr: string }, secrets: string[], options: LeakOptions = {}): void {
  const found = findLeaks(result, secrets, options);
  if (found.length > 0) throw new Error(`Secret leak check failed:\n  - ${found.join('\n  - ')}`);
}
