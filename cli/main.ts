#!/usr/bin/env node
// The AWS SDK warns on every client creation under Node 20 (end of life April 2026); users asked
// for the tool, not for that notice on each command. An explicit setting by the user still wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { run } from './program';

run(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: an idle client socket (Redis, HTTP keep-alive) must not keep the CLI alive.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`error [INTERNAL]: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
