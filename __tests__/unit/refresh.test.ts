import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_MARK, readSharedFile, removeSection, sectionHeader, upsertSection, writeSharedFile } from '../../src/export/shared-file.js';
import { credentialProcessJson, specPlan } from '../../src/refresh/helper.js';
import { inputVariable } from '../../src/inputs/names.js';
import { parseInputs } from '../../src/inputs/parse.js';
import { readRunnerFacts } from '../../src/inputs/environment.js';
import { decidePlan, type Plan } from '../../src/plan.js';
import { commandLine, parseSpecArguments, refreshSpec, specArguments } from '../../src/export/refresh-spec.js';

const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1/token?x=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bearer', HOME: '/home/runner' };

const FACTS = readRunnerFacts(OIDC_ENV, { homedir: '/home/runner', nodeVersion: '24.19.0' });

function assumePlan(inputs: Record<string, string>): Extract<Plan, { kind: 'assume' }> {
  const env: Record<string, string> = { ...OIDC_ENV };
  for (const [name, value] of Object.entries({ 'aws-region': 'eu-west-1', 'refresh-credentials': 'true', ...inputs })) env[inputVariable(name)] = value;
  const plan = decidePlan(parseInputs(env));
  if (plan.kind !== 'assume') throw new Error('expected an assume plan');
  return plan;
}

describe('the helper re-assumes exactly what the main step assumed', () => {
  test('plan → arguments → plan keeps every hop, duration and session policy', () => {
    const plan = assumePlan({
      'role-to-assume': 'arn:aws:iam::111122223333:role/hub',
      'role-chain': 'arn:aws:iam::444455556666:role/target\narn:aws-cn:iam::444455556666:role/p/last',
      'role-session-name': 'run-7',
      'role-duration-seconds': '1800',
      audience: "https://github.com/octo-org?it's=$HOME",
      'sts-endpoint': 'http://127.0.0.1:1234',
      'inline-session-policy': '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
      'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'role-skip-session-tagging': 'true'
    });
    const back = specPlan(parseSpecArguments(specArguments(refreshSpec(plan))), { noProxy: [] }, FACTS);
    expect([back.target, ...back.chain]).toEqual([plan.target, ...plan.chain]);
    expect([back.source, back.region, back.stsEndpoint, back.maxAttempts]).toEqual([plan.source, plan.region, plan.stsEndpoint, plan.maxAttempts]);
  });

  test('a token file source is passed as its path', () => {
    const plan = assumePlan({ 'role-to-assume': 'arn:aws:iam::111122223333:role/x', 'web-identity-token-file': '/var/run/token file' });
    expect(specPlan(parseSpecArguments(specArguments(refreshSpec(plan))), { noProxy: [] }, FACTS).source).toEqual({ kind: 'token-file', path: '/var/run/token file' });
  });

  test('sh and the AWS CLI’s shlex both split the command line back into the same words', () => {
    const words = ['/opt/host tool/node', "it's", 'a"b', 'cost $5 `x`', '{"Statement":[]}', 'plain-arn:aws:iam::1:role/x', 'back\\slash'];
    const line = commandLine(words);
    const viaSh = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' })
      .split('\n')
      .slice(0, -1);
    const viaShlex = JSON.parse(execFileSync('python3', ['-c', 'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))', line], { encoding: 'utf8' })) as string[];
    expect(viaSh).toEqual(words);
    expect(viaShlex).toEqual(words);
  });

  test('the printed JSON is credential_process version 1 with an expiration', () => {
    const json = JSON.parse(credentialProcessJson({ accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date('2026-01-01T00:00:00Z') }));
    expect(json).toEqual({ Version: 1, AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: '2026-01-01T00:00:00.000Z' });
  });
});

describe('the config file section', () => {
  const BODY = [OWNER_MARK, 'credential_process = node helper.js', 'region = us-east-1'];

  test('add then remove leaves the file byte for byte as it was, comments included', () => {
    const original = '; team settings\n[profile a]\nregion = eu-west-1 # ireland\n\n[profile b]\noutput = json\n';
    const added = upsertSection(original, sectionHeader('ci'), BODY);
    expect(added).toBe(`${original}\n[profile ci]\n${BODY.join('\n')}\n`);
    expect(removeSection(added, '[profile ci]', OWNER_MARK)).toEqual({ text: original, removed: true });
  });

  test('an existing section is replaced in place; the others stay', () => {
    const original = '[default]\nregion = x\noutput = text\n\n[profile b]\nregion = y\n';
    expect(upsertSection(original, '[default]', BODY)).toBe(`[default]\n${BODY.join('\n')}\n\n[profile b]\nregion = y\n`);
  });

  test('a section someone else rewrote is left alone by the post step', () => {
    expect(removeSection('[default]\nregion = z\n', '[default]', OWNER_MARK)).toEqual({ text: '[default]\nregion = z\n', removed: false });
  });

  test('files are 0600, new directories 0700, and symbolic links are refused', () => {
    const root = mkdtempSync(join(tmpdir(), 'aws-config-unit-'));
    const file = join(root, 'new', 'config');
    writeSharedFile(file, 'x\n');
    expect([statSync(file).mode & 0o777, statSync(join(root, 'new')).mode & 0o777]).toEqual([0o600, 0o700]);
    expect(readSharedFile(file)).toBe('x\n');
    expect(readSharedFile(join(root, 'new', 'absent'))).toBe('');
    writeFileSync(join(root, 'target'), 'keep\n');
    symlinkSync(join(root, 'target'), join(root, 'link'));
    expect(() => writeSharedFile(join(root, 'link'), 'y\n')).toThrow(/symbolic link/);
    expect(() => readSharedFile(join(root, 'link'))).toThrow(/symbolic link/);
    expect(readFileSync(join(root, 'target'), 'utf8')).toBe('keep\n');
  });
});
