// The one place where importing @archzoo/core changes global tfjs state (declared in `sideEffects`).
import './generated/tfjs-gradients.js';
import { registerArchzooKernels } from './kernels/index.js';

// Kernels tfjs-backend-wasm lacks for training, and replacements for wrong or slow stock kernels.
registerArchzooKernels();
