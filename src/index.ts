import { runAction } from './main.js';
import { exitWhenFlushed } from './runtime.js';
import { actionRuntime, refreshHelper } from './toolkit.js';

await runAction(actionRuntime(), refreshHelper());
exitWhenFlushed();
