// The @actions/core functions toolkit.ts writes the log with, bundled on their own (dist/core/index.js)
// and minified, so they load while STS answers rather than at start-up; see `npm run package`.
export { debug, info, notice, setFailed, setSecret, warning } from '@actions/core';
