import { parseProfileSpecs } from '../../src/inputs/profile-specs.js';
import { OWNER_MARK, removeSection, upsertSection } from '../../src/export/shared-file.js';

describe('editing a shared file', () => {
  const file = '# top\n[a]\nx = 1\n\n; about b\n[b]\ny = 2\n';

  test('replaces one section and keeps everything else byte for byte, comments of the next section included', () => {
    expect(upsertSection(file, '[a]', ['x = 9'])).toBe('# top\n[a]\nx = 9\n\n; about b\n[b]\ny = 2\n');
    expect(upsertSection(file, '[b]', ['y = 3'])).toBe('# top\n[a]\nx = 1\n\n; about b\n[b]\ny = 3\n');
  });

  test('appends a new section after a blank line; removes only a section that carries our mark', () => {
    expect(upsertSection(file, '[c]', ['z = 1'])).toBe(`${file}\n[c]\nz = 1\n`);
    const ours = upsertSection(file, '[c]', [OWNER_MARK, 'z = 1']);
    expect(removeSection(ours, '[c]', OWNER_MARK)).toEqual({ text: file, removed: true });
    expect(removeSection(file, '[a]', OWNER_MARK)).toEqual({ text: file, removed: false });
  });
});

describe('the profiles input', () => {
  test('reads NAME=ROLE_ARN with an optional region', () => {
    const problems: string[] = [];
    expect(parseProfileSpecs(['dev=arn:aws:iam::111122223333:role/dev', 'prod = arn:aws:iam::444455556666:role/p , region = eu-west-1'], p => problems.push(p))).toEqual([
      { name: 'dev', roleArn: 'arn:aws:iam::111122223333:role/dev' },
      { name: 'prod', roleArn: 'arn:aws:iam::444455556666:role/p', region: 'eu-west-1' }
    ]);
    expect(problems).toEqual([]);
  });

  test('a carriage return in a bad line is not quoted as a line break', () => {
    const problems: string[] = [];
    parseProfileSpecs(['..\r::error::x'], p => problems.push(p));
    expect(problems).toEqual(["'.. ::error::x' is not NAME=ROLE_ARN or NAME=ROLE_ARN,region=REGION"]);
  });

  test('names every bad line', () => {
    const problems: string[] = [];
    parseProfileSpecs(['dev', 'a/b=arn:aws:iam::111122223333:role/dev', 'x=arn:aws:iam::1:role/r'], p => problems.push(p));
    expect(problems).toEqual([
      "'dev' is not NAME=ROLE_ARN or NAME=ROLE_ARN,region=REGION",
      "profile name 'a/b' must be 1-64 letters, digits or _.+@-",
      "'arn:aws:iam::1:role/r' (profile x) is not a role ARN"
    ]);
  });
});
