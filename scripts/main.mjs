// `npm run main`: from a fresh clone with only Node 20+ and npm, install, build everything and
// run the main job, `archzoo mnist`: a small CNN from @archzoo/core layers trained with fit() on
// 8,000 real MNIST digits (wasm backend), then its accuracy on 2,000 held-out digits (the job
// exits 1 below 97%). Each step streams its output; the first failure stops the run with its
// exit code and says which step failed. `archzoo demo` (two moons, a few seconds) stays available
// as `node packages/bench/dist/cli.js demo`.
//
//   npm run main                   install (frozen lockfile), build, MNIST job
//   npm run main -- --skip-install build and MNIST job only (dependencies already installed)
//   npm run main -- --skip-build   MNIST job only (already built)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@12.4.2'; // the root package.json's "packageManager"
const args = new Set(process.argv.slice(2));
const skipInstall = args.has('--skip-install') || args.has('--skip-build');
const skipBuild = args.has('--skip-build');

function fail(message, code = 1) {
  console.error(`\nnpm run main: ${message}`);
  process.exit(code);
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) fail(`Node 20 or newer is required, this is ${process.version}`);

/** Runs a command in the repository root with inherited stdio; returns its exit status. */
function run(title, command, commandArgs) {
  console.log(`\n> ${title}: ${command} ${commandArgs.join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    // npx is npx.cmd on Windows, which needs a shell to start.
    shell: process.platform === 'win32',
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (r.error) fail(`${title} could not start '${command}': ${r.error.message}`);
  if (r.signal) fail(`${title} was killed by ${r.signal}`);
  console.log(`> ${title}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return r.status ?? 1;
}

function step(title, command, commandArgs) {
  const status = run(title, command, commandArgs);
  if (status !== 0) fail(`${title} failed (exit code ${status})`, status);
}

const pnpm = (...rest) => ['-y', PNPM, ...rest];

if (!skipInstall) {
  if (existsSync(join(root, 'pnpm-lock.yaml'))) {
    step('install', 'npx', pnpm('install', '--frozen-lockfile'));
  } else {
    console.log('\n(no pnpm-lock.yaml: installing without --frozen-lockfile)');
    step('install', 'npx', pnpm('install'));
  }
}
if (!skipBuild) step('build', 'npx', pnpm('run', 'build'));

const cli = join(root, 'packages/bench/dist/cli.js');
if (!existsSync(cli)) fail(`${cli} is missing: the build did not produce the archzoo command`);
step('mnist', process.execPath, [cli, 'mnist']);
console.log('\nnpm run main: done');
