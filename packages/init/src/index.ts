/**
 * @archzoo/init: initializers written as formulas, and the seeded generator they draw from.
 */
export { calculateFanInAndFanOut, calculateGain, type Nonlinearity } from './fans.js';
export {
  constant,
  type FanOptions,
  type KaimingOptions,
  kaimingNormal,
  kaimingUniform,
  normal,
  normalValues,
  ones,
  type RandomOptions,
  torchDefaultUniform,
  uniform,
  uniformValues,
  xavierNormal,
  xavierUniform,
  zeros,
} from './initializers.js';
export { defaultGenerator, Generator, manualSeed } from './random.js';
