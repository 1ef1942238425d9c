/**
 * Optimizers, learning-rate schedulers and gradient clipping with PyTorch 1.13's exact update
 * rules and state-dict structure, driven by `tf.variableGrads` gradients.
 */
export * from './adagrad.js';
export * from './adam.js';
export * from './clip_grad.js';
export * from './lr_scheduler.js';
export * from './one_cycle.js';
export {
  type Gradients,
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamState,
  type ResolvedParamGroup,
  type StateKind,
} from './optimizer.js';
export * from './rmsprop.js';
export * from './sgd.js';
