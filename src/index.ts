import { plainLine } from './log-text.js';
import { runAction } from './main.js';
import { exitWhenFlushed } from './runtime.js';
import { actionRuntime, refreshHelper } from './toolkit.js';

// The runner cancels a step with SIGINT, then SIGTERM: the run stops before the export, says so, and
// exits. The export itself is synchronous, so a signal can never land between two of its writes.
const cancel = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => cancel.abort(signal));

try {
  await runAction({ ...actionRuntime(), cancelled: cancel.signal }, refreshHelper());
} catch (error) {
  // runAction reports every failure of the run itself; only a broken install gets here (the log's
  // writer, dist/core, could not be loaded), before anything was exported. Its message holds paths.
  process.exitCode = 1;
  process.stderr.write(`${plainLine(`This action's files are incomplete, nothing was exported: ${error instanceof Error ? error.message : String(error)}`)}\n`);
}
exitWhenFlushed();
