// node scripts/bench/retry-sim.ts — how retry policies fare when N runs (assume, then GetCallerIdentity)
// meet an STS token bucket, in simulated time: no processes, so arrival patterns can be chosen, and
// what `--load` measures can be compared with what a policy does in principle. Throttled calls take
// no token (as in the stand-in). Each figure is the mean of 5 seeds.
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from '../../src/sts/retry.ts';

type Policy = (failedAttempt: number, random: () => number) => number;

interface Outcome {
  ratio: number;
  failed: number;
  p50: number;
  p95: number;
}

function simulate(policy: Policy, arrivalSpreadMs: number, seed: number, n = 200, rate = 20, burst = 20, maxAttempts = 12): Outcome {
  let state = seed;
  const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  let tokens = burst;
  let refilledAt = 0;
  const take = (t: number): boolean => {
    tokens = Math.min(burst, tokens + ((t - refilledAt) / 1000) * rate);
    refilledAt = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const roundTrip = 3;
  const betweenCalls = 5;
  // [time, run, call (0 assume, 1 GetCallerIdentity), attempt]
  const queue: Array<[number, number, number, number]> = Array.from({ length: n }, (_, run) => [arrivalSpreadMs * random(), run, 0, 1]);
  const done: number[] = [];
  let calls = 0;
  let failed = 0;
  while (queue.length > 0) {
    queue.sort((a, b) => a[0] - b[0]);
    const [t, run, call, attempt] = queue.shift()!;
    calls++;
    if (take(t + roundTrip / 2)) {
      if (call === 0) queue.push([t + roundTrip + betweenCalls, run, 1, 1]);
      else done.push(t + roundTrip);
    } else if (attempt >= maxAttempts) {
      failed++;
      done.push(t + roundTrip);
    } else {
      queue.push([t + roundTrip + policy(attempt, random), run, call, attempt + 1]);
    }
  }
  done.sort((a, b) => a - b);
  const at = (p: number): number => done[Math.min(done.length - 1, Math.ceil((p / 100) * done.length) - 1)]!;
  return { ratio: calls / (2 * n), failed, p50: at(50), p95: at(95) };
}

const fullJitter =
  (scale: Backoff): Policy =>
  (attempt, random) =>
    backoffDelay(attempt, scale, random);

const policies: Array<[string, Policy]> = [
  ['before: full jitter, 100 ms base, 5 s cap', fullJitter({ baseDelayMs: 100, maxDelayMs: 5000 })],
  ['AWS SDK standard mode for throttling: 500 ms, 20 s', fullJitter({ baseDelayMs: 500, maxDelayMs: 20000 })],
  [`now: throttling ${DEFAULT_BACKOFF.throttling.baseDelayMs} ms, ${DEFAULT_BACKOFF.throttling.maxDelayMs / 1000} s`, fullJitter(DEFAULT_BACKOFF.throttling)],
  ['full jitter 1 s, 20 s', fullJitter({ baseDelayMs: 1000, maxDelayMs: 20000 })],
  ['full jitter 2 s, 30 s', fullJitter({ baseDelayMs: 2000, maxDelayMs: 30000 })],
  ['5 s base, 20 s cap', fullJitter({ baseDelayMs: 5000, maxDelayMs: 20000 })],
  // Not exponential at all: every throttled call waits 0-15 s. Costly for a job throttled once.
  ['uniform 0-15 s on every throttle', (_attempt, random) => random() * 15000]
];

for (const spread of [0, 1000, 3500, 10000]) {
  process.stdout.write(`\n200 runs whose first call arrives within ${spread / 1000} s; STS 20 req/s, burst 20\n`);
  for (const [name, policy] of policies) {
    const outcomes = [1, 2, 3, 4, 5].map(seed => simulate(policy, spread, seed));
    const mean = (pick: (o: Outcome) => number): number => outcomes.reduce((sum, o) => sum + pick(o), 0) / outcomes.length;
    process.stdout.write(
      `  ${name.padEnd(52)} calls/minimum ${mean(o => o.ratio).toFixed(2)}×  failed runs ${mean(o => o.failed).toFixed(1)}  ` +
        `p50 ${(mean(o => o.p50) / 1000).toFixed(1)} s  p95 ${(mean(o => o.p95) / 1000).toFixed(1)} s\n`
    );
  }
}
