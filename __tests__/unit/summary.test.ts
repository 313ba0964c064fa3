import { failureSummary, successSummary } from '../../src/export/summary.js';
import { summaryOptions } from '../../src/inputs/parse.js';

const FACTS = {
  source: 'GitHub OIDC token',
  roles: ['arn:aws:iam::111122223333:role/a|b'],
  sessionName: 'GitHubActions',
  identityArn: 'arn:aws:sts::111122223333:assumed-role/a/GitHubActions',
  account: '111122223333',
  region: 'us-east-1',
  expiration: new Date('2026-01-01T00:00:00Z'),
  profiles: [] as string[],
  elapsedMs: 1234,
  maskAccountId: false
};

test('a pipe in a value cannot break the table', () => {
  expect(successSummary(FACTS)).toContain('| Role | `arn:aws:iam::111122223333:role/a\\|b` |');
  expect(successSummary(FACTS)).toContain('| Step time | 1.2 s |');
});

test('masking replaces every account id but leaves other numbers', () => {
  const text = successSummary({ ...FACTS, maskAccountId: true, sessionName: 'run-1234567890123' });
  expect(text).not.toMatch(/111122223333/);
  expect(text).toContain('`run-1234567890123`');
});

test('profiles are listed by name and role, not as a chain', () => {
  const text = successSummary({ ...FACTS, roles: [], profiles: ['dev=arn:aws:iam::111122223333:role/dev', 'prod=arn:aws:iam::444455556666:role/p'] });
  expect(text).toContain('| Profiles | `dev=arn:aws:iam::111122223333:role/dev`, `prod=arn:aws:iam::444455556666:role/p` |');
  expect(text).not.toContain('| Role |');
});

test('a refresh profile is named in the expiry row', () => {
  expect(successSummary({ ...FACTS, refreshProfile: 'default' })).toContain('refreshed on demand through profile `default`');
});

test('a failure message with backticks stays inside one code block', () => {
  const text = failureSummary('bad ``` input', 50, false);
  expect(text).toContain('````text\nbad ``` input\n````');
});

test('summary options are read leniently, defaulting to on', () => {
  expect(summaryOptions({})).toEqual({ enabled: true, maskAccountId: false });
  expect(summaryOptions({ INPUT_SUMMARY: 'false', 'INPUT_MASK-AWS-ACCOUNT-ID': 'true' })).toEqual({ enabled: false, maskAccountId: true });
  expect(summaryOptions({ INPUT_SUMMARY: 'maybe' }).enabled).toBe(true);
});
