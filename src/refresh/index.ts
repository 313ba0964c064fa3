import { runRefresh } from './helper.js';
import { exitWhenFlushed } from '../runtime.js';

process.exitCode = await runRefresh(process.argv.slice(2), process.env, {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text)
});
// Like the step: nothing pending (a request given up on) keeps the tool that called us waiting.
exitWhenFlushed();
