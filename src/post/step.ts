import { commandBlock } from '../export/commit.js';
import { commandData, plainLine } from '../log-text.js';
import { osHome } from '../runtime.js';
import { appendBlock } from './file-command.js';
import { runPost } from './post.js';
import { stopServer } from './server.js';

/** Wires the post step to the runner's files without @actions/core, which would add ~480 KB to this bundle. */
export async function runPostStep(): Promise<void> {
  try {
    runPost(
      process.env,
      {
        exportVariables(values) {
          const file = process.env.GITHUB_ENV;
          if (!file) throw new Error('GITHUB_ENV is not set: the post step must run under the GitHub Actions runner');
          appendBlock(file, commandBlock(values));
        },
        // Paths come from the saved state and the environment: one neutralised line each.
        info: message => process.stdout.write(`${plainLine(message)}\n`)
      },
      osHome()
    );
    if (process.env.AWS_SKIP_CLEANUP_STEP !== 'true') await stopServer(process.env, message => process.stdout.write(`${plainLine(message)}\n`));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`::error::${escapeData(commandData(message))}\n`);
    process.exitCode = 1;
  }
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
