import { runPostStep } from './step.js';

await runPostStep();
