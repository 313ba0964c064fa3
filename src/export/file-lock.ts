// An exclusive lock file beside a shared AWS file, held around read-modify-write: two jobs on one
// self-hosted runner writing ~/.aws/credentials at once would otherwise each rewrite the file from
// what they read, and one job's profile would be lost while both said success.
import { closeSync, constants, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { SharedFileError } from '../errors.js';

export const LOCK_TIMEOUT_MS = 10_000;
/** A lock this old was left by a process that died without removing it (SIGKILL, a crash). */
const STALE_AFTER_MS = 120_000;
const RETRY_MS = 25;

export function lockPath(file: string): string {
  return `${file}.aws-assume-role.lock`;
}

/** Waits without returning to the event loop: the export is synchronous so that no signal can interleave with it. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function tryCreate(lock: string): boolean {
  try {
    const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, `${process.pid}\n`);
    } catch {
      // A full disk may take the name but not the pid: the lock still holds, and goes stale by age.
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false;
    throw new SharedFileError(`could not create the lock file ${lock}: ${(error as Error).message}`);
  }
}

/** A lock whose process is gone (same host) or that is older than any real write is removed. */
function removeIfStale(lock: string, now: number): void {
  try {
    const stats = lstatSync(lock);
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (now - stats.mtimeMs > STALE_AFTER_MS || (Number.isInteger(pid) && pid > 0 && !alive(pid))) unlinkSync(lock);
  } catch {
    // Gone meanwhile, or unreadable: the next attempt tells.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** Takes the locks of `files` (in a fixed order, so two writers cannot deadlock); returns their release. */
export function lockFiles(files: string[], timeoutMs = LOCK_TIMEOUT_MS): () => void {
  const held: string[] = [];
  const release = (): void => {
    for (const lock of held.reverse()) {
      try {
        unlinkSync(lock);
      } catch {
        // Someone removed it as stale; nothing to release.
      }
    }
  };
  try {
    for (const file of [...new Set(files)].sort()) held.push(acquire(lockPath(file), timeoutMs));
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

function acquire(lock: string, timeoutMs: number): string {
  const started = Date.now();
  for (;;) {
    if (tryCreate(lock)) return lock;
    const now = Date.now();
    if (now - started >= timeoutMs) {
      throw new SharedFileError(`${lock} has been held by another writer for ${Math.round(timeoutMs / 1000)} s; if no other job on this runner is writing AWS profiles, delete that file`);
    }
    removeIfStale(lock, now);
    pause(RETRY_MS);
  }
}
