// Properties, with fast-check: the input parsers on arbitrary (and hostile) text, and everything
// written to the runner's key/value files on arbitrary values.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import fc from 'fast-check';
import { commandBlock } from '../../src/export/commit.js';
import { appendBlock } from '../../src/post/file-command.js';
import { InputError } from '../../src/errors.js';
import { INPUT_NAMES, inputVariable } from '../../src/inputs/names.js';
import { parseInputs, type Inputs } from '../../src/inputs/parse.js';
import type { Env } from '../../src/types.js';
import { decidePlan } from '../../src/plan.js';
import { readTokenFile } from '../../src/oidc/token-file.js';
import { parseFileCommands } from '../support/file-commands.ts';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';

// ------------------------------------------------------------------------------------------------
// Generators: every input gets valid values, near misses and hostile text, so that both the
// accepting and the refusing paths are exercised often.

/** Fragments that break line-based formats and parsers. */
const HOSTILE_PIECES = [
  '\n',
  '\r\n',
  '\r',
  '=',
  '<<',
  'EOF',
  'ghadelimiter_',
  `ghadelimiter_${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
  'AWS_ACCESS_KEY_ID=evil',
  'X<<EOF',
  '::error::x',
  '::add-mask::',
  '%0A',
  ' ',
  '\t',
  '\u200B',
  '\u202E',
  '\uFEFF',
  'а',
  '１',
  '/',
  '..',
  ':',
  ',',
  '"',
  '{',
  '}',
  'arn:aws:iam::',
  '111122223333',
  'role/',
  'us-east-1',
  'true',
  '3600',
  'a'
];
const hostile = fc.string({ unit: fc.constantFrom(...HOSTILE_PIECES), maxLength: 12 });
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary-ascii' }), hostile);
const around = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', ' ', '\n', '\u200B', 'x'), valid, fc.constantFrom('', ' ', '\n', '\u200B', 'x')).map(([a, v, b]) => a + v + b) },
    { weight: 2, arbitrary: anyText }
  );

const booleanText = around(fc.constantFrom('true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'yes', '1', 'on'));
const VALUES: Record<(typeof INPUT_NAMES)[number], fc.Arbitrary<string>> = {
  'aws-region': around(fc.oneof(fc.constantFrom('us-east-1', 'eu-west-2', 'us-gov-west-1', 'ap-southeast-10'), fc.stringMatching(/^[a-z]{2}(-[a-z]{1,5}){1,3}-\d{1,3}$/))),
  'role-to-assume': around(
    fc.oneof(
      fc.constantFrom(ROLE, 'deploy', 'arn:aws-cn:iam::111122223333:role/a/b/c', 'arn:aws:iam::111122223333:role/'),
      fc.stringMatching(/^arn:aws(-[a-z]{2,3})?:iam::\d{11,13}:role\/([!-~]{1,8}\/)?[\w+=,.@-]{0,66}$/)
    )
  ),
  'role-session-name': around(fc.stringMatching(/^[\w+=,.@ /-]{0,70}$/)),
  'role-duration-seconds': around(fc.oneof(fc.integer({ min: -1000, max: 50000 }).map(String), fc.constantFrom('900', '43200', '3600', '0900', '1e3', '3600.0'))),
  'aws-access-key-id': around(fc.stringMatching(/^[\w!]{10,20}$/)),
  'aws-secret-access-key': around(fc.stringMatching(/^[\x20-\x7e]{1,40}$/)),
  'aws-session-token': fc.oneof(fc.constant(''), around(fc.stringMatching(/^[\w+/=]{1,60}$/))),
  'web-identity-token-file': fc.oneof(fc.constant(''), around(fc.constantFrom('/tmp/token', 'token', 'a/../b', '/'))),
  'role-chaining': fc.oneof(fc.constant('false'), booleanText),
  audience: around(fc.oneof(fc.constantFrom('sts.amazonaws.com', 'https://github.com/octo-org'), fc.stringMatching(/^[!-~]{250,260}$/))),
  'role-external-id': fc.oneof(fc.constant(''), around(fc.stringMatching(/^[\w+=,.@:/ -]{0,20}$/))),
  'inline-session-policy': fc.oneof(
    fc.constant(''),
    around(fc.constantFrom('{"Statement":[]}', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', '[]', 'null', '{')),
    fc.json().map(j => `{"Statement":${j}}`)
  ),
  'managed-session-policies': fc.oneof(
    fc.constant(''),
    fc.array(around(fc.constantFrom('arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::111122223333:policy/p')), { maxLength: 12 }).map(a => a.join('\n'))
  ),
  'role-skip-session-tagging': booleanText,
  'transitive-tag-keys': fc.oneof(
    fc.constant(''),
    fc.array(around(fc.constantFrom('Repository', 'Actor', 'Nope', 'k'.repeat(129))), { maxLength: 3 }).map(a => a.join('\n'))
  ),
  'mask-aws-account-id': booleanText,
  'output-credentials': booleanText,
  'output-env-credentials': booleanText,
  'unset-current-credentials': booleanText,
  'allowed-account-ids': fc.oneof(
    fc.constant(''),
    fc.array(around(fc.stringMatching(/^\d{11,13}$/)), { maxLength: 3 }).map(a => a.join(','))
  ),
  'disable-retry': booleanText,
  'retry-max-attempts': around(fc.oneof(fc.integer({ min: -5, max: 120 }).map(String), fc.constantFrom('12', '1.5', '0x10'))),
  'sts-endpoint': fc.oneof(
    fc.constant(''),
    around(fc.constantFrom('http://127.0.0.1:4566', 'https://sts.us-east-1.amazonaws.com', 'ftp://x', 'http://u:p@h', 'http://h/\nx', 'file:///etc/passwd'))
  ),
  'aws-profile': fc.oneof(fc.constant(''), around(fc.constantFrom('default', 'deploy', 'a b', '[x]', 'a/b', 'p'.repeat(65)))),
  'overwrite-aws-profile': booleanText,
  profiles: fc.oneof(
    fc.constant(''),
    fc.array(around(fc.constantFrom(`dev=${ROLE}`, `prod=${ROLE},region=eu-west-1`, 'x=arn', `a b=${ROLE}`, `p=${ROLE},region=mars`)), { maxLength: 3 }).map(a => a.join('\n'))
  ),
  'http-proxy': fc.oneof(fc.constant(''), around(fc.constantFrom('http://proxy:3128', 'http://u:p@proxy:3128', 'socks5://h:1', 'proxy'))),
  'no-proxy': fc.oneof(fc.constant(''), around(fc.constantFrom('*', '.amazonaws.com', '127.0.0.1:4566,localhost'))),
  'custom-tags': fc.oneof(
    fc.constant(''),
    around(fc.constantFrom('{"Team":"a"}', '{"Repository":"x"}', '[]', '{', '{"a":{"b":1}}')),
    fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()), { maxKeys: 5 }).map(o => JSON.stringify(o))
  ),
  'special-characters-workaround': booleanText,
  'use-existing-credentials': booleanText,
  'force-skip-oidc': booleanText,
  'action-timeout-s': around(fc.oneof(fc.integer({ min: -5, max: 30000 }).map(String), fc.constantFrom('0', '1.5', '60s'))),
  'role-chain': fc.oneof(
    fc.constant(''),
    fc.array(around(fc.constantFrom(ROLE, 'arn:aws:iam::444455556666:role/t', 'not-an-arn')), { maxLength: 3 }).map(a => a.join('\n'))
  ),
  'refresh-credentials': booleanText,
  'source-identity': fc.oneof(fc.constant(''), around(fc.constantFrom('octocat', 'dependabot[bot]', 'aws:me', 'x', 'a'.repeat(65), 'ci@example.com'))),
  summary: booleanText
};

/** Mostly-valid inputs (an OIDC assume, as action.yml defaults them) with 1-4 inputs replaced by generated text. */
const VALID_BASE: Record<string, string> = {
  'aws-region': 'us-east-1',
  'role-to-assume': ROLE,
  'role-session-name': 'GitHubActions',
  'role-duration-seconds': '3600',
  audience: 'sts.amazonaws.com',
  'role-chaining': 'false',
  'output-env-credentials': 'true',
  'retry-max-attempts': '12'
};
const inputsArb: fc.Arbitrary<Record<string, string>> = fc
  .uniqueArray(fc.constantFrom(...INPUT_NAMES), { minLength: 1, maxLength: 4 })
  .chain(names => fc.tuple(...names.map(name => VALUES[name].map(value => [name, value] as const))))
  .map(pairs => ({ ...VALID_BASE, ...Object.fromEntries(pairs) }));
const extraEnvArb = fc.record(
  {
    AWS_REGION: around(fc.constant('eu-west-1')),
    AWS_ENDPOINT_URL_STS: around(fc.constant('http://127.0.0.1:4566')),
    GITHUB_WORKSPACE: fc.constantFrom('/home/runner/work/repo', ''),
    AWS_ACCESS_KEY_ID: fc.constant('ASIAEXAMPLEEXAMPLE01'),
    AWS_SECRET_ACCESS_KEY: fc.constant('secret'),
    ACTIONS_ID_TOKEN_REQUEST_URL: fc.constant('https://token.example/'),
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: fc.constant('bearer')
  },
  { requiredKeys: [] }
);

function toEnv(inputs: Record<string, string>, extra: Record<string, string | undefined>): Env {
  const env: Record<string, string | undefined> = { ...extra };
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
  return env;
}

type Verdict = { ok: true; inputs: Inputs } | { ok: false; problems: readonly string[] };

/** Anything but an InputError escapes and fails the property. */
function judge(env: Env, withPlan = false): Verdict {
  try {
    const inputs = parseInputs(env);
    if (withPlan) decidePlan(inputs);
    return { ok: true, inputs };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, problems: error.problems };
    throw error;
  }
}

const NAME_PREFIX = new RegExp(`^(${INPUT_NAMES.join('|')}): `);
const RUNS = { numRuns: 400 };

// ------------------------------------------------------------------------------------------------

describe('the input parsers', () => {
  test('never throw anything but InputError, and every problem starts with a known input name and ":"', () => {
    fc.assert(
      fc.property(inputsArb, extraEnvArb, (inputs, extra) => {
        const verdict = judge(toEnv(inputs, extra), true);
        if (!verdict.ok) {
          expect(verdict.problems.length).toBeGreaterThan(0);
          for (const problem of verdict.problems) expect(problem).toMatch(NAME_PREFIX);
        }
      }),
      RUNS
    );
  });

  test('also on inputs that are all arbitrary text', () => {
    const wild = fc.dictionary(fc.constantFrom(...INPUT_NAMES), anyText, { maxKeys: INPUT_NAMES.length });
    fc.assert(
      fc.property(wild, extraEnvArb, (inputs, extra) => {
        const verdict = judge(toEnv(inputs, extra), true);
        if (!verdict.ok) for (const problem of verdict.problems) expect(problem).toMatch(NAME_PREFIX);
      }),
      RUNS
    );
  });

  test('problems quote user text on one line and briefly', () => {
    fc.assert(
      fc.property(inputsArb, extraEnvArb, (inputs, extra) => {
        const verdict = judge(toEnv(inputs, extra), true);
        if (!verdict.ok) for (const problem of verdict.problems) expect(problem).not.toMatch(/[\r\n]/);
      }),
      RUNS
    );
    // A 100 KB value is quoted as a preview, and a 100 KB list gives a few problems, not thousands.
    const huge = {
      'role-duration-seconds': '9'.repeat(100_000),
      'allowed-account-ids': 'x,'.repeat(50_000),
      'managed-session-policies': 'x\n'.repeat(50_000),
      'transitive-tag-keys': '*\n'.repeat(50_000),
      'sts-endpoint': `http://${'a.'.repeat(50_000)}`
    };
    for (const [name, value] of Object.entries(huge)) {
      const verdict = judge(toEnv({ ...VALID_BASE, [name]: value }, {}));
      const message = verdict.ok ? '' : new InputError(verdict.problems).message;
      expect({ name, length: message.length > 0 && message.length < 2000 }).toEqual({ name, length: true });
    }
  });

  test('accepted values satisfy the documented rules', () => {
    let accepted = 0;
    fc.assert(
      fc.property(inputsArb, extraEnvArb, (inputs, extra) => {
        const verdict = judge(toEnv(inputs, extra));
        if (!verdict.ok) return;
        accepted++;
        const i = verdict.inputs;
        // role-duration-seconds: a whole number of seconds, 900-43200, at most 3600 when chaining.
        expect(Number.isInteger(i.durationSeconds)).toBe(true);
        expect(i.durationSeconds).toBeGreaterThanOrEqual(900);
        expect(i.durationSeconds).toBeLessThanOrEqual(i.roleChaining ? 3600 : 43200);
        // retry-max-attempts: 1-100, and exactly 1 with disable-retry.
        expect(Number.isInteger(i.maxAttempts) && i.maxAttempts >= 1 && i.maxAttempts <= 100).toBe(true);
        if (/^(true|True|TRUE)$/.test((inputs['disable-retry'] ?? '').trim())) expect(i.maxAttempts).toBe(1);
        expect(i.sessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
        if (i.region !== '') expect(i.region).toMatch(/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/);
        else expect(i.unsetCurrentCredentials && i.role === undefined && i.keys === undefined).toBe(true);
        if (i.role?.kind === 'arn') expect(i.role.arn).toMatch(/^arn:[a-z-]+:iam::\d{12}:role\/(?:[!-~]+\/)?[\w+=,.@-]{1,64}$/);
        if (i.role?.kind === 'name') expect(i.role.name).toMatch(/^[\w+=,.@-]{1,64}$/);
        expect(i.audience).toMatch(/^[!-~]{1,255}$/);
        if (i.externalId !== undefined) expect(i.externalId).toMatch(/^[\w+=,.@:/-]{2,1224}$/);
        if (i.keys !== undefined) {
          expect(i.keys.accessKeyId).toMatch(/^\w{16,128}$/);
          expect(i.keys.secretAccessKey).toMatch(/^[!-~]+$/);
          if (i.keys.sessionToken !== undefined) expect(i.keys.sessionToken).toMatch(/^[!-~]+$/);
        }
        if (i.webIdentityTokenFile !== undefined) expect(i.webIdentityTokenFile.startsWith('/')).toBe(true);
        if (i.inlineSessionPolicy !== undefined) {
          expect(i.inlineSessionPolicy.length).toBeLessThanOrEqual(2048);
          expect(i.inlineSessionPolicy).toMatch(/^[\t\n\r\x20-\xff]*$/);
          const policy: unknown = JSON.parse(i.inlineSessionPolicy);
          expect(typeof policy === 'object' && policy !== null && !Array.isArray(policy) && 'Statement' in policy).toBe(true);
        }
        expect(i.managedSessionPolicies.length).toBeLessThanOrEqual(10);
        for (const arn of i.managedSessionPolicies) expect(arn).toMatch(/^arn:[a-z-]+:iam::(\d{12}|aws):policy\/[!-~]+$/);
        for (const id of i.allowedAccountIds) expect(id).toMatch(/^\d{12}$/);
        if (i.sourceIdentity !== undefined) expect(i.sourceIdentity).toMatch(/^(?!aws:)[\w+=,.@-]{2,64}$/);
        if (i.stsEndpoint !== undefined) {
          const url = new URL(i.stsEndpoint.url);
          // https, or http to this machine only: the OIDC token and signed requests go there.
          expect([url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)), url.username, url.password]).toEqual([true, '', '']);
          expect(i.stsEndpoint.url).not.toMatch(/[\x00-\x20\x7f]/);
        }
        // Whatever is accepted is one line: nothing accepted can end up on a log or file-command line of its own.
        for (const value of [i.region, i.sessionName, i.audience, i.externalId, i.stsEndpoint?.url, i.webIdentityTokenFile, i.role?.kind === 'arn' ? i.role.arn : i.role?.name]) {
          if (value !== undefined) expect(value).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 1000 }
    );
    // The generators must really reach the accepting path, or the rules above are checked on nothing.
    expect(accepted).toBeGreaterThan(50);
  });

  test('a token file path that is not a readable regular file fails with an InputError naming the input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-prop-'));
    try {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 30 }), async name => {
          const path = join(dir, 'missing', name);
          const error: unknown = await readTokenFile(path).then(
            () => undefined,
            (e: unknown) => e
          );
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).problems).toEqual([expect.stringMatching(/^web-identity-token-file: .* (does not exist|is not a readable regular file)$/s)]);
        }),
        { numRuns: 100 }
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------------------------------

describe('the key/value files (GITHUB_ENV, GITHUB_OUTPUT)', () => {
  const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'aws-account-id', 'authenticated-arn'];
  /** Values as they reach the file: UTF-8, so text survives exactly (fast-check's `binary` unit has no lone surrogates). */
  const valueArb = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom(...HOSTILE_PIECES), maxLength: 30 }),
    fc.constantFrom('', '\n', 'EOF', 'x\nEOF\nAWS_ACCESS_KEY_ID=evil\nX<<EOF', 'x\nghadelimiter_1\nAWS_REGION=evil', 'a=b', 'a<<b', '<<EOF\n')
  );
  const writesArb = fc.array(fc.tuple(fc.constantFrom(...NAMES), valueArb), { minLength: 1, maxLength: 5 });

  let dir: string;
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-commands-prop-'));
    for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', ...NAMES]) saved[name] = process.env[name];
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes each pair with `write` to a fresh file and returns what the runner would read back. */
  function roundTrip(writes: Array<[string, string]>, write: (file: string, name: string, value: string) => void) {
    const file = join(dir, 'commands');
    writeFileSync(file, '');
    for (const [name, value] of writes) write(file, name, value);
    return parseFileCommands(readFileSync(file, 'utf8'));
  }

  const cases: Array<[string, (file: string, name: string, value: string) => void]> = [
    [
      '@actions/core exportVariable',
      (file, name, value) => {
        process.env.GITHUB_ENV = file;
        core.exportVariable(name, value);
      }
    ],
    [
      '@actions/core setOutput',
      (file, name, value) => {
        process.env.GITHUB_OUTPUT = file;
        core.setOutput(name, value);
      }
    ],
    ['our writer commandBlock (exportAll and the post step)', (file, name, value) => appendBlock(file, commandBlock({ [name]: value }))]
  ];

  test.each(cases)('%s: no value creates another variable; the runner reads back exactly what was written', (_label, write) => {
    fc.assert(
      fc.property(writesArb, writes => {
        expect(roundTrip(writes, write)).toEqual(writes.map(([name, value]) => ({ name, value })));
      }),
      { numRuns: 300 }
    );
  });

  test('a writer without the random delimiter is injectable, so the property above can fail', () => {
    const naive = (file: string, name: string, value: string): void => writeFileSync(file, `${name}<<EOF\n${value}\nEOF\n`, { flag: 'a' });
    const found = fc.check(
      fc.property(writesArb, writes => {
        const read = roundTrip(writes, naive);
        return JSON.stringify(read) === JSON.stringify(writes.map(([name, value]) => ({ name, value })));
      }),
      { numRuns: 300 }
    );
    expect(found.failed).toBe(true);
  });
});
