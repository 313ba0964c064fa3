// What STS and GitHub hand out during each test of a file, so a test can check that every one of them
// was masked before it could print. Call at the top level of a test file (it registers a beforeEach).
import { expectNoLeaks } from './leaks.ts';
import type { StepResult } from './step-runner.ts';
import type { World } from './world.ts';

export interface Issued {
  /** Session keys, tokens and OIDC tokens issued since the current test began. */
  newSecrets: () => string[];
  /** Exit 0, no error, and none of `newSecrets()` (nor `inputSecrets`) shown unmasked. */
  expectSucceeded: (result: StepResult, inputSecrets?: string[]) => void;
  /** Counts from now: what an earlier step of the same test issued is a later step's input, not its secret. */
  restart: () => void;
}

export function trackIssued(world: () => World): Issued {
  let seen = { sessions: 0, tokens: 0 };
  const restart = (): void => {
    seen = { sessions: world().sts.sessions.length, tokens: world().oidc.issued.length };
  };
  beforeEach(restart);
  const newSecrets = (): string[] => {
    const sessions = world()
      .sts.sessions.slice(seen.sessions)
      .flatMap(s => [s.accessKeyId, s.secretAccessKey, s.sessionToken]);
    return [
      ...sessions,
      ...world()
        .oidc.issued.slice(seen.tokens)
        .map(t => t.token)
    ];
  };
  return {
    newSecrets,
    restart,
    expectSucceeded: (result, inputSecrets = []) => {
      expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
      expectNoLeaks(result, [...newSecrets(), ...inputSecrets]);
    }
  };
}
