import { runPostStep } from './post-step.js';

runPostStep();
