#!/usr/bin/env node
// The `archzoo` executable (package.json "bin"). Everything it does is in command.ts.
import { main } from './command.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
