/**
 * @archzoo/core/testing: helpers shared by archzoo's test suites (and usable by yours):
 * the backend matrix and numeric comparisons. Requires vitest only for the contract suite.
 */
export { maxAbsDiff, testBackends, useBackend } from './backends.js';
