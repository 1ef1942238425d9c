/**
 * @archzoo/core: backends, the Module layer with PyTorch-layout state dicts, and layers over
 * tfjs-core. Importing it registers tfjs-core's gradients and archzoo's kernels (see register.ts).
 */
import './register.js';

export { defaultGenerator, Generator, manualSeed } from '@archzoo/init';
export {
  autoBackend,
  type BackendChoice,
  type BackendName,
  getBackend,
  hasWebGL2Float,
  isNode,
  type SetBackendOptions,
  setBackend,
} from './backend.js';
export {
  ArchzooError,
  checkTensor,
  fail,
  finiteNumber,
  intTuple,
  nonNegativeInt,
  oneOf,
  positiveInt,
  shapeString,
  type TensorSpec,
} from './errors.js';
export * from './io/index.js';
// Helpers for JavaScript kernels over the backends' memory, for other archzoo packages' kernels
// (e.g. @archzoo/recurrent's fused LSTM and GRU sequences).
export { jsKernel, makeOutput, readValues, type ValuesBackend } from './kernels/kernel_io.js';
// The stock tfjs kernels archzoo's replacements stand in for (benchmarks compare against them).
export { stockKernel } from './kernels/stock.js';
export { hasWasmMatMul, wasmMatMul } from './kernels/wasm_matmul.js';
export * from './layers/activations.js';
export * from './layers/batchnorm.js';
export * from './layers/containers.js';
export * from './layers/conv.js';
export * from './layers/conv_transpose.js';
export * from './layers/dropout.js';
export * from './layers/embedding.js';
export * from './layers/flatten.js';
export * from './layers/linear.js';
export * from './layers/norm.js';
export * from './layers/pool.js';
export * from './layers/upsample.js';
export {
  CONV1D_WEIGHT,
  CONV2D_WEIGHT,
  LINEAR_WEIGHT,
  permuteLayout,
  type TorchLayout,
} from './layout.js';
export * from './losses/index.js';
export {
  buffer,
  isVariable,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  layoutOf,
  Module,
  parameter,
} from './module.js';
export * from './optim/index.js';
export * from './train/index.js';
