// A real, small file system that fills up: a tmpfs mounted for the test (root only). Where mounting
// is not permitted, `mountTmpfs` returns undefined and the tests that need a full disk are skipped.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function mountTmpfs(sizeKb: number, at?: string): string | undefined {
  const dir = at ?? mkdtempSync(join(tmpdir(), 'aws-assume-role-tmpfs-'));
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

export function unmount(dir: string | undefined): void {
  if (dir !== undefined) execFileSync('umount', [dir], { stdio: 'ignore' });
}

/** Fills the file system at `dir` until it refuses another byte; returns the filler's path. */
export function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1024, 0x2e);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full.
  } finally {
    closeSync(fd);
  }
  return path;
}

export const canMount = ((): boolean => {
  const dir = mountTmpfs(16);
  if (dir === undefined) return false;
  unmount(dir);
  return true;
})();
