// The errors the action raises on purpose, each with the message a person needs. A leaf module.

/** Every error the action raises on purpose: its message is complete and reaches the log as it is. */
export class ActionError extends Error {}

/** All problems with the inputs, reported together so one run shows every fix needed. */
export class InputError extends ActionError {
  override name = 'InputError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? `Invalid input: ${problems[0]}` : `${problems.length} invalid inputs:\n${problems.map(p => `- ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** A failure with the message a person needs; the cause's details are already in it. */
export class StepError extends ActionError {
  override name = 'StepError';
  /** For a refusal: what to change and where; the message holds it too, and the job summary shows it. */
  diagnosis?: string;
}

/** A shared AWS file (credentials or config) that cannot be read or written safely. */
export class SharedFileError extends ActionError {
  override name = 'SharedFileError';
}

/**
 * An answer from STS or the token endpoint that is not what it must be (a malformed ARN, a key outside
 * its alphabet, an expired session, an oversized body): refused before any of it is used. Not retried:
 * the same server is likely to answer the same way.
 */
export class AnswerError extends ActionError {
  override name = 'UnusableAnswer';
}

/** A name and a message for any thrown value, as one line of text (the caller neutralises it). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code: unknown = (error as { code?: unknown }).code;
  const label = error.name !== 'Error' ? error.name : typeof code === 'string' ? code : undefined;
  return label !== undefined && !error.message.startsWith(label) ? `${label}: ${error.message}` : error.message;
}

/** The step's final message: our own errors as they are, anything else marked as unexpected. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActionError) return error.message;
  return `Unexpected failure: ${describeError(error)}`;
}
