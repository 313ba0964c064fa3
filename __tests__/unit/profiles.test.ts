import { parseProfileSpecs, replaceSection } from '../../src/profiles.js';

describe('editing an INI file', () => {
  const file = '# top\n[a]\nx = 1\n\n; about b\n[b]\ny = 2\n';

  test('replaces one section and keeps everything else byte for byte', () => {
    expect(replaceSection(file, 'a', ['x = 9'])).toBe('# top\n[a]\nx = 9\n\n; about b\n[b]\ny = 2\n');
    expect(replaceSection(file, 'b', ['y = 3'])).toBe('# top\n[a]\nx = 1\n\n; about b\n[b]\ny = 3\n');
  });

  test('appends a new section after a blank line, and removes one', () => {
    expect(replaceSection(file, 'c', ['z = 1'])).toBe(`${file}\n[c]\nz = 1\n`);
    expect(replaceSection(file, 'a', undefined)).toBe('# top\n\n; about b\n[b]\ny = 2\n');
    expect(replaceSection('', 'a', ['k = v'])).toBe('[a]\nk = v\n');
    expect(replaceSection('[a]\nk = v\n', 'a', undefined)).toBe('');
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
