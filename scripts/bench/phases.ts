// Where a process's time goes on the network, from its own clock: when it opened each connection, sent
// each request and read each answer, when it exited, and how much CPU it used (phase-trace.mjs). Traced
// runs are separate from the timed ones; the table sets the action's milestones beside the floor's.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.ts';

export const PHASE_TRACE = resolve(dirname(fileURLToPath(import.meta.url)), 'phase-trace.mjs');

/** One traced run: each milestone's time (ms since the process started), numbered in order of occurrence. */
export type Phases = Map<string, number>;

export function parsePhases(stderr: string): Phases {
  const phases: Phases = new Map();
  const seen = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    const match = /^PHASE (\d+(?:\.\d+)?) (connect|sent|answered|exit|cpu)$/.exec(line);
    if (!match) continue;
    const [, at, what] = match as unknown as [string, string, string];
    const n = (seen.get(what) ?? 0) + 1;
    seen.set(what, n);
    phases.set(what === 'exit' || what === 'cpu' ? what : `${what} ${n}`, Number(at));
  }
  return phases;
}

const COLUMNS: Array<[key: string, label: string]> = [
  ['connect 1', '1st connect'],
  ['connect 2', '2nd connect'],
  ['sent 1', '1st request sent'],
  ['answered 1', '1st answer read'],
  ['sent 2', '2nd sent'],
  ['answered 2', '2nd read'],
  ['sent 3', '3rd sent'],
  ['answered 3', '3rd read'],
  ['exit', 'exit'],
  ['cpu', 'CPU used']
];

/** Rows of medians per process, one column per milestone any of them reached. */
export function phaseRows(runs: Array<[label: string, phases: Phases[]]>): { header: string[]; rows: string[][] } {
  const used = COLUMNS.filter(([key]) => runs.some(([, list]) => list.some(p => p.has(key))));
  const rows = runs.map(([label, list]) => [
    `${label} (${list.length})`,
    ...used.map(([key]) => {
      const values = list.flatMap(p => (p.has(key) ? [p.get(key)!] : []));
      return values.length === list.length && values.length > 0 ? `${Math.round(median(values))}` : '—';
    })
  ]);
  return { header: ['process (traced runs)', ...used.map(([, label]) => `${label} (ms)`)], rows };
}
