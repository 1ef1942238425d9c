/**
 * @archzoo/bench: the `archzoo` command (the MNIST job, benchmarks and the demo) and its harness, usable as a
 * library: register workloads in a `Registry`, `runBench` them, and format the records.
 */
export { environmentNote, main } from './command.js';
export { type DemoOptions, type DemoResult, type PointSet, runDemo, twoMoons } from './demo.js';
export { assertSharedEngine } from './engine.js';
export {
  type BenchRecord,
  type Impl,
  type ImplContext,
  type Measurement,
  type MeasureOptions,
  measure,
  type RunOptions,
  readLoss,
  runBench,
  type Trainer,
  type Workload,
} from './harness.js';
export {
  MnistCnn,
  type MnistCnnOptions,
  type MnistJobOptions,
  type MnistJobResult,
  runMnist,
} from './mnist.js';
export { builtinRegistry, Registry } from './registry.js';
export { formatTable, type RatedRecord, referencesOf, toJsonLine, withRatios } from './report.js';
export { median } from './stats.js';
export { oneHotTargets, randomBatch } from './train.js';
export {
  LENET5_BATCH,
  LENET5_LR,
  LeNet5,
  type LeNet5Options,
  lenet5B64,
  tfjsLayersLeNet5,
} from './workloads/lenet5.js';
export { FIT_BATCHES, lenet5B64Fit } from './workloads/lenet5_fit.js';
