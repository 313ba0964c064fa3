// Answers that misbehave on purpose, shared by the stand-ins: a body that never ends, and one too big.
import type { ServerResponse } from 'node:http';

/** Headers, then one byte of `opening` and a space every `intervalMs`: an idle timeout never fires. */
export function drip(res: ServerResponse, contentType: string, opening: string, intervalMs: number, stopped: () => boolean = () => false): void {
  res.writeHead(200, { 'content-type': contentType });
  res.write(opening);
  const timer = setInterval(() => {
    if (res.destroyed || stopped()) {
      clearInterval(timer);
      res.destroy();
    } else res.write(' ');
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}

/** `bytes` of filler, respecting backpressure, so a client that stops reading stops the flood. */
export function flood(res: ServerResponse, contentType: string, bytes: number): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': bytes });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let left = bytes;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const part = chunk.subarray(0, Math.min(chunk.length, left));
      left -= part.length;
      if (!res.write(part)) return void res.once('drain', pump);
    }
    if (left <= 0) res.end();
  };
  pump();
}
