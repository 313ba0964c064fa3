// Where and how to reach STS for a plan: its endpoint, through the proxy unless no-proxy says not,
// named for CloudTrail.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { defaultStsEndpoint } from '../aws-names.js';
import { bypassesProxy } from '../inputs/proxy-settings.js';
import type { Plan } from '../plan.js';
import type { ProxySettings, StsConnection } from '../types.js';

/** Per request, to STS and to the token endpoint: long enough for a slow network, short enough to retry. */
export const REQUEST_TIMEOUT_MS = 10_000;

export function stsConnection(plan: Pick<Plan, 'region' | 'stsEndpoint' | 'proxy' | 'userAgent' | 'appId'>): StsConnection {
  const agent = proxyAgent(new URL(plan.stsEndpoint ?? defaultStsEndpoint(plan.region)), plan.proxy);
  return { region: plan.region, endpoint: plan.stsEndpoint, userAgent: plan.userAgent, appId: plan.appId, requestTimeoutMs: REQUEST_TIMEOUT_MS, agent };
}

/** Node 24.5+ agents tunnel (https) or forward (http) through a proxy themselves; older Node is refused by the inputs layer. */
export function proxyAgent(target: URL, settings: ProxySettings): HttpAgent | undefined {
  if (settings.url === undefined || bypassesProxy(target, settings.noProxy)) return undefined;
  const proxyEnv = { HTTP_PROXY: settings.url, HTTPS_PROXY: settings.url };
  return target.protocol === 'https:' ? new HttpsAgent({ proxyEnv, keepAlive: true }) : new HttpAgent({ proxyEnv, keepAlive: true });
}
