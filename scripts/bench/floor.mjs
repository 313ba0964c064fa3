// The floor for `npm run bench`: the least a process can do to get the same result as the action,
// with no libraries (node:http or node:https, node:crypto, node:fs only). It reads the same INPUT_* variables,
// makes the same HTTP calls — OIDC token request + AssumeRoleWithWebIdentity (unsigned), or
// AssumeRole SigV4-signed by hand with the run's session tags — then GetCallerIdentity signed with
// the new credentials, and writes masks, GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STATE as the action does.
// No input validation, no retries, no explanations: that is the point of a floor.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

const env = process.env;
const input = name => (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

// node:https (and so node:tls) is loaded only when an endpoint is https: the floor does the least.
async function send(url, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(url);
  const { request } = await import(u.protocol === 'https:' ? 'node:https' : 'node:http');
  return new Promise((resolve, reject) => {
    const req = request(u, { method, headers }, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const hex = data => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
const form = params =>
  Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
const xml = (text, tag) => /<(\w+)>([^<]*)<\/\1>/.exec(text.slice(text.indexOf(`<${tag}>`)))?.[2];

/** One STS Query call: POST form body, SigV4 (host;x-amz-date[;x-amz-security-token]) when credentials are given. */
async function sts(endpoint, region, params, credentials) {
  const body = form({ ...params, Version: '2011-06-15' });
  const url = new URL(endpoint);
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: url.host };
  if (credentials) {
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    headers['x-amz-date'] = amzDate;
    if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    const canonical = ['POST', url.pathname || '/', '', ...names.map(n => `${n}:${headers[n]}`), '', names.join(';'), hex(body)].join('\n');
    const scope = `${day}/${region}/sts/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonical)].join('\n');
    const key = ['sts', 'aws4_request'].reduce(hmac, hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region));
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  }
  const res = await send(url, { method: 'POST', headers, body });
  if (res.status !== 200) throw new Error(`${params.Action}: HTTP ${res.status} ${xml(res.body, 'Code')}: ${xml(res.body, 'Message')}`);
  return res.body;
}

const credentialsOf = text => ({
  accessKeyId: xml(text, 'AccessKeyId'),
  secretAccessKey: xml(text, 'SecretAccessKey'),
  sessionToken: xml(text, 'SessionToken'),
  expiration: xml(text, 'Expiration')
});

function sessionTags() {
  const ref = env.GITHUB_REF ?? '';
  const values = [
    ['GitHub', 'Actions'],
    ['Repository', env.GITHUB_REPOSITORY ?? ''],
    ['Workflow', env.GITHUB_WORKFLOW ?? ''],
    ['Action', env.GITHUB_ACTION ?? ''],
    ['Actor', env.GITHUB_ACTOR ?? ''],
    ['Commit', env.GITHUB_SHA ?? ''],
    ['Branch', ref]
  ].filter(([, v]) => v !== '');
  const params = {};
  values.forEach(([k, v], i) => {
    params[`Tags.member.${i + 1}.Key`] = k;
    params[`Tags.member.${i + 1}.Value`] = v.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
  });
  return params;
}

function fileCommand(variable, name, value) {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(env[variable], `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

async function main() {
  const region = input('aws-region');
  const endpoint = input('sts-endpoint') || `https://sts.${region}.amazonaws.com`;
  const roleArn = input('role-to-assume');
  const role = { RoleArn: roleArn, RoleSessionName: input('role-session-name') || 'GitHubActions', DurationSeconds: input('role-duration-seconds') || '3600' };
  const keys = { accessKeyId: input('aws-access-key-id'), secretAccessKey: input('aws-secret-access-key') };
  let session;
  if (keys.accessKeyId === '') {
    const tokenUrl = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL);
    tokenUrl.searchParams.set('audience', input('audience') || 'sts.amazonaws.com');
    const res = await send(tokenUrl, { headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`OIDC token: HTTP ${res.status}`);
    const token = JSON.parse(res.body).value;
    process.stdout.write(`::add-mask::${token}\n`);
    session = credentialsOf(await sts(endpoint, region, { Action: 'AssumeRoleWithWebIdentity', ...role, WebIdentityToken: token }));
  } else {
    process.stdout.write(`::add-mask::${keys.secretAccessKey}\n`);
    session = credentialsOf(await sts(endpoint, region, { Action: 'AssumeRole', ...role, ...sessionTags() }, keys));
  }
  for (const secret of [session.accessKeyId, session.secretAccessKey, session.sessionToken]) process.stdout.write(`::add-mask::${secret}\n`);
  const identity = await sts(endpoint, region, { Action: 'GetCallerIdentity' }, session);
  const exported = {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region
  };
  for (const [name, value] of Object.entries(exported)) fileCommand('GITHUB_ENV', name, value);
  fileCommand('GITHUB_STATE', 'exported-variables', Object.keys(exported).join(','));
  fileCommand('GITHUB_OUTPUT', 'aws-account-id', xml(identity, 'Account'));
  fileCommand('GITHUB_OUTPUT', 'authenticated-arn', xml(identity, 'Arn'));
}

main().catch(error => {
  process.stdout.write(`::error::${error.message}\n`);
  process.exitCode = 1;
});
