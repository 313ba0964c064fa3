import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The neutraliser every log line passes, the known errors' own messages, and echoed lists kept short.
import { ActionError, AnswerError, failureMessage, InputError, SharedFileError, StepError } from '../../src/errors.js';
import { inputVariable } from '../../src/inputs/names.js';
import { parseInputs } from '../../src/inputs/parse.js';
import { commandData, plainLine } from '../../src/log-text.js';
import { maskAccount } from '../../src/mask.js';
import { IdTokenError } from '../../src/oidc/token.js';
import { safeOutput } from '../../src/safe-output.js';
import { parseCommandLine } from '../support/file-commands.ts';
import { createCommandFiles, RecordingOutput } from '../support/in-process.ts';

const HOSTILE = [
  'a\n::stop-commands::T',
  'a\r::set-output name=x::y',
  'a\r\n::save-state name=x::y',
  'a\u2028::add-mask::1',
  'a\u0085x',
  'a\u2029x',
  'x ##[stop-commands]T',
  '::error::x',
  '  ::warning::x',
  '\ufeff::debug::x'
];

describe('plain log lines', () => {
  test.each(HOSTILE)('%j stays one line that starts no command', text => {
    const line = plainLine(text);
    expect(line).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
    expect(parseCommandLine(line)).toBeUndefined();
    expect(line).not.toContain('##[');
    expect(line).not.toMatch(/stop-commands/i);
  });

  test("the action's own wording is left as it is (ARNs keep their ::)", () => {
    const own = 'Assumed arn:aws:sts::111122223333:assumed-role/r/s; the credentials expire at 2026-12-01T13:00:00.000Z';
    expect(plainLine(own)).toBe(own);
  });
});

describe('command data (debug, notice, warning, error)', () => {
  test('keeps line breaks for the toolkit to escape, but no line of it starts a command', () => {
    const data = commandData('Invalid inputs:\n- a\n::stop-commands::T\n##[add-mask]x\u2028::set-output name=a::b');
    expect(data.split('\n')).toEqual(['Invalid inputs:', '- a', ': :stop_commands::T', '## [add-mask]x', ': :set-output name=a::b']);
  });

  test('safeOutput neutralises every message channel and passes secrets and values through untouched', () => {
    const recorded = new RecordingOutput(createCommandFiles(mkdtempSync(join(tmpdir(), 'hostile-text-'))));
    const out = safeOutput(recorded);
    out.info('x\n::stop-commands::T');
    out.warning('y\n::stop-commands::T');
    out.setFailed('z\r\n##[stop-commands]T');
    out.setSecret('s\necret');
    out.exportAll({ state: {}, env: { A: 'v\nw' }, outputs: {} });
    expect(recorded.stdout).not.toMatch(/stop-commands/i);
    expect(recorded.stdout).toContain('::add-mask::s%0Aecret');
    expect(recorded.exports).toBe(1);
  });
});

describe('every error the action raises has its own message', () => {
  test.each([
    new InputError(['aws-region: bad']),
    new StepError('step'),
    new SharedFileError('~/.aws/credentials is a symbolic link'),
    new AnswerError('STS answered more than 64 KiB'),
    new IdTokenError('the GitHub OIDC token endpoint answered HTTP 500', 500)
  ])('%s is not an "Unexpected failure"', error => {
    expect(error).toBeInstanceOf(ActionError);
    expect(failureMessage(error)).toBe(error.message);
  });

  test('anything else is marked unexpected', () => {
    expect(failureMessage(new URIError('URI malformed'))).toBe('Unexpected failure: URIError: URI malformed');
  });
});

test('mask-aws-account-id never registers a fragment such as 1 for an account that is not 12 digits', () => {
  const masks: string[] = [];
  for (const account of ['1', '12345678901', '1111222233334', `111122223333\n`]) maskAccount({ setSecret: v => masks.push(v) }, true, account);
  maskAccount({ setSecret: v => masks.push(v) }, true, '111122223333');
  expect(masks).toEqual(['111122223333']);
});

describe('echoed lists are bounded', () => {
  const OIDC = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1/token', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bearer' };
  const problemsOf = (inputs: Record<string, string>): string => {
    const env: Record<string, string> = { ...OIDC, [inputVariable('aws-region')]: 'us-east-1' };
    for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
    try {
      parseInputs(env);
    } catch (error) {
      if (error instanceof InputError) return error.message;
      throw error;
    }
    throw new Error('expected the inputs to be rejected');
  };
  const ROLE = 'arn:aws:iam::111122223333:role/deploy';

  test('a role-chain of 100 000 bad lines makes a message of a few lines', () => {
    const message = problemsOf({ 'role-to-assume': ROLE, 'role-duration-seconds': '3600', 'role-chain': Array.from({ length: 100_000 }, (_, i) => `bad-${i}`).join('\n') });
    expect(message.length).toBeLessThan(2000);
    expect(message).toContain('99995 more entries like these');
  });

  test('profiles of 100 000 bad or long lines make a message of a few lines', () => {
    const long = `name=${'x'.repeat(1_000_000)}`;
    const message = problemsOf({ profiles: [long, ...Array.from({ length: 100_000 }, (_, i) => `p${i}`)].join('\n') });
    expect(message.length).toBeLessThan(2000);
    expect(message).toContain('99996 more lines like these');
  });

  test('profiles repeating 100 000 names list a few of them', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `p${i % 50_000}=${ROLE}`);
    const message = problemsOf({ profiles: lines.join('\n'), 'output-env-credentials': 'false' });
    expect(message.length).toBeLessThan(2000);
    expect(message).toContain('and 49995 more appear more than once');
  });
});
