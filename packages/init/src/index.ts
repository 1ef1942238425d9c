/**
 * @archzoo/init: initializers written as formulas, the seeded generator they draw from, and the
 * signal-propagation diagnostics that show why they matter.
 */

// Diagnostics.
export {
  type Activation,
  type ActivationName,
  activation,
  LINEAR,
  leakyRelu,
  RELU,
  TANH,
} from './activations.js';
// Distributions.
export {
  constant,
  normal,
  normalValues,
  ones,
  type TruncatedNormalOptions,
  truncatedNormal,
  uniform,
  uniformValues,
  zeros,
} from './basic.js';
export {
  type ChronoOptions,
  chronoGruBias,
  chronoLstmBias,
  chronoValues,
  type RecurrentBiases,
} from './chrono.js';
export { type DeltaOrthogonalOptions, deltaOrthogonal } from './delta_orthogonal.js';
export {
  type ActivationStatsOptions,
  activationStats,
  type LayerStats,
} from './diagnostics/activation_stats.js';
export {
  type DepthProfileOptions,
  depthProfile,
  type ProfileInit,
  profileWeight,
} from './diagnostics/depth_profile.js';
export {
  jacobianFromVjp,
  type Matrix,
  networkJacobian,
  tfJacobian,
} from './diagnostics/jacobian.js';
export {
  haninBeta,
  type JacobianMomentsOptions,
  type JacobianMomentsResult,
  jacobianMoments,
  reluJacobianMoments,
} from './diagnostics/jacobian_moments.js';
export {
  type Conv2dLayer,
  type DenseLayer,
  type ForwardTrace,
  type Layer,
  type Network,
  networkForward,
  networkVjp,
} from './diagnostics/network.js';
export {
  type ConvNetworkOptions,
  type RandomNetworkOptions,
  sampleConvNetwork,
  sampleDenseNetwork,
} from './diagnostics/random_networks.js';
export {
  convIsometry,
  denseIsometry,
  type IsometryOptions,
  jacobianSpectrum,
  type Spectrum,
  spectrumOf,
} from './diagnostics/spectrum.js';
// Fans, layouts and gains.
export {
  type ConvShape,
  calculateFanInAndFanOut,
  calculateGain,
  convWeightShape,
  type Fans,
  fromTorchShape,
  NONLINEARITIES,
  type Nonlinearity,
  toTorchShape,
  type WeightLayout,
} from './fans.js';
export { erfc, normalCdf, normalPdf, normalQuantile, truncatedNormalMoments } from './gaussian.js';
export { dirac, eye, weightIndex } from './identity.js';
// Fan-based initializers.
export {
  type KaimingOptions,
  kaimingNormal,
  kaimingStd,
  kaimingUniform,
  kaimingUniformBound,
} from './kaiming.js';
export { lecunNormal, lecunStd, lecunUniform, lecunUniformBound } from './lecun.js';

// Data-dependent.
export { type LsuvLayer, type LsuvLayerReport, type LsuvOptions, lsuv } from './lsuv.js';
export {
  type CriticalPoint,
  chi1,
  criticalTanhPoint,
  fixedPoint,
  gaussianExpectation,
  type MeanFieldParams,
  varianceMap,
} from './mean_field.js';
export { type FanOptions, type RandomOptions, resolveFans, sizeOf } from './options.js';
export {
  haarColumns,
  type OrthogonalMethod,
  type OrthogonalOptions,
  orthogonal,
  randomOrthogonal,
} from './orthogonal.js';
// Structured initializers.
export { formQ, type HouseholderFactors, householderFactor, makeReflector, qr } from './qr.js';
// Randomness.
export { defaultGenerator, Generator, manualSeed } from './random.js';
export { type JacobiOptions, singularValues } from './svd.js';
// PyTorch's module defaults.
export {
  initLikeTorch,
  type NamedTensors,
  type TorchInitOptions,
  type TorchMhaOptions,
  type TorchModuleSpec,
  type TorchRnnOptions,
  torchConvInit,
  torchDefaultBound,
  torchDefaultUniform,
  torchEmbeddingInit,
  torchLinearInit,
  torchMultiheadAttentionInit,
  torchNormInit,
  torchRnnInit,
} from './torch_defaults.js';
export { type VarianceScalingOptions, varianceScaling } from './variance_scaling.js';
export {
  type XavierOptions,
  xavierNormal,
  xavierStd,
  xavierUniform,
  xavierUniformBound,
} from './xavier.js';
