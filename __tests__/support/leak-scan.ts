// The scan run after each test FILE (wired in leak-scan.setup.ts, a jest setupFilesAfterEnv): every
// step the file ran (support/step-registry.ts) is scanned for every secret its worlds issued: STS session keys and tokens, GitHub OIDC tokens and
// the IAM users' keys. A secret may be in a later step's ENVIRONMENT (that is how credentials are
// handed on), but never in any step's output: stdout and stderr outside `::add-mask::` lines, the
// step summary, or the runner's file-command errors (which quote the file).
import { findLeaks } from './leaks.ts';
import { recordedSteps, registeredSecrets, type RecordedStep } from './step-registry.ts';

// findLeaks also reports secrets that were never masked; a world secret a step never saw needs no
// mask, so only appearances count here.
const NEVER_MASKED = /is never masked \(no ::add-mask:: registers it\)$/;

function leaksOfStep(step: RecordedStep, secrets: string[]): string[] {
  const { result } = step;
  const logged = findLeaks(result, secrets).filter(l => !NEVER_MASKED.test(l));
  // Text the runner shows after the step; no add-mask line can precede it within the step.
  const after = [result.summary, ...result.fileCommandErrors].join('\n');
  const shownLater = after === '' ? [] : findLeaks({ stdout: after, stderr: '' }, secrets).filter(l => !NEVER_MASKED.test(l));
  return [...logged, ...shownLater.map(l => `${l} (step summary / file-command errors)`)];
}

export function scanRecordedSteps(): string[] {
  const secrets = registeredSecrets();
  if (secrets.length === 0) return [];
  return recordedSteps().flatMap((step, i) => leaksOfStep(step, secrets).map(l => `step #${i + 1} of "${step.test}": ${l}`));
}
