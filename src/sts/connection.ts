// Where and how to reach STS for a plan: the endpoint the plan resolved, through the proxy unless
// no-proxy says not (decided on that same URL), named for CloudTrail.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { StepError } from '../errors.js';
import { bypassesProxy } from '../inputs/proxy-settings.js';
import type { Plan } from '../plan.js';
import type { ProxySettings, StsConnection } from '../types.js';

/** Per request, to STS and to the token endpoint: long enough for a slow network, short enough to retry. */
export const REQUEST_TIMEOUT_MS = 10_000;

export function stsConnection(plan: Pick<Plan, 'region' | 'stsEndpoint' | 'proxy' | 'userAgent' | 'appId'>): StsConnection {
  const endpoint = plan.stsEndpoint;
  // The inputs layer resolves an endpoint for every plan that calls STS.
  if (endpoint === undefined) throw new StepError('No STS endpoint was resolved for this run');
  const agent = proxyAgent(new URL(endpoint.url), plan.proxy);
  return {
    region: plan.region,
    endpoint: endpoint.url,
    userAgent: plan.userAgent,
    appId: plan.appId,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    agent
  };
}

/** Node 24.5+ agents tunnel (https) or forward (http) through a proxy themselves; older Node is refused by the inputs layer. */
export function proxyAgent(target: URL, settings: ProxySettings): HttpAgent | undefined {
  if (settings.url === undefined || bypassesProxy(target, settings.noProxy)) return undefined;
  // Schemes are case-insensitive, but Node only takes a proxy URL starting with a lower-case http(s)://
  // and otherwise connects directly, without a word.
  const url = settings.url.replace(/^[a-z][a-z0-9+.-]*:/i, scheme => scheme.toLowerCase());
  const proxyEnv = { HTTP_PROXY: url, HTTPS_PROXY: url };
  const agent = target.protocol === 'https:' ? new HttpsAgent({ proxyEnv, keepAlive: true }) : new HttpAgent({ proxyEnv, keepAlive: true });
  if (!takesProxy(agent)) throw new StepError('http-proxy: Node did not accept the proxy URL; refusing to connect directly instead');
  return agent;
}

/** False when Node's agent left its proxy configuration empty: a proxy that is configured is used, or the step fails. */
function takesProxy(agent: HttpAgent): boolean {
  const key = Object.getOwnPropertySymbols(agent).find(symbol => symbol.description === 'kProxyConfig');
  // Without the slot (a Node that would not proxy at all) the inputs layer has already refused the run.
  return key === undefined || (agent as unknown as Record<symbol, unknown>)[key] != null;
}
