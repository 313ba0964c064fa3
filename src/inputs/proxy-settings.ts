// `http-proxy` and `no-proxy`, or the proxy variables of the environment.
import type { Env, ProxySettings } from '../types.js';

/** `http-proxy` (else HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy) and `no-proxy` (else NO_PROXY, no_proxy). */
export function readProxySettings(input: string | undefined, noProxyInput: string | undefined, env: Env, problem: (rule: string) => void): ProxySettings {
  const url = input ?? firstSet(env, ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']);
  const noProxy = (noProxyInput ?? firstSet(env, ['NO_PROXY', 'no_proxy']) ?? '')
    .split(/[\s,]+/)
    .map(entry => entry.trim().toLowerCase())
    .filter(entry => entry !== '');
  if (url === undefined) return { noProxy };
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol) || parsed.hostname === '') {
    // Never quote it: a proxy URL may carry a password.
    problem(`${input === undefined ? 'the proxy from the environment' : 'the value'} is not an http(s) URL such as http://proxy.example.com:3128`);
    return { noProxy };
  }
  // The proxy agent decodes the user and password: a stray % would end the run in a URIError.
  if (!decodes(parsed.username) || !decodes(parsed.password)) {
    problem(`${input === undefined ? 'the proxy from the environment' : 'the value'} has a user name or password with a % that is not a %XX escape; write a literal % as %25`);
    return { noProxy };
  }
  return { url, noProxy };
}

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function firstSet(env: Env, names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** `*` bypasses everything; `host:port` only that port; `.example.com` or `*.example.com` the domain and its hosts; else the exact host. */
export function bypassesProxy(target: URL, noProxy: readonly string[]): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return noProxy.some(entry => {
    if (entry === '*') return true;
    const [entryHost, entryPort] = splitHostPort(entry);
    if (entryPort !== undefined && entryPort !== port) return false;
    const domain = entryHost.replace(/^\*?\./, '');
    return entryHost.startsWith('.') || entryHost.startsWith('*.') ? host === domain || host.endsWith(`.${domain}`) : host === entryHost;
  });
}

function splitHostPort(entry: string): [string, string | undefined] {
  const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return [bracketed[1] ?? '', bracketed[2]];
  const match = /^([^:]+):(\d+)$/.exec(entry);
  return match ? [match[1] ?? '', match[2]] : [entry, undefined];
}

/** Older Node ignores `proxyEnv` and would connect directly: refuse rather than bypass the proxy quietly. */
export function nodeSupportsProxyAgents(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 5);
}
