/**
 * `action-timeout-s`: one deadline for the whole step. Disarmed on success and on failure alike,
 * so a failed step never waits for the timer or reports twice.
 */
export function armDeadline(seconds: number, expire: () => void): () => void {
  if (seconds <= 0) return () => undefined;
  const timer = setTimeout(expire, seconds * 1000);
  // Only pending work keeps the step alive; the deadline alone must not.
  timer.unref();
  return () => clearTimeout(timer);
}
