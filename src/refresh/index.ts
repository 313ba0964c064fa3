import { runRefresh } from './helper.js';

process.exitCode = await runRefresh(process.argv.slice(2), process.env, {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text)
});
