// Reads inputs from the step environment, collecting every problem so one run shows every fix needed.
import { preview } from '../log-text.js';
import type { Env } from '../types.js';
import { inputVariable, type InputName } from './names.js';

const TRUE_WORDS = ['true', 'True', 'TRUE'];

const FALSE_WORDS = ['false', 'False', 'FALSE'];

/** Reads inputs from the step environment; pure, so it can run before anything touches the network. */
export class InputReader {
  readonly problems: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  text(name: InputName): string | undefined {
    const value = (this.env[inputVariable(name)] ?? '').trim();
    return value === '' ? undefined : value;
  }

  /** Raw, untrimmed; secrets are taken as given apart from surrounding whitespace. */
  lines(name: InputName): string[] {
    return (this.text(name) ?? '')
      .split(/\r?\n/)
      .map(l => l.trim())
      .filter(l => l !== '');
  }

  list(name: InputName): string[] {
    return (this.text(name) ?? '')
      .split(/[,\r\n]/)
      .map(l => l.trim())
      .filter(l => l !== '');
  }

  boolean(name: InputName, fallback: boolean): boolean {
    const value = this.text(name);
    if (value === undefined) return fallback;
    if (TRUE_WORDS.includes(value)) return true;
    if (FALSE_WORDS.includes(value)) return false;
    this.problem(name, `must be true or false (YAML 1.2 core schema: true, True, TRUE, false, False, FALSE), got '${preview(value)}'`);
    return fallback;
  }

  integer(name: InputName, fallback: number, min: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) {
      this.problem(name, `must be a whole number from ${min} to ${max}, got '${preview(value)}'`);
      return fallback;
    }
    const n = Number(value);
    if (n < min || n > max) this.problem(name, `must be from ${min} to ${max}, got ${preview(value)}`);
    return n;
  }

  problem(name: InputName, rule: string): void {
    this.problems.push(`${name}: ${rule}`);
  }
}

export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** One problem per bad entry of a list input, but at most a few: a 100 KB list must not become a 100 KB error. */
export function listProblems(read: InputReader, name: InputName, bad: string[], rule: (entry: string) => string): void {
  const shown = 5;
  for (const entry of bad.slice(0, shown)) read.problem(name, rule(entry));
  if (bad.length > shown) read.problem(name, `${bad.length - shown} more entries like these`);
}
