/**
 * @archzoo/datasets: real MNIST digits, seeded synthetic tasks (2-D classification, regression,
 * sequence memory, video), and a DataLoader for shuffled mini-batches. Everything returns tfjs tensors
 * owned by the caller, and the same seed always gives the same data.
 */
export { type AddingProblemOptions, makeAddingProblem } from './adding_problem.js';
export { type CopyTask, type CopyTaskOptions, makeCopyTask } from './copy_task.js';
export { DataLoader, type DataLoaderOptions } from './data_loader.js';
export {
  type GaussianMixture,
  type GaussianMixtureOptions,
  makeGaussianMixture,
} from './gaussian_mixture.js';
export {
  loadMnist,
  loadMnistArrays,
  MNIST_IMAGE_SIZE,
  MNIST_MEAN,
  MNIST_STD,
  type Mnist,
  type MnistArrays,
  type MnistOptions,
  type MnistSplit,
} from './mnist.js';
export { type MoonsOptions, makeMoons, type Points2d } from './moons.js';
export { type MovingSquaresOptions, makeMovingSquares } from './moving_squares.js';
export type { SeedOptions } from './random.js';
export { makeSinusoids, type SinusoidsOptions } from './sinusoids.js';
export { makeSpirals, type SpiralsOptions } from './spirals.js';
