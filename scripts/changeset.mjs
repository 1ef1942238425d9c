#!/usr/bin/env node
// `pnpm changeset ...`: runs @changesets/cli on Node 20. Its bin.js calls
// `module.enableCompileCache()`, which Node 20 lacks (it crashes with "enableCompileCache is not
// a function"); the CLI itself runs fine, so this imports it directly with the same arguments.
await import('@changesets/cli');
