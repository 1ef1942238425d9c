// The one description of the headless Chromium that archzoo's browser tests use: the vitest browser
// project (vitest.config.ts) and the Vite bundle test (src/vite-bundle.node.test.ts) both read it.
import { existsSync } from 'node:fs';

/** Debian's chromium (CI installs it with apt-get); `CHROMIUM_PATH` points elsewhere. Never downloaded. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** True when the browser above exists on this machine. */
export function hasChromium(): boolean {
  return existsSync(chromiumPath());
}

/**
 * Flags for headless Chromium with software WebGL2 (SwiftShader through ANGLE) on a machine with
 * no GPU and no network: nothing is fetched in the background, nothing is synced.
 */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
