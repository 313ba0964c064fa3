// Jest globalSetup: once per run, say which client the later step is when it is not the AWS CLI,
// so the SDK's output and the tests skipped by name ("needs the AWS CLI") are not a surprise.
import { hasAwsCli, LATER_STEP_NOTICE } from './aws-cli.ts';

export default function laterStepNotice(): void {
  if (!hasAwsCli) process.stderr.write(`${LATER_STEP_NOTICE}; tests that need the CLI itself are skipped\n`);
}
