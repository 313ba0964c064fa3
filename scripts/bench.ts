// npm run bench [-- --runs N] [--baseline REF] [--latency MS] [--tls] [--load N] [--rate PER_SECOND/BURST] [--refresh N] [--no-write]
//
// Speed: the built action (dist/) run as the runner runs a step (a fresh `node dist/index.js` with
// INPUT_* variables and file-command files) against the local STS and OIDC stand-ins, N times per
// path, alternating with the floor (scripts/bench/floor.mjs: the same HTTP calls in plain Node) and,
// with --baseline, with the dist/ committed at another git ref. Wall time is spawn to exit.
// --latency MS puts a relay in front of each stand-in that holds every packet MS/2 each way (loopback
// answers in well under a millisecond, which hides what overlaps with network waits in real use):
// an answer costs a round trip, a new connection one more for TCP and one for TLS, and a client busy
// when a packet arrives answers when it is free (__tests__/support/latency-proxy.ts). --tls: the
// stand-ins speak HTTPS with a CA made for the run (scripts/bench/network.ts); the floor speaks it
// too. Every path reports the TCP connections and TLS handshakes a run opened per host, and traced
// runs (scripts/bench/phases.ts) when each connection, request and answer happened.
// Load: --load N starts N OIDC-path runs at once against a rate-limited STS stand-in.
// Refresh: --refresh N makes N later-step CLI calls with refresh-credentials vs static keys (bench/refresh.ts).
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
import { refreshBench } from './bench/refresh.ts';
import { benchNetwork, counted, countsCell, loadAverage, type RunCounts } from './bench/network.ts';
import { parsePhases, PHASE_TRACE, phaseRows, type Phases } from './bench/phases.ts';
import { kb, median, ms, percentile, ratio, table, verdict } from './bench/stats.ts';

const TARGETS = { floorRatio: 1.3, floorRatioTlsLatency: 1.15, failMs: 1000, mainBytes: 1_000_000, postBytes: 100_000, loadCallRatio: 1.2 };
const REPORT = resolve(REPO_ROOT, 'docs', 'benchmarks.md');

interface Options {
  runs: number;
  warmup: number;
  load: number | undefined;
  refresh: number | undefined;
  speed: boolean;
  /** Speed compares with the first; load with each. */
  baselines: string[];
  latency: number;
  tls: boolean;
  rate: RateLimit;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 30, warmup: 2, load: undefined, refresh: undefined, speed: true, baselines: [], latency: 0, tls: false, rate: { perSecond: 20, burst: 20 }, write: true };
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
    else if (arg === '--refresh') options.refresh = count();
    else if (arg === '--baseline') options.baselines.push(value());
    else if (arg === '--latency') options.latency = Number(value());
    else if (arg === '--no-write') options.write = false;
    else if (arg === '--tls') options.tls = true;
    else if (arg === '--rate') {
      const [perSecond, burst] = value().split('/').map(Number);
      options.rate = { perSecond: perSecond ?? 20, burst: burst ?? perSecond ?? 20 };
    } else throw new Error(`unknown argument ${arg}`);
  }
  // `--load N` or `--refresh N` alone runs only that; add --runs to run the speed rounds too.
  options.speed = (options.load === undefined && options.refresh === undefined) || runsGiven;
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

/** What a speed run measured besides times: connections per run and path, the load average per round. */
interface Network {
  description: string;
  counts: Record<string, RunCounts[]>;
  loads: number[];
  /** Traced runs (separate from the timed ones), per `who|path`. */
  phases: Record<string, Phases[]>;
}

function record(samples: Sample, key: string, result: StepResult): void {
  (samples[key] ??= []).push(result.durationMs);
}

/** One round of every measurement; rounds alternate their order so drift hits each side alike. */
async function speedRounds(options: Options, builds: Build[]): Promise<{ samples: Sample; network: Network }> {
  const net = benchNetwork({ tls: options.tls, latency: options.latency });
  const world = await startWorld({ sts: { listener: net.listener }, oidc: { listener: net.listener } });
  const endpoints = await net.attach(world);
  const samples: Sample = {};
  const network: Network = { description: net.describe(), counts: {}, loads: [], phases: {} };
  const scenario = (entry: string, name: ScenarioName): Promise<StepResult> => runScenario(world, entry, name, 30_000, undefined, net.env, endpoints);
  const measured = async (key: string, run: () => Promise<StepResult>): Promise<StepResult> => {
    const [result, counts] = await counted(world, run);
    (network.counts[key] ??= []).push(counts);
    record(samples, key, result);
    return result;
  };
  try {
    const tasks: Array<[string, () => Promise<void>]> = [];
    const add = (key: string, run: () => Promise<StepResult>): void => void tasks.push([key, async () => void (await measured(key, run))]);
    for (const build of builds) {
      tasks.push([
        `${build.label}|oidc`,
        async () => {
          const main = await measured(`${build.label}|oidc`, () => scenario(build.main, 'oidc'));
          record(samples, `${build.label}|post`, await runPost(build.post, main));
        }
      ]);
      add(`floor|oidc`, () => scenario(FLOOR, 'oidc'));
      add(`${build.label}|keys`, () => scenario(build.main, 'keys'));
      add(`floor|keys`, () => scenario(FLOOR, 'keys'));
      for (const name of ['denied', 'bad-input'] as ScenarioName[]) add(`${build.label}|${name}`, () => scenario(build.main, name));
    }
    add('empty', runEmpty);
    const total = options.warmup + options.runs;
    for (let round = 0; round < total; round++) {
      const order = round % 2 === 0 ? tasks : [...tasks].reverse();
      for (const [, task] of order) await task();
      network.loads.push(loadAverage());
      if (round < options.warmup) {
        // warm-up rounds only fill caches
        for (const key of Object.keys(samples)) samples[key] = [];
        for (const key of Object.keys(network.counts)) network.counts[key] = [];
        network.loads = [];
      }
      process.stderr.write(`\rspeed: round ${round + 1}/${total}${round < options.warmup ? ' (warm-up)' : ''}   `);
    }
    process.stderr.write('\n');
    await tracedRounds(Math.min(10, options.runs), network, (entry, name) =>
      runScenario(world, entry, name, 30_000, undefined, { ...net.env, NODE_OPTIONS: `--import=${PHASE_TRACE}` }, endpoints)
    );
    return { samples, network };
  } finally {
    await world.close();
    await net.dispose();
  }
}

/** Runs the action and the floor with phase-trace.mjs preloaded, alternating, for the milestones table. */
async function tracedRounds(runs: number, network: Network, traced: (entry: string, name: ScenarioName) => Promise<StepResult>): Promise<void> {
  for (let round = 0; round < runs; round++) {
    for (const path of ['oidc', 'keys'] as const) {
      for (const [who, entry] of [
        [CURRENT.label, CURRENT.main],
        ['floor', FLOOR]
      ] as const) {
        (network.phases[`${who}|${path}`] ??= []).push(parsePhases((await traced(entry, path)).stderr));
      }
    }
    process.stderr.write(`\rtraced: round ${round + 1}/${runs}   `);
  }
  process.stderr.write('\n');
}

function phasesTable(network: Network): string {
  const paths: Array<[string, string]> = [
    ['oidc', 'OIDC'],
    ['keys', 'stored keys']
  ];
  const runs = paths.flatMap(([path, label]) => [CURRENT.label, 'floor'].map((who): [string, Phases[]] => [`${label}: ${who}`, network.phases[`${who}|${path}`] ?? []]));
  const { header, rows } = phaseRows(runs);
  return [
    "#### Where the time goes: network milestones, from each process's own clock",
    '',
    "Medians of runs made with `scripts/bench/phase-trace.mjs` preloaded (Node's diagnostics channels), separate from the timed runs above: " +
      'when the process opened each connection, finished sending each request and read each answer, in ms since it started, and the CPU time it used. ' +
      "The OIDC path's requests are the token, AssumeRoleWithWebIdentity and GetCallerIdentity; the stored-keys path's are AssumeRole and GetCallerIdentity.",
    '',
    table(header, rows)
  ].join('\n');
}

/** The machine is shared: the load average of every measured round, next to the figures it shaped. */
function loadLine(loads: number[]): string {
  if (loads.length === 0) return '';
  return `1-minute load average during the measured rounds (2 cores, machine shared with other engineers' jobs): median ${median(loads).toFixed(2)}, min ${Math.min(...loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)}.`;
}

function connectionsTable(builds: Build[], network: Network): string {
  const paths: Array<[string, string]> = [
    ['oidc', 'OIDC'],
    ['keys', 'stored keys'],
    ['denied', 'denied role'],
    ['bad-input', 'bad input']
  ];
  const rows: string[][] = [];
  for (const [path, label] of paths) {
    for (const who of [...builds.map(b => b.label), 'floor']) {
      const counts = network.counts[`${who}|${path}`];
      if (counts === undefined || counts.length === 0) continue;
      rows.push([`${label}: ${who}`, `${counts.length}`, countsCell(counts, 'oidc'), countsCell(counts, 'sts')]);
    }
  }
  const floor = 'The floor is one connection per host: GetCallerIdentity reuses the AssumeRole* connection, nothing is fetched twice.';
  return [`#### TCP connections / TLS handshakes per run, per host`, '', table(['path: process', 'runs', 'OIDC endpoint', 'STS'], rows), '', floor].join('\n');
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

function speedReport(options: Options, builds: Build[], samples: Sample, baselineDir: string | undefined, network: Network): string {
  const current = CURRENT.label;
  const get = (key: string): number[] => samples[key] ?? [];
  const lines: string[] = [];
  const baseline = builds.find(b => b !== CURRENT);

  const floorRows = (['oidc', 'keys'] as const).map(path => {
    const action = get(`${current}|${path}`);
    const floor = get(`floor|${path}`);
    const r = median(action) / median(floor);
    const targetRatio = floorRatioTarget(options);
    const row = [
      path === 'oidc' ? 'GitHub OIDC → AssumeRoleWithWebIdentity → GetCallerIdentity' : 'stored keys → AssumeRole (session tags) → GetCallerIdentity',
      ms(median(action)),
      ms(percentile(action, 90)),
      ms(median(floor)),
      ms(percentile(floor, 90)),
      `${ratio(median(action), median(floor))} (p90 ${ratio(percentile(action, 90), percentile(floor, 90))})`,
      `≤ ${targetRatio}× ${verdict(r <= targetRatio)}`
    ];
    if (baseline) row.splice(3, 0, `${ms(median(get(`${baseline.label}|${path}`)))} / ${ms(percentile(get(`${baseline.label}|${path}`), 90))}`);
    return row;
  });
  const floorHeader = ['path', 'action median', 'action p90', 'floor median', 'floor p90', 'action / floor (median)', 'target'];
  if (baseline) floorHeader.splice(3, 0, `${baseline.label} median / p90`);
  lines.push(
    `### Whole action process, spawn to exit (${options.runs} runs each, alternating)`,
    '',
    `Network: ${network.description}.`,
    '',
    loadLine(network.loads),
    '',
    table(floorHeader, floorRows),
    ''
  );
  lines.push(connectionsTable(builds, network), '');
  if (Object.keys(network.phases).length > 0) lines.push(phasesTable(network), '');
  const empty = get('empty');
  lines.push(
    `For reference, an empty \`node\` step spawned the same way takes ${ms(median(empty))} (p90 ${ms(percentile(empty, 90))}): ` +
      'that much of every figure here is Node starting, before a line of the action runs.',
    ''
  );

  const other: Array<[string, string, number | undefined]> = [
    ["post step (dist/cleanup/index.js with the main step's state)", 'post', undefined],
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
  if (base) sizeHeader.splice(2, 0, `bytes @ ${options.baselines[0]}`);
  const sizeRows = files.map(f => {
    const row = [f.file, f.bytes.toLocaleString('en'), kb(f.bytes), kb(f.gzip), target(f.file, f.bytes)];
    if (base) row.splice(2, 0, base.get(f.file)?.bytes.toLocaleString('en') ?? '—');
    return row;
  });
  if (base) for (const f of base.values()) if (!files.some(g => g.file === f.file)) sizeRows.push([f.file, '—', f.bytes.toLocaleString('en'), '—', '—', '(removed)']);
  lines.push('### Bundle sizes (dist/)', '', table(sizeHeader, sizeRows), '');
  const mainStepJs = (list: Array<{ file: string; bytes: number }>): number =>
    list.filter(f => f.file.endsWith('.js') && !f.file.startsWith('dist/cleanup/')).reduce((sum, f) => sum + f.bytes, 0);
  lines.push(
    `All main-step JavaScript (every dist/ .js file but the post step's, the most any path loads): ${mainStepJs(files).toLocaleString('en')} bytes` +
      (base ? `, was ${mainStepJs([...base.values()]).toLocaleString('en')} at ${options.baselines[0]}.` : '.'),
    ''
  );
  return lines.join('\n');
}

function loadReport(results: LoadResult[]): string {
  const [current] = results;
  if (current === undefined) return '';
  const needed = current.minimumCalls;
  const callRatio = (r: LoadResult): number => r.stsCalls / r.minimumCalls;
  const row = (label: string, value: (r: LoadResult) => string, target: string): string[] => [label, ...results.map(value), target];
  const rows = [
    row('runs that succeeded', r => `${r.runs - r.failures.length} / ${r.runs}`, `all ${verdict(current.failures.length === 0)}`),
    row('STS calls made (throttled included)', r => `${r.stsCalls} (${r.throttled} throttled)`, '—'),
    row('minimum the runs need (assume + GetCallerIdentity)', r => `${r.minimumCalls}`, '—'),
    row('calls / minimum', r => `${callRatio(r).toFixed(2)}×`, `≤ ${TARGETS.loadCallRatio}× ${verdict(callRatio(current) <= TARGETS.loadCallRatio)}`),
    row('completion from the common start, p50 / p95 / max', r => `${ms(median(r.completion))} / ${ms(percentile(r.completion, 95))} / ${ms(Math.max(...r.completion))}`, '—'),
    row('first assume attempt from the common start, p5 / p50 / p95', r => `${ms(percentile(r.arrivals, 5))} / ${ms(median(r.arrivals))} / ${ms(percentile(r.arrivals, 95))}`, '—'),
    row('retries per run, p50 / p95 / max', r => `${median(r.retries)} / ${percentile(r.retries, 95)} / ${Math.max(...r.retries, 0)}`, '—'),
    row('OIDC token requests', r => `${r.oidcRequests}`, '—')
  ];
  const lines = [
    `### Load: ${current.runs} OIDC runs at once, STS limited to ${current.rateLimit.perSecond} req/s (burst ${current.rateLimit.burst})`,
    '',
    table(['measurement', ...results.map(r => r.build), 'target'], rows),
    ''
  ];
  for (const r of results) {
    const actions = Object.entries(r.byAction)
      .map(([action, c]) => `${action} ${c.ok} ok + ${c.throttled} throttled${c.other ? ` + ${c.other} other` : ''}`)
      .join('; ');
    lines.push(`- ${r.build}: ${actions}.${r.failures.length > 0 ? ` Failures: ${r.failures.slice(0, 3).join(' | ')}` : ''}`);
  }
  const spread = (percentile(current.arrivals, 95) - percentile(current.arrivals, 5)) / 1000;
  const firstTokens = current.rateLimit.burst + spread * current.rateLimit.perSecond;
  lines.push(
    '',
    `At ${current.rateLimit.perSecond} req/s the ${needed} calls need at least ${ms(((needed - current.rateLimit.burst) / current.rateLimit.perSecond) * 1000)}. ` +
      `The first assume attempts of ${current.runs} runs arrived within ${spread.toFixed(1)} s (p5–p95), when the bucket could grant about ${Math.round(firstTokens)}: ` +
      `about ${Math.max(0, Math.round(current.runs * 0.9 - firstTokens))} of those first attempts must be throttled whatever the retry policy, ` +
      `which alone puts the floor near ${((needed + Math.max(0, current.runs * 0.9 - firstTokens)) / needed).toFixed(2)}× the minimum.`,
    ''
  );
  return lines.join('\n');
}

function replaceSection(name: string, body: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (speed: `--runs N`, default 30; `--latency MS`; `--tls`; `--baseline REF` to compare',
    'with the dist/ of another commit) and `npm run bench -- --load 200` (load). Each section between',
    'markers is replaced by the run that produced it; text outside them is kept. See scripts/bench.ts.',
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

/** Over TLS with latency (the network users have) the action must stay closer to the floor. */
function floorRatioTarget(options: Options): number {
  return options.tls && options.latency > 0 ? TARGETS.floorRatioTlsLatency : TARGETS.floorRatio;
}

function speedTitle(options: Options): string {
  const tls = options.tls ? ' over TLS' : '';
  return options.latency > 0 ? `## Speed${tls} with ${options.latency} ms network latency` : `## Speed${tls}`;
}

/** Each network setting keeps its own section, so a run replaces only the figures it measured again. */
function speedSection(options: Options): string {
  return ['speed', ...(options.tls ? ['tls'] : []), ...(options.latency > 0 ? [`latency-${options.latency}`] : [])].join('-');
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(CURRENT.main)) throw new Error('dist/index.js is missing: npm run package first');
  const about = machine();
  let failed = false;
  if (options.speed) {
    const unpacked = options.baselines[0] !== undefined ? unpackBaseline(options.baselines[0]) : undefined;
    try {
      const builds = unpacked ? [CURRENT, unpacked.build] : [CURRENT];
      const { samples, network } = await speedRounds(options, builds);
      const body = [speedTitle(options), '', about, '', speedReport(options, builds, samples, unpacked?.dir, network)].join('\n');
      process.stdout.write(`${body}\n`);
      if (options.write) replaceSection(speedSection(options), body);
    } finally {
      if (unpacked) rmSync(unpacked.dir, { recursive: true, force: true });
    }
  }
  if (options.load !== undefined) {
    process.stderr.write(`load: ${options.load} runs at once…\n`);
    const results = [await loadTest(options.load, CURRENT, options.rate)];
    failed = results[0]!.failures.length > 0;
    for (const ref of options.baselines) {
      const unpacked = unpackBaseline(ref);
      try {
        process.stderr.write(`load: ${options.load} runs of ${unpacked.build.label}…\n`);
        results.push(await loadTest(options.load, unpacked.build, options.rate));
      } finally {
        rmSync(unpacked.dir, { recursive: true, force: true });
      }
    }
    const body = [`## Load`, '', about, '', loadReport(results)].join('\n');
    process.stdout.write(`${body}\n`);
    if (options.write) replaceSection('load', body);
  }
  if (options.refresh !== undefined) {
    const body = ['## refresh-credentials: later-step calls', '', about, '', await refreshBench(options.refresh)].join('\n');
    process.stdout.write(`${body}\n`);
    if (options.write) replaceSection('refresh', body);
  }
  if (options.write) process.stderr.write(`written to ${relative(process.cwd(), REPORT)}\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
