/**
 * @archzoo/bench: the `archzoo` command (the MNIST job, benchmarks and the demo) and its harness, usable as a
 * library: register workloads in a `Registry`, `runBench` them, and format the records.
 */
export { DEFAULT_MAX_STEP_TIME, environmentNote, main } from './command.js';
export { type DemoOptions, type DemoResult, type PointSet, runDemo, twoMoons } from './demo.js';
export { assertSharedEngine } from './engine.js';
export {
  type BenchRecord,
  DEFAULT_MIN_STEPS,
  DEFAULT_STEPS,
  DEFAULT_WARMUP,
  formatDuration,
  type Impl,
  type ImplContext,
  limitedOptions,
  type MeasureLimits,
  type Measurement,
  type MeasureOptions,
  measure,
  type RunOptions,
  readLoss,
  runBench,
  type Trainer,
  type Workload,
} from './harness.js';
export { measureInRounds, pairedRatio, type RoundsOutcome, roundOrder } from './interleave.js';
export { type MeasurePlan, measurePlan, StepRunner } from './measure.js';
export {
  MnistCnn,
  type MnistCnnOptions,
  type MnistJobOptions,
  type MnistJobResult,
  runMnist,
} from './mnist.js';
export { builtinRegistry, Registry } from './registry.js';
export {
  formatTable,
  howMeasured,
  type RatedRecord,
  referencesOf,
  toJsonLine,
  withRatios,
} from './report.js';
export { median } from './stats.js';
export { oneHotTargets, randomBatch } from './train.js';
export {
  archzooDeltaOrthogonal,
  archzooOrthogonal,
  deltaOrthogonal3x3x256,
  deltaOrthogonalWorkload,
  orthogonal1024,
  orthogonalWorkload,
  tfjsLayersDeltaOrthogonal,
  tfjsLayersOrthogonal,
  tfjsLayersOrthogonalEstimateMs,
} from './workloads/init_workloads.js';
export {
  LENET5_BATCH,
  LENET5_LR,
  LeNet5,
  type LeNet5Options,
  lenet5B64,
  tfjsLayersLeNet5,
} from './workloads/lenet5.js';
export { FIT_BATCHES, lenet5B64Fit } from './workloads/lenet5_fit.js';
