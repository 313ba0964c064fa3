// The network the benchmark puts between the action and the stand-ins: loopback, optionally HTTPS
// (a CA made for the run, trusted by the spawned steps through NODE_EXTRA_CA_CERTS, by the AWS CLI
// through AWS_CA_BUNDLE), optionally a round-trip latency (a relay in front of each stand-in), and
// the count of TCP connections and TLS handshakes each run opened on each host.
import { readFileSync } from 'node:fs';
import type { ListenerOptions, NetCounts } from '../../__tests__/support/net-listener.ts';
import { makeTestCa, type TestCa } from '../../__tests__/support/test-ca.ts';
import { startLatencyProxy, type LatencyProxy } from '../../__tests__/support/latency-proxy.ts';
import type { World } from '../../__tests__/support/world.ts';

export interface NetworkOptions {
  tls: boolean;
  /** The round trip every exchange costs: each answer, and each handshake (TCP, then TLS). */
  latency: number;
}

/** Where a step reaches the stand-ins: straight, or through the latency relays. */
export interface Endpoints {
  sts: string;
  oidcRequest: string;
}

export interface BenchNetwork {
  /** For startWorld: how both stand-ins listen. */
  listener: ListenerOptions;
  /** Added to every spawned step's environment. */
  env: Record<string, string>;
  /** Once the world is up: the relays in front of its stand-ins (none without latency). */
  attach(world: World): Promise<Endpoints>;
  describe(): string;
  dispose(): Promise<void>;
}

export function benchNetwork(options: NetworkOptions): BenchNetwork {
  const ca: TestCa | undefined = options.tls ? makeTestCa() : undefined;
  const relays: LatencyProxy[] = [];
  return {
    listener: ca ? { tls: { key: ca.key, cert: ca.cert } } : {},
    env: ca ? { NODE_EXTRA_CA_CERTS: ca.caFile, AWS_CA_BUNDLE: ca.caFile } : {},
    async attach(world) {
      if (options.latency <= 0) return { sts: world.sts.url, oidcRequest: world.oidc.requestUrl };
      const [sts, oidc] = await Promise.all([world.sts.url, world.oidc.requestUrl].map(url => startLatencyProxy(Number(new URL(url).port), options.latency)));
      relays.push(sts!, oidc!);
      return { sts: sts!.through(world.sts.url), oidcRequest: oidc!.through(world.oidc.requestUrl) };
    },
    describe() {
      const scheme = ca ? 'HTTPS (TLS 1.3, RSA 2048 leaf signed by a CA made for the run, trusted through NODE_EXTRA_CA_CERTS)' : 'plain HTTP';
      if (options.latency <= 0) return `loopback, ${scheme}`;
      const handshakes = ca ? 'the TCP and the TLS handshake one round trip each' : 'the TCP handshake one round trip';
      return `${scheme} through a relay in front of each stand-in that holds every packet ${options.latency / 2} ms each way (a ${options.latency} ms round trip): every answer costs one round trip, a new connection ${handshakes}, and a client busy when a packet arrives answers it only when its thread is free, as on a real network (__tests__/support/latency-proxy.ts)`;
    },
    async dispose() {
      await Promise.all(relays.map(relay => relay.close()));
      ca?.dispose();
    }
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
