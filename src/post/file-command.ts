import { appendFileSync } from 'node:fs';

/** One append of prepared `name<<delimiter` blocks: the runner reads the file after the step, so it is all or nothing. */
export function appendBlock(file: string, block: string): void {
  // 'a' without create would be ideal; the runner always creates the file, so a missing one is an error either way.
  appendFileSync(file, block, { encoding: 'utf8', flag: 'a' });
}
