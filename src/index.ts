import { runAction } from './main.js';
import { exitWhenFlushed } from './runtime.js';
import { actionRuntime, refreshHelper } from './toolkit.js';

// The runner cancels a step with SIGINT, then SIGTERM: the run stops before the export, says so, and
// exits. The export itself is synchronous, so a signal can never land between two of its writes.
const cancel = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => cancel.abort(signal));

await runAction({ ...actionRuntime(), cancelled: cancel.signal }, refreshHelper());
exitWhenFlushed();
