// npm run bench [-- --runs N] [--baseline REF] [--load N] [--rate PER_SECOND/BURST] [--no-write]
//
// Speed: the built action (dist/) run as the runner runs a step (a fresh `node dist/index.js` with
// INPUT_* variables and file-command files) against the local STS and OIDC stand-ins, N times per
// path, alternating with the floor (scripts/bench/floor.mjs: the same HTTP calls in plain Node) and,
// with --baseline, with the dist/ committed at another git ref. Wall time is spawn to exit.
// Load: --load N starts N OIDC-path runs at once against a rate-limited STS stand-in.
// Prints markdown and writes it into docs/benchmarks.md (each mode replaces its own section).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { StepResult } from '../__tests__/support/step-runner.ts';
import { REPO_ROOT, startWorld } from '../__tests__/support/world.ts';
import { loadTest, type LoadResult, type RateLimit } from './bench/load.ts';
import { buildAt, CURRENT, FLOOR, runEmpty, runPost, runScenario, type Build, type ScenarioName } from './bench/scenarios.ts';
import { kb, median, ms, percentile, ratio, table, verdict } from './bench/stats.ts';

const TARGETS = { floorRatio: 1.3, failMs: 1000, mainBytes: 1_000_000, postBytes: 100_000, loadCallRatio: 1.2 };
const REPORT = resolve(REPO_ROOT, 'docs', 'benchmarks.md');

interface Options {
  runs: number;
  warmup: number;
  load: number | undefined;
  speed: boolean;
  baseline: string | undefined;
  rate: RateLimit;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 30, warmup: 2, load: undefined, speed: true, baseline: undefined, rate: { perSecond: 20, burst: 20 }, write: true };
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const count = (): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === '--runs') [options.runs, runsGiven] = [count(), true];
    else if (arg === '--warmup') options.warmup = Number(value());
    else if (arg === '--load') options.load = count();
    else if (arg === '--baseline') options.baseline = value();
    else if (arg === '--no-write') options.write = false;
    else if (arg === '--rate') {
      const [perSecond, burst] = value().split('/').map(Number);
      options.rate = { perSecond: perSecond ?? 20, burst: burst ?? perSecond ?? 20 };
    } else throw new Error(`unknown argument ${arg}`);
  }
  // `--load N` alone runs only the load test; add --runs to run both.
  options.speed = options.load === undefined || runsGiven;
  return options;
}

function machine(): string {
  const cpu = cpus();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return [
    `- Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, load average before the run ${load}`,
    `- Node ${process.version} (the runner's node24; the same binary runs every step)`,
    `- Date: ${new Date().toISOString()}`
  ].join('\n');
}

/** The dist/ committed at a ref, unpacked where its chunks load from each other as in the repository. */
function unpackBaseline(ref: string): { build: Build; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
  const archive = execFileSync('git', ['archive', '--format=tar', ref, 'dist'], { cwd: REPO_ROOT, maxBuffer: 64 * 2 ** 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  return { build: buildAt(ref, dir), dir };
}

type Sample = Record<string, number[]>;

function record(samples: Sample, key: string, result: StepResult): void {
  (samples[key] ??= []).push(result.durationMs);
}

/** One round of every measurement; rounds alternate their order so drift hits each side alike. */
async function speedRounds(options: Options, builds: Build[]): Promise<Sample> {
  const world = await startWorld();
  const samples: Sample = {};
  try {
    const tasks: Array<[string, () => Promise<void>]> = [];
    const add = (key: string, run: () => Promise<StepResult>): void => void tasks.push([key, async () => record(samples, key, await run())]);
    for (const build of builds) {
      tasks.push([
        `${build.label}|oidc`,
        async () => {
          const main = await runScenario(world, build.main, 'oidc');
          record(samples, `${build.label}|oidc`, main);
          record(samples, `${build.label}|post`, await runPost(build.post, main));
        }
      ]);
      add(`floor|oidc`, () => runScenario(world, FLOOR, 'oidc'));
      add(`${build.label}|keys`, () => runScenario(world, build.main, 'keys'));
      add(`floor|keys`, () => runScenario(world, FLOOR, 'keys'));
      for (const name of ['denied', 'bad-input'] as ScenarioName[]) add(`${build.label}|${name}`, () => runScenario(world, build.main, name));
    }
    add('empty', runEmpty);
    const total = options.warmup + options.runs;
    for (let round = 0; round < total; round++) {
      const order = round % 2 === 0 ? tasks : [...tasks].reverse();
      for (const [, task] of order) await task();
      if (round < options.warmup) for (const key of Object.keys(samples)) samples[key] = []; // warm-up rounds only fill caches
      process.stderr.write(`\rspeed: round ${round + 1}/${total}${round < options.warmup ? ' (warm-up)' : ''}   `);
    }
    process.stderr.write('\n');
    return samples;
  } finally {
    await world.close();
  }
}

function distFiles(root: string): Array<{ file: string; bytes: number; gzip: number }> {
  const out: Array<{ file: string; bytes: number; gzip: number }> = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ file: relative(root, path), bytes: statSync(path).size, gzip: gzipSync(readFileSync(path)).length });
    }
  };
  walk(join(root, 'dist'));
  return out;
}

function speedReport(options: Options, builds: Build[], samples: Sample, baselineDir: string | undefined): string {
  const current = CURRENT.label;
  const get = (key: string): number[] => samples[key] ?? [];
  const lines: string[] = [];
  const baseline = builds.find(b => b !== CURRENT);

  const floorRows = (['oidc', 'keys'] as const).map(path => {
    const action = get(`${current}|${path}`);
    const floor = get(`floor|${path}`);
    const r = median(action) / median(floor);
    const row = [
      path === 'oidc' ? 'GitHub OIDC → AssumeRoleWithWebIdentity → GetCallerIdentity' : 'stored keys → AssumeRole (session tags) → GetCallerIdentity',
      ms(median(action)),
      ms(percentile(action, 90)),
      ms(median(floor)),
      ms(percentile(floor, 90)),
      `${ratio(median(action), median(floor))} (p90 ${ratio(percentile(action, 90), percentile(floor, 90))})`,
      `≤ ${TARGETS.floorRatio}× ${verdict(r <= TARGETS.floorRatio)}`
    ];
    if (baseline) row.splice(3, 0, `${ms(median(get(`${baseline.label}|${path}`)))} / ${ms(percentile(get(`${baseline.label}|${path}`), 90))}`);
    return row;
  });
  const floorHeader = ['path', 'action median', 'action p90', 'floor median', 'floor p90', 'action / floor (median)', 'target'];
  if (baseline) floorHeader.splice(3, 0, `${baseline.label} median / p90`);
  lines.push(`### Whole action process, spawn to exit (${options.runs} runs each, alternating)`, '', table(floorHeader, floorRows), '');
  const empty = get('empty');
  lines.push(
    `For reference, an empty \`node\` step spawned the same way takes ${ms(median(empty))} (p90 ${ms(percentile(empty, 90))}): ` +
      'that much of every figure here is Node starting, before a line of the action runs.',
    ''
  );

  const other: Array<[string, string, number | undefined]> = [
    ['post step (dist/cleanup/index.js with the main step\'s state)', 'post', undefined],
    ['time to fail: denied role (OIDC token → AccessDenied)', 'denied', TARGETS.failMs],
    ['time to fail: bad input (role-duration-seconds: one hour)', 'bad-input', TARGETS.failMs]
  ];
  const otherHeader = ['measurement', 'median', 'p90', 'target'];
  if (baseline) otherHeader.splice(3, 0, `${baseline.label} median / p90`);
  const otherRows = other.map(([label, key, target]) => {
    const values = get(`${current}|${key}`);
    const row = [label, ms(median(values)), ms(percentile(values, 90)), target === undefined ? '—' : `< ${target} ms ${verdict(percentile(values, 90) < target)}`];
    if (baseline) row.splice(3, 0, `${ms(median(get(`${baseline.label}|${key}`)))} / ${ms(percentile(get(`${baseline.label}|${key}`), 90))}`);
    return row;
  });
  lines.push('### Post step and time to fail', '', table(otherHeader, otherRows), '');

  const files = distFiles(REPO_ROOT);
  const base = baselineDir ? new Map(distFiles(baselineDir).map(f => [f.file, f])) : undefined;
  const target = (file: string, bytes: number): string =>
    file === 'dist/index.js'
      ? `≤ ${TARGETS.mainBytes / 1e6} MB ${verdict(bytes <= TARGETS.mainBytes)}`
      : file === 'dist/cleanup/index.js'
        ? `≤ ${TARGETS.postBytes / 1e3} KB ${verdict(bytes <= TARGETS.postBytes)}`
        : '—';
  const sizeHeader = ['file', 'bytes', 'size', 'gzip', 'target'];
  if (base) sizeHeader.splice(2, 0, `bytes @ ${options.baseline}`);
  const sizeRows = files.map(f => {
    const row = [f.file, f.bytes.toLocaleString('en'), kb(f.bytes), kb(f.gzip), target(f.file, f.bytes)];
    if (base) row.splice(2, 0, base.get(f.file)?.bytes.toLocaleString('en') ?? '—');
    return row;
  });
  if (base) for (const f of base.values()) if (!files.some(g => g.file === f.file)) sizeRows.push([f.file, '—', f.bytes.toLocaleString('en'), '—', '—', '(removed)']);
  lines.push('### Bundle sizes (dist/)', '', table(sizeHeader, sizeRows), '');
  return lines.join('\n');
}

function loadReport(result: LoadResult): string {
  const needed = result.minimumCalls;
  const callRatio = result.stsCalls / needed;
  const actions = Object.entries(result.byAction)
    .map(([action, c]) => `${action} ${c.ok} ok + ${c.throttled} throttled${c.other ? ` + ${c.other} other` : ''}`)
    .join('; ');
  const rows = [
    ['runs that succeeded', `${result.runs - result.failures.length} / ${result.runs}`, `all ${verdict(result.failures.length === 0)}`],
    ['STS calls made (throttled included)', `${result.stsCalls} (${result.throttled} throttled)`, '—'],
    ['minimum the runs need (assume + GetCallerIdentity)', `${needed}`, '—'],
    ['calls / minimum', `${callRatio.toFixed(2)}×`, `≤ ${TARGETS.loadCallRatio}× ${verdict(callRatio <= TARGETS.loadCallRatio)}`],
    ['completion time from the common start, p50 / p95 / max', `${ms(median(result.completion))} / ${ms(percentile(result.completion, 95))} / ${ms(Math.max(...result.completion))}`, '—'],
    ['first assume attempt from the common start, p5 / p50 / p95', `${ms(percentile(result.arrivals, 5))} / ${ms(median(result.arrivals))} / ${ms(percentile(result.arrivals, 95))}`, '—'],
    ['retries per run, p50 / p95 / max', `${median(result.retries)} / ${percentile(result.retries, 95)} / ${Math.max(...result.retries, 0)}`, '—'],
    ['OIDC token requests', `${result.oidcRequests}`, '—']
  ];
  const lines = [
    `### Load: ${result.runs} OIDC runs at once, STS limited to ${result.rateLimit.perSecond} req/s (burst ${result.rateLimit.burst}) — ${result.build}`,
    '',
    table(['measurement', 'value', 'target'], rows),
    '',
    `STS calls by action: ${actions}. At ${result.rateLimit.perSecond} req/s the ${needed} calls need at least ${ms(((needed - result.rateLimit.burst) / result.rateLimit.perSecond) * 1000)}.`,
    ''
  ];
  if (result.failures.length > 0) lines.push('Failures:', '', ...result.failures.slice(0, 5).map(f => `- ${f}`), '');
  return lines.join('\n');
}

function replaceSection(name: string, body: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (speed: `--runs N`, default 30) and `npm run bench -- --load 200` (load).',
    'Each section is replaced by the run that produced it; see scripts/bench.ts for what is measured.',
    '',
    '<!-- bench:speed -->',
    '<!-- /bench:speed -->',
    '',
    '<!-- bench:load -->',
    '<!-- /bench:load -->',
    ''
  ].join('\n');
  const text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : header;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const updated = from >= 0 && to > from ? `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}` : `${text}\n${start}\n${body}\n${end}\n`;
  mkdirSync(resolve(REPORT, '..'), { recursive: true });
  writeFileSync(REPORT, updated);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(CURRENT.main)) throw new Error('dist/index.js is missing: npm run package first');
  const about = machine();
  let failed = false;
  if (options.speed) {
    const unpacked = options.baseline ? unpackBaseline(options.baseline) : undefined;
    try {
      const builds = unpacked ? [CURRENT, unpacked.build] : [CURRENT];
      const samples = await speedRounds(options, builds);
      const body = [`## Speed`, '', about, '', speedReport(options, builds, samples, unpacked?.dir)].join('\n');
      process.stdout.write(`${body}\n`);
      if (options.write) replaceSection('speed', body);
    } finally {
      if (unpacked) rmSync(unpacked.dir, { recursive: true, force: true });
    }
  }
  if (options.load !== undefined) {
    process.stderr.write(`load: ${options.load} runs at once…\n`);
    const result = await loadTest(options.load, CURRENT, options.rate);
    failed = result.failures.length > 0;
    const body = [`## Load`, '', about, '', loadReport(result)].join('\n');
    process.stdout.write(`${body}\n`);
    if (options.write) replaceSection('load', body);
  }
  if (options.write) process.stderr.write(`written to ${relative(process.cwd(), REPORT)}\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
