// The one place where importing @archzoo/core changes global tfjs state (declared in `sideEffects`).
//
// tfjs-core first: its engine must be the one on the global object before the bundled gradient
// copy runs. Otherwise that copy would create the global engine with its own Tensor class, whose
// tensors have no op handler (`dy.clone()` fails in gradients) when an app imports
// @archzoo/core before @tensorflow/tfjs-core.
import '@tensorflow/tfjs-core';
import './generated/tfjs-gradients.js';
import { registerGradientFixes } from './gradients/unpack.js';
import { registerArchzooKernels } from './kernels/index.js';

// Corrected gradients for tfjs-core's own (see gradients/unpack.ts). They must come after the
// bundled copy above; both run here, in this order, whichever of tfjs-core and @archzoo/core an
// app imports first.
registerGradientFixes();

// Kernels tfjs-backend-wasm lacks for training, and replacements for wrong or slow stock kernels.
registerArchzooKernels();
