/**
 * Pointwise nonlinearities as scalar functions with their derivatives, for the mean-field
 * equations and the typed-array networks of the diagnostics.
 */

/** A pointwise nonlinearity phi and its derivative phi'. */
export interface Activation {
  readonly name: string;
  readonly phi: (x: number) => number;
  readonly dphi: (x: number) => number;
}

/** tanh, tanh' = 1 - tanh^2. */
export const TANH: Activation = {
  name: 'tanh',
  phi: Math.tanh,
  dphi: (x) => {
    const t = Math.tanh(x);
    return 1 - t * t;
  },
};

/** relu(x) = max(x, 0), relu'(x) = 1[x > 0]. */
export const RELU: Activation = {
  name: 'relu',
  phi: (x) => Math.max(x, 0),
  dphi: (x) => (x > 0 ? 1 : 0),
};

/** The identity. */
export const LINEAR: Activation = { name: 'linear', phi: (x) => x, dphi: () => 1 };

/**
 * leaky_relu(x) = x for x > 0, slope * x otherwise.
 *
 * @example
 * leakyRelu(0.2).phi(-1); // -0.2
 */
export function leakyRelu(slope = 0.01): Activation {
  return {
    name: `leaky_relu(${slope})`,
    phi: (x) => (x > 0 ? x : slope * x),
    dphi: (x) => (x > 0 ? 1 : slope),
  };
}

/** Activations known by name. */
export type ActivationName = 'tanh' | 'relu' | 'linear';

/** An `Activation` from its name, or itself. */
export function activation(a: ActivationName | Activation): Activation {
  if (typeof a !== 'string') return a;
  switch (a) {
    case 'tanh':
      return TANH;
    case 'relu':
      return RELU;
    case 'linear':
      return LINEAR;
    default:
      throw new RangeError(`activation: unknown activation '${String(a)}'`);
  }
}
