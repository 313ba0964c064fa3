import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { INPUT_NAMES } from '../../src/inputs/names.js';
import { ACTION_VERSION } from '../../src/inputs/environment.js';
import { inputDefaults } from '../support/action-metadata.ts';
import { REPO_ROOT } from '../support/world.ts';

const ACTION_YML = resolve(REPO_ROOT, 'action.yml');

describe('action.yml', () => {
  test('declares exactly the inputs the action reads, each with a default', () => {
    expect(Object.keys(inputDefaults(ACTION_YML)).sort()).toEqual([...INPUT_NAMES].sort());
  });

  test('declares every output the action sets, authenticated-arn included', () => {
    const yml = readFileSync(ACTION_YML, 'utf8');
    const outputs = yml.slice(yml.indexOf('\noutputs:'), yml.indexOf('\nruns:'));
    for (const name of ['aws-account-id', 'authenticated-arn', 'aws-access-key-id', 'aws-secret-access-key', 'aws-session-token', 'aws-expiration']) {
      expect(outputs).toContain(`\n  ${name}:\n    description: `);
    }
  });

  test('runs the committed bundles on node24, with a post step that honours AWS_SKIP_CLEANUP_STEP', () => {
    const yml = readFileSync(ACTION_YML, 'utf8');
    expect(yml).toMatch(/\nruns:\n {2}using: node24\n {2}main: dist\/index\.js\n {2}post: dist\/cleanup\/index\.js\n {2}post-if: env\.AWS_SKIP_CLEANUP_STEP != 'true'\n/);
  });

  test('the user agent carries the package version', () => {
    const pkg = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(ACTION_VERSION).toBe(pkg.version);
  });
});
