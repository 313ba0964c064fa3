import { parseCustomTags } from '../../src/inputs/custom-tags.js';

function problemsFor(text: string): string[] {
  const problems: string[] = [];
  parseCustomTags(text, p => problems.push(p));
  return problems;
}

describe('custom-tags', () => {
  test('numbers and booleans become strings; the tags come in the order given', () => {
    expect(parseCustomTags('{"Team":"payments","Cost":42,"Audited":false}', () => undefined)).toEqual([
      { Key: 'Team', Value: 'payments' },
      { Key: 'Cost', Value: '42' },
      { Key: 'Audited', Value: 'false' }
    ]);
  });

  test('a key with a line break is quoted back on one line', () => {
    const problems = [...problemsFor(JSON.stringify({ 'a\r::error::x': 'v' })), ...problemsFor(JSON.stringify({ 'b\n::error::y': {} }))];
    expect(problems).toHaveLength(2);
    for (const problem of problems) expect(problem).not.toMatch(/[\r\n]/);
  });
});
