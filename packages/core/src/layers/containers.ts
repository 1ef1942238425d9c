import type * as tf from '@tensorflow/tfjs-core';
import { ArchzooError, describeValue, fail } from '../errors.js';
import { Module } from '../module.js';

/** A module whose forward maps one tensor to one tensor. */
export type TensorModule = Module & { forward(x: tf.Tensor): tf.Tensor };

/**
 * `torch.nn.Sequential`: children named '0', '1', ... (or by the keys of a record), applied in order.
 *
 * @example
 * const mlp = new Sequential(new Linear({ inFeatures: 4, outFeatures: 8 }), new ReLU(), new Linear({ inFeatures: 8, outFeatures: 2 }));
 * mlp.stateDict(); // keys '0.weight', '0.bias', '2.weight', '2.bias'
 */
export class Sequential extends Module {
  readonly #modules: [string, TensorModule][];

  constructor(...modules: TensorModule[] | [Record<string, TensorModule>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first && !(first instanceof Module)) {
      this.#modules = Object.entries(first as Record<string, TensorModule>);
    } else {
      this.#modules = (modules as TensorModule[]).map((m, i) => [String(i), m]);
    }
    this.#modules.forEach(([name, m]) => {
      if (!(m instanceof Module)) fail('Sequential', `module '${name}'`, 'a Module', m);
    });
  }

  override namedChildren(): [string, Module][] {
    return [...this.#modules];
  }

  get length(): number {
    return this.#modules.length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): TensorModule {
    const m = this.#modules.at(i);
    if (!m) fail('Sequential.at', 'index', `an index in [-${this.length}, ${this.length - 1}]`, i);
    return m[1];
  }

  forward(x: tf.Tensor): tf.Tensor {
    let y = x;
    try {
      for (const [, m] of this.#modules) {
        const next = m.forward(y);
        if (y !== x && next !== y) y.dispose();
        y = next;
      }
    } catch (e) {
      // Intermediates are ours; free them before reporting the failing module's error.
      if (y !== x) y.dispose();
      throw e;
    }
    return y;
  }
}

/** `torch.nn.ModuleList`: an indexable list of children named '0', '1', ... (no forward of its own). */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  readonly #modules: M[];

  constructor(modules: M[] = []) {
    super();
    this.#modules = [...modules];
  }

  override namedChildren(): [string, Module][] {
    return this.#modules.map((m, i) => [String(i), m]);
  }

  append(m: M): this {
    this.#modules.push(m);
    return this;
  }

  at(i: number): M {
    const m = this.#modules.at(i);
    if (!m) fail('ModuleList.at', 'index', `an index in [-${this.length}, ${this.length - 1}]`, i);
    return m;
  }

  get length(): number {
    return this.#modules.length;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#modules[Symbol.iterator]();
  }

  forward(): never {
    throw new ArchzooError(
      'ModuleList.forward: a ModuleList has no forward; iterate over its modules',
    );
  }
}

/** `torch.nn.ModuleDict`: children named by key, in insertion order (no forward of its own). */
export class ModuleDict<M extends Module = Module> extends Module {
  readonly #modules: Map<string, M>;

  constructor(modules: Record<string, M> = {}) {
    super();
    this.#modules = new Map(Object.entries(modules));
  }

  override namedChildren(): [string, Module][] {
    return [...this.#modules];
  }

  get(key: string): M {
    const m = this.#modules.get(key);
    if (!m)
      fail(
        'ModuleDict.get',
        'key',
        `one of ${[...this.#modules.keys()].map((k) => `'${k}'`).join(', ')}`,
        describeValue(key),
      );
    return m;
  }

  set(key: string, m: M): this {
    this.#modules.set(key, m);
    return this;
  }

  has(key: string): boolean {
    return this.#modules.has(key);
  }

  keys(): string[] {
    return [...this.#modules.keys()];
  }

  forward(): never {
    throw new ArchzooError('ModuleDict.forward: a ModuleDict has no forward; get a module by key');
  }
}
