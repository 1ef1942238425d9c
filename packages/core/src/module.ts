import * as tf from '@tensorflow/tfjs-core';
import { ArchzooError, shapeString } from './errors.js';
import type { TorchLayout } from './layout.js';

const layouts = new WeakMap<tf.Variable, TorchLayout>();
const bufferSet = new WeakSet<tf.Variable>();

/**
 * Makes a trainable parameter from an initial tensor (which it takes ownership of).
 * `layout` says how it maps to PyTorch's state-dict layout (default: identical).
 */
export function parameter(init: tf.Tensor, opts: { layout?: TorchLayout } = {}): tf.Variable {
  const v = tf.variable(init, true);
  init.dispose();
  if (opts.layout) layouts.set(v, opts.layout);
  return v;
}

/** Makes a buffer: state saved in the state dict but not trained (e.g. BatchNorm's running mean). */
export function buffer(init: tf.Tensor, opts: { layout?: TorchLayout } = {}): tf.Variable {
  const v = tf.variable(init, false);
  init.dispose();
  bufferSet.add(v);
  if (opts.layout) layouts.set(v, opts.layout);
  return v;
}

export function isVariable(x: unknown): x is tf.Variable {
  return x instanceof tf.Variable;
}

/** The PyTorch layout of a parameter or buffer, if it differs from the internal one. */
export function layoutOf(v: tf.Variable): TorchLayout | undefined {
  return layouts.get(v);
}

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (PyTorch's default). Default true. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Base class of every archzoo module, after `torch.nn.Module`.
 *
 * Parameters (`parameter(...)`), buffers (`buffer(...)`) and child modules are plain fields set
 * in the constructor; they are found by walking the instance's own fields in definition order,
 * so `this.weight` is named `weight` and `this.conv1.bias` is `conv1.bias`. Containers override
 * `namedChildren()`.
 */
export abstract class Module {
  /** Training mode (dropout active, batch statistics used). Change it with `train()` / `eval()`. */
  training = true;

  /** Name shown in summaries and errors; defaults to the class name. */
  get typeName(): string {
    return this.constructor.name;
  }

  /** The forward pass. Subclasses narrow the signature. */
  abstract forward(...args: never[]): unknown;

  /** Direct children with their names (default: own fields that are modules, in definition order). */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Own parameters and buffers (not those of children), in definition order. */
  protected ownVariables(): [string, tf.Variable][] {
    return Object.entries(this).filter((e): e is [string, tf.Variable] => isVariable(e[1]));
  }

  /** Every module in the tree, this one first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  private namedVariables(kind: 'parameter' | 'buffer'): [string, tf.Variable][] {
    const out: [string, tf.Variable][] = [];
    const seen = new Set<tf.Variable>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, v] of m.ownVariables()) {
        if (bufferSet.has(v) !== (kind === 'buffer') || seen.has(v)) continue;
        seen.add(v);
        out.push([prefix ? `${prefix}.${name}` : name, v]);
      }
    }
    return out;
  }

  /** All parameters (trainable or frozen) with their PyTorch-style dotted names. */
  namedParameters(): [string, tf.Variable][] {
    return this.namedVariables('parameter');
  }

  /** All buffers with their dotted names. */
  namedBuffers(): [string, tf.Variable][] {
    return this.namedVariables('buffer');
  }

  /** The trainable parameters (frozen ones are left out), ready for an optimizer. */
  parameters(): tf.Variable[] {
    return this.namedParameters()
      .map(([, v]) => v)
      .filter((v) => v.trainable);
  }

  /** Number of parameter elements; `{ trainableOnly: true }` counts only unfrozen ones. */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.namedParameters()
      .filter(([, v]) => !opts.trainableOnly || v.trainable)
      .reduce((n, [, v]) => n + v.size, 0);
  }

  /** Sets training mode on this module and every descendant. Returns `this`. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (`train(false)`). Returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Freezes the parameters whose name matches (all of them without a predicate): they stay in
   * the state dict but leave `parameters()`, so optimizers do not update them. Returns `this`.
   */
  freeze(predicate: (name: string, p: tf.Variable) => boolean = () => true): this {
    for (const [name, p] of this.namedParameters()) if (predicate(name, p)) p.trainable = false;
    return this;
  }

  /** Unfreezes the parameters whose name matches (all without a predicate). Returns `this`. */
  unfreeze(predicate: (name: string, p: tf.Variable) => boolean = () => true): this {
    for (const [name, p] of this.namedParameters()) if (predicate(name, p)) p.trainable = true;
    return this;
  }

  /**
   * Calls `fn` on every module of the tree, children before their parent (PyTorch's post-order:
   * each child's subtree in order, then the module itself), e.g. to re-initialize.
   */
  apply(fn: (m: Module, name: string) => void): this {
    const visit = (m: Module, name: string): void => {
      for (const [cn, c] of m.namedChildren()) visit(c, name ? `${name}.${cn}` : cn);
      fn(m, name);
    };
    visit(this, '');
    return this;
  }

  /** Disposes every parameter and buffer of the tree. The module is unusable afterwards. */
  dispose(): void {
    for (const [, v] of [...this.namedParameters(), ...this.namedBuffers()]) v.dispose();
  }

  /**
   * PyTorch-compatible state dict: keys, shapes and layouts equal those of `state_dict()` of the
   * equivalent torch module, parameters then buffers per module as torch orders them.
   * The tensors are new and owned by the caller (dispose them).
   */
  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [key, v] of this.stateEntries()) {
      const layout = layouts.get(v);
      out[key] = tf.tidy(() => (layout ? layout.toTorch(v) : tf.clone(v)));
    }
    return out;
  }

  /**
   * The state dict's keys with their variables, in torch's order: a module's own parameters, then
   * its own buffers, then its children. A shared module appears under each of its names, as in torch.
   */
  private stateEntries(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [prefix, m] of this.namedModules()) {
      const own = m.ownVariables();
      const ordered = [
        ...own.filter(([, v]) => !bufferSet.has(v)),
        ...own.filter(([, v]) => bufferSet.has(v)),
      ];
      for (const [name, v] of ordered) {
        const key = prefix ? `${prefix}.${name}` : name;
        if (!out.has(key)) out.set(key, v);
      }
    }
    return out;
  }

  /**
   * Loads a PyTorch-layout state dict. Everything is validated first (missing and unexpected
   * keys when `strict`, shapes, dtypes); if anything is wrong, nothing is changed and one error
   * lists every problem. The dict's tensors are not disposed.
   */
  loadStateDict(
    dict: Record<string, tf.Tensor>,
    opts: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const expected = this.stateEntries();
    const problems: string[] = [];
    const missingKeys: string[] = [];
    const unexpectedKeys = Object.keys(dict).filter((k) => !expected.has(k));
    for (const [key, v] of expected) {
      const t = dict[key];
      if (t === undefined) {
        missingKeys.push(key);
        continue;
      }
      const layout = layouts.get(v);
      const want = layout ? layout.torchShape(v.shape) : v.shape;
      if (t == null || typeof t !== 'object' || !Array.isArray((t as tf.Tensor).shape)) {
        problems.push(`${key}: expected a tf.Tensor, got ${typeof t}`);
      } else if (t.isDisposed) {
        problems.push(`${key}: the tensor is disposed`);
      } else {
        if (shapeString(t.shape) !== shapeString(want)) {
          problems.push(
            `${key}: shape mismatch, expected ${shapeString(want)}, got ${shapeString(t.shape)}`,
          );
        }
        if (t.dtype !== v.dtype)
          problems.push(`${key}: dtype mismatch, expected ${v.dtype}, got ${t.dtype}`);
      }
    }
    if (strict) {
      for (const k of missingKeys) problems.push(`missing key '${k}'`);
      for (const k of unexpectedKeys) problems.push(`unexpected key '${k}'`);
    }
    if (problems.length > 0) {
      throw new ArchzooError(
        `${this.typeName}.loadStateDict: ${problems.length} problem(s), nothing was loaded:\n  - ${problems.join('\n  - ')}`,
      );
    }
    tf.tidy(() => {
      for (const [key, v] of expected) {
        const t = dict[key];
        if (t === undefined) continue;
        const layout = layouts.get(v);
        v.assign(layout ? layout.fromTorch(t) : t);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** One line describing this module's configuration (overridden by layers), e.g. `in=3, out=8`. */
  extraRepr(): string {
    return '';
  }

  /**
   * A readable summary: the module tree with each parameter's internal shape and PyTorch shape,
   * and parameter counts per module and in total.
   */
  summary(): string {
    const lines: string[] = [];
    const walk = (m: Module, name: string, depth: number) => {
      const pad = '  '.repeat(depth);
      const count = m.numParameters();
      const extra = m.extraRepr();
      lines.push(
        `${pad}${name ? `(${name}): ` : ''}${m.typeName}(${extra})  params=${count.toLocaleString('en-US')}`,
      );
      for (const [pn, v] of m.ownVariables()) {
        const layout = layouts.get(v);
        const torch = layout ? `  torch ${shapeString(layout.torchShape(v.shape))}` : '';
        const kind = bufferSet.has(v) ? 'buffer' : v.trainable ? 'param' : 'param (frozen)';
        lines.push(`${pad}    ${pn}: ${kind} ${v.dtype} ${shapeString(v.shape)}${torch}`);
      }
      for (const [cn, c] of m.namedChildren()) walk(c, cn, depth + 1);
    };
    walk(this, '', 0);
    const total = this.numParameters();
    const trainable = this.numParameters({ trainableOnly: true });
    lines.push(
      `Total parameters: ${total.toLocaleString('en-US')} (trainable: ${trainable.toLocaleString('en-US')})`,
    );
    return lines.join('\n');
  }

  toString(): string {
    return this.summary();
  }
}
