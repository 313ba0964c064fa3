import { InputError } from '../errors.js';
import { preview } from '../log-text.js';

export const MAX_TOKEN_FILE_BYTES = 64 * 1024;

// The kubelet mounts projected service-account tokens through symlinks it owns; nothing else may be one.
const KUBELET_TOKEN = /^\/var\/run\/secrets\/[^/]+\/serviceaccount\/token$/;

/** Reads a web identity token, refusing anything but a regular file so a link cannot redirect the read. */
export async function readTokenFile(path: string): Promise<string> {
  const problem = (rule: string): InputError => new InputError([`web-identity-token-file: ${preview(path, 200)} ${rule}`]);
  // Loaded here, not at startup: node:fs/promises brings readline and streams that no other path needs.
  const { lstat, readFile, stat } = await import('node:fs/promises');
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined) throw problem('does not exist');
  if (stats.isSymbolicLink() && !KUBELET_TOKEN.test(path)) throw problem('is a symbolic link; give the path of the file itself');
  // A FIFO or a device (/dev/zero) would block the read or never end it.
  const target = stats.isSymbolicLink() ? await stat(path).catch(() => undefined) : stats;
  if (target?.isFile() !== true) throw problem('is not a readable regular file');
  // A token is a few KB; reading a huge file whole would fill the memory first.
  if (target.size > MAX_TOKEN_FILE_BYTES) throw problem(`is ${target.size} bytes; a web identity token is at most ${MAX_TOKEN_FILE_BYTES / 1024} KiB`);
  const token = (await readFile(path, 'utf8').catch(() => undefined))?.trim();
  if (token === undefined) throw problem('is not a readable regular file');
  if (token === '') throw problem('is empty');
  return token;
}
