export {
  type Callback,
  CheckpointCallback,
  EarlyStopping,
  type EarlyStoppingOptions,
  type EpochInfo,
  type StepInfo,
} from './callbacks.js';
export {
  type BatchSource,
  evaluate,
  type FitOptions,
  fit,
  type History,
  predict,
  type SupervisedModel,
} from './fit.js';
export { accuracy, type Metric } from './metrics.js';
export { Progress, type ProgressSink } from './progress.js';
export {
  type Batch,
  type LossFn,
  NonFiniteLossError,
  supervisedStep,
  type TrainStepOptions,
  trainStep,
} from './step.js';
