/**
 * @archzoo/core/testing: helpers shared by archzoo's test suites (and usable by yours):
 * the backend matrix, numeric comparisons, seeded inputs, the module contract suite
 * (`describeModuleContract`), the comparison with PyTorch-generated fixtures (`errorRecorder`) and
 * the check of archzoo's error messages (`expectArchzooError`); the last three import vitest.
 */
export { maxAbsDiff, testBackends, useBackend } from './backends.js';
export {
  describeModuleContract,
  type GradCheckOptions,
  type ModuleContractOptions,
} from './contract.js';
export { expectArchzooError } from './errors.js';
export {
  type ErrorRecorder,
  errorRecorder,
  type FxTensor,
  maxError,
  toTensor,
} from './fixtures.js';
export { awayFromZero, distinctTensor, randomIndices, uniformTensor } from './inputs.js';
