#!/usr/bin/env node
// `pnpm check:publish`: checks what each package would actually publish. Every package under
// packages/ is packed once with `pnpm pack` (the tarball `pnpm publish` would upload, with
// `workspace:` ranges rewritten), then
//   - publint --strict     (exports, files, fields: warnings count as errors), and
//   - attw --profile esm-only (the types resolve for ESM consumers: node16 from ESM, bundler)
// run on that tarball. Needs the packages built first (`pnpm build`). Exits non-zero on any failure.
//
// Usage: node scripts/check-publish.mjs [package-dir-name ...]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules/.bin', name);
const PNPM_VERSION = '12.4.2';

/** The pnpm to pack with: the one on PATH if it is 12.x, else the pinned one through npx. */
function pnpmCommand() {
  try {
    const v = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (v.trim().split('.')[0] === PNPM_VERSION.split('.')[0]) return ['pnpm'];
  } catch {
    // not on PATH
  }
  return ['npx', '-y', `pnpm@${PNPM_VERSION}`];
}

/** Runs a command, capturing its output; resolves to { code, out }. */
function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', (e) => resolve({ code: 1, out: `${out}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const pnpm = pnpmCommand();
const only = process.argv.slice(2);
const dirs = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .filter((d) => only.length === 0 || only.includes(basename(d)));
const packDir = mkdtempSync(join(tmpdir(), 'archzoo-pack-'));

async function check(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const steps = [];
  const packed = await run(
    pnpm[0],
    [...pnpm.slice(1), 'pack', '--pack-destination', packDir, '--json'],
    dir,
  );
  let tarball;
  try {
    tarball = JSON.parse(packed.out.slice(packed.out.indexOf('{'))).filename;
  } catch {
    // reported below
  }
  if (packed.code !== 0 || !tarball) {
    steps.push({ name: 'pnpm pack', ok: false, out: packed.out });
    return { name: pkg.name, steps };
  }
  const [lint, types] = await Promise.all([
    run(bin('publint'), ['run', tarball, '--strict'], dir),
    run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji'], dir),
  ]);
  steps.push({ name: 'publint', ok: lint.code === 0, out: lint.out });
  steps.push({ name: 'attw', ok: types.code === 0, out: types.out });
  return { name: pkg.name, steps };
}

const results = [];
const queue = [...dirs];
const workers = Array.from(
  { length: Math.min(3, availableParallelism(), queue.length) },
  async () => {
    for (let dir = queue.shift(); dir; dir = queue.shift()) results.push(await check(dir));
  },
);
await Promise.all(workers);
rmSync(packDir, { recursive: true, force: true });

results.sort((a, b) => a.name.localeCompare(b.name));
let failed = 0;
for (const r of results) {
  const bad = r.steps.filter((s) => !s.ok);
  if (bad.length > 0) failed++;
  console.log(
    `${bad.length === 0 ? 'ok  ' : 'FAIL'} ${r.name}: ${r.steps.map((s) => `${s.name} ${s.ok ? 'ok' : 'FAILED'}`).join(', ')}`,
  );
  for (const s of bad) console.log(`\n--- ${r.name}: ${s.name} ---\n${s.out.trim()}\n`);
}
console.log(
  failed === 0
    ? `check:publish: all ${results.length} packages pass publint --strict and attw --profile esm-only`
    : `check:publish: ${failed} of ${results.length} packages FAILED`,
);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
