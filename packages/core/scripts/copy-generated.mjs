// tsc does not copy the generated JavaScript bundle; put it beside the compiled register.js.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist/generated'), { recursive: true });
copyFileSync(
  join(root, 'src/generated/tfjs-gradients.js'),
  join(root, 'dist/generated/tfjs-gradients.js'),
);
copyFileSync(
  join(root, 'src/generated/tfjs-gradients.d.ts'),
  join(root, 'dist/generated/tfjs-gradients.d.ts'),
);
