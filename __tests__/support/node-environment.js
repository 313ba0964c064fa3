// jest's node environment, with one difference that matters for in-process runs of the action:
// errors made by Node itself (a dropped socket, a missing file) come from the host realm, so in
// jest's sandbox `error instanceof Error` is false for them, unlike in the bundle on the runner.
// The AWS SDK then wraps such an error and drops its code (ECONNRESET), and a retry the real step
// makes is not made in the test. Here `instanceof Error` also accepts the host's errors.
import { TestEnvironment } from 'jest-environment-node';

const HostError = Error;

export default class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const SandboxError = this.global.Error;
    Object.defineProperty(SandboxError, Symbol.hasInstance, {
      configurable: true,
      value(value) {
        return Function.prototype[Symbol.hasInstance].call(this, value) || (this === SandboxError && value instanceof HostError);
      }
    });
  }
}
