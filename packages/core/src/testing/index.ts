/**
 * @archzoo/core/testing: helpers shared by archzoo's test suites (and usable by yours):
 * the backend matrix, numeric comparisons, seeded inputs and the module contract suite
 * (`describeModuleContract`, which imports vitest).
 */
export { maxAbsDiff, testBackends, useBackend } from './backends.js';
export {
  describeModuleContract,
  type GradCheckOptions,
  type ModuleContractOptions,
} from './contract.js';
export { awayFromZero, distinctTensor, randomIndices, uniformTensor } from './inputs.js';
