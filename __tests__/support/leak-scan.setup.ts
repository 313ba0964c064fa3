// jest setupFilesAfterEnv (jest.config.js): records every step of each test file and, after the
// file, fails it if any step's output shows a secret one of its worlds issued (see leak-scan.ts).
import { scanRecordedSteps } from './leak-scan.ts';
import { clearStepRegistry, enableStepRegistry } from './step-registry.ts';

enableStepRegistry();

afterAll(() => {
  try {
    const leaks = scanRecordedSteps();
    if (leaks.length > 0) throw new Error(`Leak scan of every step in this file failed (${leaks.length}):\n  - ${leaks.join('\n  - ')}`);
  } finally {
    clearStepRegistry();
  }
});
