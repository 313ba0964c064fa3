// The layout is the architecture: imports point down the layers only, and no module imports itself
// back through others. Read from the sources, so a new import that breaks either fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Lower ranks are imported by higher ones, never the other way; a module may import its own folder. */
const LAYERS: [rank: number, pattern: RegExp][] = [
  [0, /^(types|partitions)\.ts$/],
  [1, /^(errors|mask|log-text|aws-names|session-tags|endpoints)\.ts$/],
  [2, /^ports\.ts$/],
  [3, /^(safe|deferred)-output\.ts$/],
  [3, /^inputs\//],
  [4, /^plan\.ts$/],
  [5, /^(sts|oidc)\//],
  [6, /^credentials\//],
  [7, /^export\//],
  [8, /^runtime\.ts$/],
  [9, /^(main|toolkit)\.ts$/],
  [9, /^(refresh|post)\/(?!index\.ts$)/],
  [10, /^(index\.ts|refresh\/index\.ts|post\/index\.ts|sdk\/index\.ts|core\/index\.ts)$/]
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => (entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
}

function projectImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g), ...text.matchAll(/import\(\s*(?:\/\*.*?\*\/\s*)?'(\.[^']+)'\s*\)/g)];
  return specifiers.map(match => relative(SRC, resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')))).filter(path => !/^(sdk|core)\//.test(path)); // the lazily loaded SDK and toolkit bundles, loaded by path at run time
}

function rank(path: string): number {
  const layer = LAYERS.find(([, pattern]) => pattern.test(path));
  if (layer === undefined) throw new Error(`${path} is in no layer: add it to LAYERS`);
  return layer[0];
}

const graph = new Map(sources(SRC).map(file => [relative(SRC, file), projectImports(file)]));

test('every module belongs to a layer', () => {
  for (const path of graph.keys()) expect(() => rank(path)).not.toThrow();
});

test('imports point down the layers only (or stay in their folder)', () => {
  const upward = [...graph].flatMap(([from, targets]) =>
    targets
      .filter(to => dirname(to) !== dirname(from) || dirname(to) === '.')
      .filter(to => rank(to) >= rank(from))
      .map(to => `${from} → ${to}`)
  );
  expect(upward).toEqual([]);
});

test('no import cycle', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (path: string, trail: string[]): void => {
    if (state.get(path) === 'done') return;
    if (state.get(path) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(path)), path].join(' → '));
      return;
    }
    state.set(path, 'open');
    for (const next of graph.get(path) ?? []) visit(next, [...trail, path]);
    state.set(path, 'done');
  };
  for (const path of graph.keys()) visit(path, []);
  expect(cycles).toEqual([]);
});

test('only toolkit.ts loads @actions/core, through its own bundle (core/index.ts)', () => {
  const text = (path: string): string => readFileSync(join(SRC, path), 'utf8');
  const users = [...graph.keys()].filter(path => /from '@actions\/core'|import\('@actions\/core'\)/.test(text(path)));
  const loaders = [...graph.keys()].filter(path => /import\((?:\/\*.*?\*\/\s*)?'\.\/core\/index\.js'\)/.test(text(path)));
  expect(users).toEqual(['core/index.ts']);
  expect(loaders).toEqual(['toolkit.ts']);
});
