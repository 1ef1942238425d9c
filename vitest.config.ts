import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './packages/core/test-apps/chromium.js';

// Workspace packages resolve to their TypeScript sources through this export condition, so tests
// never need a build of their dependencies.
const conditions = ['archzoo-source'];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { conditions },
        ssr: { resolve: { conditions, externalConditions: conditions } },
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'packages/*/src/**/*.browser.test.ts'],
          setupFiles: ['./vitest.setup.node.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        resolve: { conditions },
        optimizeDeps: {
          include: [
            '@tensorflow/tfjs-core',
            '@tensorflow/tfjs-backend-webgl',
            '@tensorflow/tfjs-backend-cpu',
            '@tensorflow/tfjs-backend-wasm',
            // Imported only by some tests: found mid-run, it would make Vite re-bundle and reload.
            'fast-check',
          ],
        },
        test: {
          name: 'browser',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'packages/*/src/**/*.node.test.ts'],
          setupFiles: ['./vitest.setup.browser.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: [...chromiumArgs] },
            }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
