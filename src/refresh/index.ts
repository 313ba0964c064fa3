import { runRefresh } from './helper.js';
import { runServe } from './serve.js';
import { exitWhenFlushed } from '../runtime.js';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text)
};

if (process.argv[2] === 'serve') {
  // The main step closes its ends of the pipes once READY is read: a late write must not end the server.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const code = await runServe(process.env, io);
  if (code !== 0) {
    process.exitCode = code;
    exitWhenFlushed();
  }
} else {
  process.exitCode = await runRefresh(process.argv.slice(2), process.env, io);
  // Like the step: nothing pending (a request given up on) keeps the tool that called us waiting.
  exitWhenFlushed();
}
