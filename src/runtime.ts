import { StepError } from './acquire.js';
import type { ActionOutput } from './export.js';
import type { Env } from './inputs.js';
import { ID_TOKEN_TOKEN_VARIABLE, ID_TOKEN_URL_VARIABLE, requestIdToken } from './oidc.js';
import type { Plan } from './plan.js';
import { nodeSupportsProxyAgents, proxyAgent, type ProxySettings } from './proxy.js';
import type { Pause } from './retry.js';
import { connectSts, defaultEndpoint, REQUEST_TIMEOUT_MS, type Sts, type StsConnection, type StsSdk } from './sts.js';
import type { RunContext } from './tags.js';
import { readTokenFile } from './token-file.js';
import { userAgent } from './user-agent.js';

/** Everything the run touches outside its own code; `main.ts` wires the real ones. */
export interface Runtime {
  env: Env;
  out: ActionOutput;
  pause: Pause;
  connectSts(connection: StsConnection): Sts;
  /** One request to the job's OIDC token endpoint for this audience. */
  requestIdToken(audience: string, proxy: ProxySettings): Promise<string>;
  readTokenFile(path: string): Promise<string>;
  runContext(): Promise<RunContext>;
}

/** The real clock, network and disk: the same for the step and for the refresh helper, which load the SDK each their own way. */
export function systemRuntime(env: Env, loadSdk: () => Promise<StsSdk>): Pick<Runtime, 'pause' | 'connectSts' | 'requestIdToken' | 'readTokenFile'> {
  return {
    pause: { sleep: ms => new Promise(resolve => setTimeout(resolve, ms)), random: Math.random },
    connectSts: connection => connectSts(connection, loadSdk),
    requestIdToken: (audience, proxy) => {
      const url = env[ID_TOKEN_URL_VARIABLE] ?? '';
      const agent = proxyAgent(new URL(url), proxy);
      return requestIdToken({ url, bearer: env[ID_TOKEN_TOKEN_VARIABLE] ?? '', audience, timeoutMs: REQUEST_TIMEOUT_MS, agent });
    },
    readTokenFile
  };
}

/** Where and how to reach STS for a plan: its endpoint (through the proxy unless no-proxy says not), named for CloudTrail. */
export function stsConnection(plan: Pick<Plan, 'region' | 'stsEndpoint' | 'proxy'>, env: Env): StsConnection {
  const agent = proxyAgent(new URL(plan.stsEndpoint ?? defaultEndpoint(plan.region)), plan.proxy);
  if (agent !== undefined && !nodeSupportsProxyAgents()) {
    throw new StepError(`http-proxy: needs Node 24.5 or later to proxy requests, and this runner has ${process.versions.node}`);
  }
  return { region: plan.region, endpoint: plan.stsEndpoint, userAgent: userAgent(env), requestTimeoutMs: REQUEST_TIMEOUT_MS, agent };
}
