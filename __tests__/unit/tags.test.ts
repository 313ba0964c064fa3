import { sanitizeTagValue, sessionTags, withoutDroppableTags } from '../../src/session-tags.js';

describe('session tags', () => {
  test('replace characters STS refuses and cut at 256', () => {
    expect(sanitizeTagValue('dependabot[bot]')).toBe('dependabot_bot_');
    expect(sanitizeTagValue('feature/has spaces&bad?chars')).toBe('feature/has spaces_bad_chars');
    expect(sanitizeTagValue('ünïcødé-ok')).toBe('ünïcødé-ok');
    expect(Array.from(sanitizeTagValue('é'.repeat(300)))).toHaveLength(256);
  });

  const run = { repository: 'o/r', workflow: 'CI', action: '__run', actor: 'dependabot[bot]', sha: 'abc', ref: '' };
  const empty = { eventName: '', baseRef: '', headRef: '', runId: '', job: '', triggeringActor: '' };

  test('are the GitHub run in order, leaving out empty values', () => {
    const tags = sessionTags({ ...run, ...empty });
    expect(tags).toEqual([
      { Key: 'GitHub', Value: 'Actions' },
      { Key: 'Repository', Value: 'o/r' },
      { Key: 'Workflow', Value: 'CI' },
      { Key: 'Action', Value: '__run' },
      { Key: 'Actor', Value: 'dependabot_bot_' },
      { Key: 'Commit', Value: 'abc' }
    ]);
  });

  test('the droppable run tags come after the protected ones, and custom tags last', () => {
    const tags = sessionTags({ ...run, ...empty, eventName: 'push', runId: '42', job: 'build' }, [{ Key: 'Team', Value: 'payments' }]);
    expect(tags.map(t => t.Key)).toEqual(['GitHub', 'Repository', 'Workflow', 'Action', 'Actor', 'Commit', 'EventName', 'RunId', 'Job', 'Team']);
    expect(withoutDroppableTags(tags).map(t => t.Key)).toEqual(['GitHub', 'Repository', 'Workflow', 'Action', 'Actor', 'Commit', 'Team']);
  });
});
