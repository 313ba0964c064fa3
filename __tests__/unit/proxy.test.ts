import { bypassesProxy, nodeSupportsProxyAgents, readProxySettings } from '../../src/inputs/proxy-settings.js';

describe('no-proxy matching', () => {
  const bypass = (url: string, entries: string[]) => bypassesProxy(new URL(url), entries);

  test('matches hosts, domains, ports and *', () => {
    expect(bypass('https://sts.us-east-1.amazonaws.com', ['sts.us-east-1.amazonaws.com'])).toBe(true);
    expect(bypass('https://sts.us-east-1.amazonaws.com', ['.amazonaws.com'])).toBe(true);
    expect(bypass('https://sts.us-east-1.amazonaws.com', ['*.amazonaws.com'])).toBe(true);
    expect(bypass('https://amazonaws.com', ['.amazonaws.com'])).toBe(true);
    expect(bypass('https://notamazonaws.com', ['.amazonaws.com'])).toBe(false);
    expect(bypass('http://anything:1', ['*'])).toBe(true);
  });

  test('host:port matches that port only, including endpoints on non-default ports', () => {
    expect(bypass('http://127.0.0.1:9000/', ['127.0.0.1:9000'])).toBe(true);
    expect(bypass('http://127.0.0.1:9001/', ['127.0.0.1:9000'])).toBe(false);
    expect(bypass('http://127.0.0.1:9000/', ['127.0.0.1'])).toBe(true);
    expect(bypass('https://sts.amazonaws.com', ['sts.amazonaws.com:443'])).toBe(true);
    expect(bypass('http://[::1]:8080/', ['[::1]:8080'])).toBe(true);
  });
});

describe('proxy settings', () => {
  const problems: string[] = [];
  const read = (input: string | undefined, noProxy: string | undefined, env: Record<string, string>) => readProxySettings(input, noProxy, env, p => problems.push(p));

  test('the input wins, then HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy', () => {
    expect(read('http://a:1', undefined, { HTTPS_PROXY: 'http://b:1' }).url).toBe('http://a:1');
    expect(read(undefined, undefined, { https_proxy: 'http://c:1', HTTP_PROXY: 'http://d:1' }).url).toBe('http://c:1');
    expect(read(undefined, undefined, { http_proxy: 'http://e:1' }).url).toBe('http://e:1');
    expect(read(undefined, undefined, { no_proxy: 'a, .b  c' }).noProxy).toEqual(['a', '.b', 'c']);
  });

  test('a URL that is not http(s) is a problem that never quotes it', () => {
    problems.length = 0;
    read('socks5://u:secret@h:1', undefined, {});
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('secret');
  });

  test('needs Node 24.5 for proxying agents', () => {
    expect(nodeSupportsProxyAgents('24.19.0')).toBe(true);
    expect(nodeSupportsProxyAgents('24.4.1')).toBe(false);
    expect(nodeSupportsProxyAgents('26.0.0')).toBe(true);
  });
});
