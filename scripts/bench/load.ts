// `npm run bench -- --load N`: N runs of the OIDC path started at once against an STS stand-in
// that rate-limits (token bucket), counting every STS call they make between them.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorld } from '../../__tests__/support/world.ts';
import { runScenario, type Build } from './scenarios.ts';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface LoadResult {
  build: string;
  runs: number;
  rateLimit: RateLimit;
  failures: string[];
  /** Every STS request the runs made, throttled ones included. */
  stsCalls: number;
  throttled: number;
  byAction: Record<string, { ok: number; throttled: number; other: number }>;
  /** One assume call and one GetCallerIdentity per run. */
  minimumCalls: number;
  /** Per run, ms from the common start to its exit. */
  completion: number[];
  wallMs: number;
  /** Per run, ms from the common start to its first assume attempt. */
  arrivals: number[];
  retries: number[];
  oidcRequests: number;
}

/**
 * The stand-ins play remote services, but here they share the machine with N step processes: at equal
 * priority a 2-core machine would starve them (GitHub's token endpoint timing out after 10 s is not
 * what this test is about). So the steps run under `nice -n 19`, as if on runners of their own.
 * A shell wrapper would drop the INPUT_AWS-REGION-style variables (not valid shell names), so the
 * wrapper is a Node script whose `#!` line goes through env and nice, and which imports the entry.
 */
function niceNode(dir: string): string {
  const path = join(dir, 'nice-node.cjs');
  writeFileSync(path, `#!/usr/bin/env -S nice -n 19 ${process.execPath}\nimport(require('node:url').pathToFileURL(process.argv[2]).href);\n`);
  chmodSync(path, 0o755);
  return path;
}

export async function loadTest(runs: number, build: Build, rateLimit: RateLimit): Promise<LoadResult> {
  const world = await startWorld({ sts: { rateLimit } });
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
  const node = niceNode(dir);
  try {
    const failures: string[] = [];
    const completion: number[] = [];
    const retries: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: runs }, async () => {
        try {
          const result = await runScenario(world, build.main, 'oidc', 600_000, node);
          retries.push((result.stdout.match(/; retrying in \d+ ms/g) ?? []).length);
        } catch (error) {
          failures.push((error instanceof Error ? error.message : String(error)).replace(build.main, build.label));
        } finally {
          completion.push(Date.now() - started);
        }
      })
    );
    const wallMs = Date.now() - started;
    const byAction: LoadResult['byAction'] = {};
    const firstAttempt = new Map<string, number>();
    for (const call of world.sts.calls) {
      const counts = (byAction[call.action] ??= { ok: 0, throttled: 0, other: 0 });
      if (call.status === 200) counts.ok++;
      else if (call.code === 'Throttling') counts.throttled++;
      else counts.other++;
      const token = call.params['WebIdentityToken'];
      if (token !== undefined && !firstAttempt.has(token)) firstAttempt.set(token, call.at - started);
    }
    return {
      build: build.label,
      runs,
      rateLimit,
      failures,
      stsCalls: world.sts.calls.length,
      throttled: world.sts.calls.filter(c => c.code === 'Throttling').length,
      byAction,
      minimumCalls: 2 * runs,
      completion,
      wallMs,
      arrivals: [...firstAttempt.values()],
      retries,
      oidcRequests: world.oidc.requests
    };
  } finally {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
