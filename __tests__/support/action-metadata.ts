// The runner fills every input absent from `with:` with its action.yml default; tests must too.
import { readFileSync } from 'node:fs';

/** Input defaults from action.yml (its `inputs:` block: two-space names, four-space keys, scalar values). */
export function inputDefaults(actionYml: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  let inInputs = false;
  let current: string | undefined;
  for (const line of readFileSync(actionYml, 'utf8').split('\n')) {
    if (/^\S/.test(line)) inInputs = line.startsWith('inputs:');
    if (!inInputs) continue;
    const name = /^ {2}([\w-]+):\s*$/.exec(line);
    if (name) current = name[1];
    const value = /^ {4}default:\s*(.*)$/.exec(line);
    if (value && current !== undefined) defaults[current] = unquote(value[1]!.trim());
  }
  return defaults;
}

function unquote(value: string): string {
  return /^'.*'$/.test(value) || /^".*"$/.test(value) ? value.slice(1, -1) : value;
}
