// The network the benchmark puts between the action and the stand-ins: loopback, optionally HTTPS
// (a CA made for the run, trusted by the spawned steps through NODE_EXTRA_CA_CERTS, by the AWS CLI
// through AWS_CA_BUNDLE), optionally a latency per answer and per new connection, and the count of
// TCP connections and TLS handshakes each run opened on each host.
import { readFileSync } from 'node:fs';
import type { ListenerOptions, NetCounts } from '../../__tests__/support/net-listener.ts';
import { makeTestCa, type TestCa } from '../../__tests__/support/test-ca.ts';
import type { OidcFault } from '../../__tests__/support/oidc-server.ts';
import type { Fault } from '../../__tests__/support/sts-server.ts';
import type { World } from '../../__tests__/support/world.ts';

export interface NetworkOptions {
  tls: boolean;
  /** Per answer, and per round trip a new connection costs (TCP, plus TLS 1.3 when --tls). */
  latency: number;
}

export interface BenchNetwork {
  /** For startWorld: how both stand-ins listen. */
  listener: ListenerOptions;
  /** Added to every spawned step's environment. */
  env: Record<string, string>;
  /** The per-answer delays, added once the world is up. */
  delay(world: World): void;
  describe(): string;
  dispose(): void;
}

export function benchNetwork(options: NetworkOptions): BenchNetwork {
  const ca: TestCa | undefined = options.tls ? makeTestCa() : undefined;
  // TCP's handshake is one round trip before the request can go; TLS 1.3 adds one more.
  const connectionLatencyMs = options.latency * (options.tls ? 2 : 1);
  const listener: ListenerOptions = { ...(ca ? { tls: { key: ca.key, cert: ca.cert } } : {}), ...(options.latency > 0 ? { connectionLatencyMs } : {}) };
  return {
    listener,
    env: ca ? { NODE_EXTRA_CA_CERTS: ca.caFile, AWS_CA_BUNDLE: ca.caFile } : {},
    delay(world) {
      if (options.latency <= 0) return;
      world.oidc.addFault({ kind: 'delay', ms: options.latency, times: Number.MAX_SAFE_INTEGER } satisfies OidcFault);
      world.sts.addFault({ kind: 'delay', ms: options.latency, times: Number.MAX_SAFE_INTEGER } satisfies Fault);
    },
    describe() {
      const scheme = ca ? 'HTTPS (TLS 1.3, RSA 2048 leaf signed by a CA made for the run, trusted through NODE_EXTRA_CA_CERTS)' : 'plain HTTP';
      if (options.latency <= 0) return `loopback, ${scheme}`;
      return `${scheme}, every stand-in answer delayed ${options.latency} ms, and the first request on each new connection not served before ${connectionLatencyMs} ms after the connection was accepted (${ca ? 'the TCP and TLS handshake round trips' : 'the TCP handshake round trip'}, which start when the client connects)`;
    },
    dispose: () => ca?.dispose()
  };
}

/** Connections and handshakes one run opened, per host. */
export interface RunCounts {
  sts: NetCounts;
  oidc: NetCounts;
}

/** Runs `task` and returns what it opened on each stand-in (runs are sequential, so the difference is its own). */
export async function counted<T>(world: World, task: () => Promise<T>): Promise<[T, RunCounts]> {
  const before = { sts: { ...world.sts.counts }, oidc: { ...world.oidc.counts } };
  const result = await task();
  const diff = (now: NetCounts, then: NetCounts): NetCounts => ({ connections: now.connections - then.connections, handshakes: now.handshakes - then.handshakes });
  return [result, { sts: diff(world.sts.counts, before.sts), oidc: diff(world.oidc.counts, before.oidc) }];
}

/** "1 / 1" when every run opened the same; "1–2 / 1–2" when they differed. */
export function countsCell(samples: RunCounts[], host: keyof RunCounts): string {
  const range = (values: number[]): string => {
    const [min, max] = [Math.min(...values), Math.max(...values)];
    return min === max ? `${min}` : `${min}–${max}`;
  };
  if (samples.length === 0) return 'n/a';
  return `${range(samples.map(s => s[host].connections))} / ${range(samples.map(s => s[host].handshakes))}`;
}

/** The 1-minute load average now (the machine is shared: it goes next to every figure). */
export function loadAverage(): number {
  return Number(readLoad().split(' ')[0]);
}

function readLoad(): string {
  return readFileSync('/proc/loadavg', 'utf8');
}
