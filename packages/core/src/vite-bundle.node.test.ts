// Gradients in a real browser bundle: `vite build` of test-apps/vite-grad (an app importing the
// *built* @archzoo/core, as a user would), served on 127.0.0.1 and opened in headless Chromium.
// The page must pick webgl through setBackend('auto') and compute f'(x) = 3x^2 + 2 there.
//
// Needs core's dist (turbo builds it before the tests) and Chromium. Without Chromium the test
// fails, unless ARCHZOO_SKIP_BROWSER=1 says to skip it (it then reports that it was skipped).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath, hasChromium } from '../test-apps/chromium.js';
import expected from '../test-apps/vite-grad/expected.json' with { type: 'json' };

const coreDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const appDir = join(coreDir, 'test-apps/vite-grad');
const skipBrowser = process.env.ARCHZOO_SKIP_BROWSER === '1';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

/** A static file server for `root` on 127.0.0.1 (a free port). */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(root, path === `${sep}` ? 'index.html' : path);
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/**
 * Copies the app into a fresh directory whose node_modules links @archzoo/core to this package
 * (so the import resolves through its `exports` to dist, with no source condition) and
 * @tensorflow/tfjs-core to the copy core itself uses (one engine).
 */
function stageApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'archzoo-vite-grad-'));
  for (const f of ['index.html', 'main.ts', 'expected.json'])
    copyFileSync(join(appDir, f), join(dir, f));
  mkdirSync(join(dir, 'node_modules/@archzoo'), { recursive: true });
  mkdirSync(join(dir, 'node_modules/@tensorflow'), { recursive: true });
  symlinkSync(coreDir, join(dir, 'node_modules/@archzoo/core'), 'dir');
  const tfjsCore = realpathSync(join(coreDir, 'node_modules/@tensorflow/tfjs-core'));
  symlinkSync(tfjsCore, join(dir, 'node_modules/@tensorflow/tfjs-core'), 'dir');
  return dir;
}

describe('a Vite browser bundle of @archzoo/core', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('computes a gradient on webgl in headless Chromium', async (ctx) => {
    if (!hasChromium()) {
      const msg = `Chromium not found at ${chromiumPath()} (set CHROMIUM_PATH, or apt-get install chromium)`;
      if (skipBrowser) {
        console.warn(`\n*** SKIPPED: the Vite bundle browser test did NOT run. ${msg}. ***\n`);
        ctx.skip(`ARCHZOO_SKIP_BROWSER=1 and ${msg}`);
      }
      throw new Error(`${msg}. Set ARCHZOO_SKIP_BROWSER=1 to skip this test knowingly.`);
    }
    for (const f of ['dist/index.js', 'dist/generated/tfjs-gradients.js']) {
      if (!existsSync(join(coreDir, f))) {
        throw new Error(`packages/core/${f} is missing: build first (pnpm turbo run build)`);
      }
    }

    const dir = stageApp();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const outDir = join(dir, 'dist');
    const result = (await build({
      root: dir,
      configFile: false,
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true, target: 'es2022' },
    })) as Rollup.RollupOutput | Rollup.RollupOutput[];
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
    const moduleIds = outputs.flatMap((o) => (o.type === 'chunk' ? o.moduleIds : []));
    // The bundle holds the published build of core, not its TypeScript sources.
    const realCore = realpathSync(coreDir);
    expect(moduleIds.some((id) => id.startsWith(join(realCore, 'dist') + sep))).toBe(true);
    expect(moduleIds.filter((id) => id.startsWith(join(realCore, 'src') + sep))).toEqual([]);

    const { server, url } = await serve(outDir);
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [...chromiumArgs],
      headless: true,
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    await page.goto(url);
    await page.waitForSelector('#result[data-done]', { timeout: 120_000 });
    const text = (await page.textContent('#result')) ?? '';
    const r = JSON.parse(text) as {
      error?: string;
      backend?: string;
      activeBackend?: string;
      grad?: number[];
      unstackGrad?: number[];
    };

    expect(r.error, `the page failed: ${r.error}\n${errors.join('\n')}`).toBeUndefined();
    expect(errors).toEqual([]);
    expect(r.backend).toBe('webgl');
    expect(r.activeBackend).toBe('webgl');
    expect(r.grad).toHaveLength(expected.grad.length);
    r.grad!.forEach((g, i) => expect(g).toBeCloseTo(expected.grad[i]!, 4));
    expect(r.unstackGrad).toEqual(expected.x.map(() => 2));
  });
});
