import { runPostStep } from './step.js';

runPostStep();
