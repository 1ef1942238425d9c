import * as tf from '@tensorflow/tfjs-core';
import { ArchzooError, fail, finiteNumber, shapeString } from '../errors.js';

/**
 * Gradients for `Optimizer.step`: what `tf.variableGrads(lossFn, model.parameters()).grads`
 * returns (a `NamedTensorMap` keyed by each variable's `name`), or a `Map` keyed by the variable.
 * Parameters with no gradient are skipped (their state is untouched), like PyTorch's `grad=None`.
 */
export type Gradients = tf.NamedTensorMap | Map<tf.Variable, tf.Tensor>;

/** Options every optimizer has. */
export interface OptimizerOptions {
  /** Learning rate. */
  lr: number;
}

/**
 * A parameter group as passed to an optimizer (PyTorch's `{'params': [...], 'lr': ...}`): its
 * own parameters plus any options that override the optimizer's defaults.
 */
export type ParamGroup<O> = { params: tf.Variable[] } & Partial<O>;

/**
 * A parameter group as the optimizer holds it: every option resolved. Schedulers change `lr`
 * (and `momentum` / `betas`) here; `initialLr` is set by the first scheduler attached.
 */
export type ResolvedParamGroup<O> = O & { params: tf.Variable[]; initialLr?: number };

/** One parameter's state: tensors (owned by the optimizer), counters, or null. */
export type ParamState = Record<string, tf.Tensor | number | null>;

/** What a state entry holds: a tensor shaped like the parameter, a number, or a tensor or null. */
export type StateKind = 'tensor' | 'number' | 'tensorOrNull';

/**
 * An optimizer's state in PyTorch's `optimizer.state_dict()` structure and key names:
 * `state[i]` is the state of the i-th parameter counting across groups (`exp_avg`, `step`, ...),
 * `param_groups[j]` holds group j's options in snake_case (`weight_decay`, `betas`, ...) and its
 * parameter indices under `params`. Tensors are `tf.Tensor`s; `step` is a plain number (torch
 * 1.13 keeps it in a 0-d tensor for Adam, AdamW and Adagrad; loading accepts either).
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Base class of archzoo's optimizers, after `torch.optim.Optimizer`.
 *
 * tfjs computes gradients functionally, so there is no `zeroGrad`: each step takes the gradients
 * explicitly. Parameters are updated in place (`Variable.assign`); state tensors are replaced and
 * the old ones disposed, so `tf.memory().numTensors` stays constant from the second step on.
 *
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x), y), model.parameters());
 * opt.step(grads);
 * tf.dispose([value, grads]);
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions> {
  /** The options of groups that do not override them. */
  readonly defaults: Readonly<O>;
  /** The parameter groups, with every option resolved. */
  readonly paramGroups: ResolvedParamGroup<O>[] = [];
  /** Per-parameter state, created on the parameter's first step. */
  protected readonly state = new Map<tf.Variable, ParamState>();
  /** Name in errors, e.g. 'Adam'. */
  protected readonly where: string;

  constructor(where: string, params: tf.Variable[] | ParamGroup<O>[], defaults: O) {
    this.where = where;
    this.checkOptions(defaults, 'defaults');
    this.defaults = Object.freeze({ ...defaults });
    if (!Array.isArray(params) || params.length === 0) {
      fail(where, 'params', 'a non-empty array of tf.Variable or of parameter groups', params);
    }
    const groups =
      params[0] instanceof tf.Variable
        ? [{ params: params as tf.Variable[] }]
        : (params as ParamGroup<O>[]);
    for (const g of groups) this.addParamGroup(g as ParamGroup<O>);
  }

  /** Validates resolved options (throws ArchzooError); `context` is 'defaults' or 'param group i'. */
  protected abstract checkOptions(o: O, context: string): void;

  /** Which state entries a parameter of a group with options `o` has. */
  protected abstract stateSpec(o: O): Record<string, StateKind>;

  /** Fresh state for `p` (its first step). */
  protected abstract initState(p: tf.Variable, o: ResolvedParamGroup<O>): ParamState;

  /** One update of `p` with gradient `g`; replaces `state`'s tensors via `this.apply`. */
  protected abstract update(
    p: tf.Variable,
    g: tf.Tensor,
    state: ParamState,
    o: ResolvedParamGroup<O>,
  ): void;

  /** Adds a group (PyTorch's `add_param_group`); its options default to `defaults`. */
  addParamGroup(group: ParamGroup<O>): void {
    const where = this.where;
    const ctx = `param group ${this.paramGroups.length}`;
    if (group == null || !Array.isArray(group.params) || group.params.length === 0) {
      fail(where, `${ctx} params`, 'a non-empty array of tf.Variable', group?.params);
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of group.params) {
      if (!(p instanceof tf.Variable)) fail(where, `${ctx} params`, 'tf.Variable entries', p);
      if (p.dtype !== 'float32')
        fail(where, `${ctx} params`, 'float32 variables', `${p.name} of dtype ${p.dtype}`);
      if (seen.has(p))
        throw new ArchzooError(
          `${where}: variable '${p.name}' appears in more than one parameter group`,
        );
      seen.add(p);
    }
    const resolved = {
      ...this.defaults,
      ...group,
      params: [...group.params],
    } as ResolvedParamGroup<O>;
    this.checkOptions(resolved, ctx);
    this.paramGroups.push(resolved);
  }

  /**
   * One optimization step with the given gradients (not disposed: they stay the caller's).
   * Everything is validated before any parameter changes.
   */
  step(grads: Gradients): void {
    const where = `${this.where}.step`;
    if (grads == null || typeof grads !== 'object')
      fail(where, 'grads', 'a NamedTensorMap or a Map<tf.Variable, tf.Tensor>', grads);
    const lookup =
      grads instanceof Map
        ? (p: tf.Variable) => grads.get(p)
        : (p: tf.Variable) => (grads as tf.NamedTensorMap)[p.name];
    const work: [tf.Variable, tf.Tensor, ResolvedParamGroup<O>][] = [];
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = lookup(p);
        if (g == null) continue;
        if (!(g instanceof tf.Tensor) || g.isDisposed)
          fail(where, `gradient of '${p.name}'`, 'a live tf.Tensor', g);
        if (shapeString(g.shape) !== shapeString(p.shape) || g.dtype !== 'float32') {
          fail(
            where,
            `gradient of '${p.name}'`,
            `float32 ${shapeString(p.shape)}`,
            `${g.dtype} ${shapeString(g.shape)}`,
          );
        }
        work.push([p, g, group]);
      }
    }
    const size = grads instanceof Map ? grads.size : Object.keys(grads).length;
    if (work.length === 0 && size > 0) {
      throw new ArchzooError(
        `${where}: none of the ${size} gradients belongs to this optimizer's parameters; key them by variable ` +
          "(Map) or by variable name as tf.variableGrads does (not by state-dict names like 'fc1.weight')",
      );
    }
    for (const [p, g, group] of work) {
      let s = this.state.get(p);
      if (!s) {
        s = this.initState(p, group);
        this.state.set(p, s);
      }
      this.update(p, g, s, group);
    }
  }

  /**
   * Runs `fn` in a tidy, assigns its `param` to `p`, and stores its `state` tensors in `s`,
   * disposing the ones they replace.
   */
  protected apply(
    p: tf.Variable,
    s: ParamState,
    fn: () => { param: tf.Tensor; state: Record<string, tf.Tensor> },
  ): void {
    const out = tf.tidy(fn);
    p.assign(out.param);
    out.param.dispose();
    for (const [k, v] of Object.entries(out.state)) {
      const old = s[k];
      if (old instanceof tf.Tensor && old !== v) old.dispose();
      s[k] = v;
    }
  }

  /** The state in PyTorch's structure (see `OptimizerStateDict`); its tensors are new copies the caller owns. */
  stateDict(): OptimizerStateDict {
    const index = new Map<tf.Variable, number>();
    const param_groups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(this.defaults)) {
        const v: unknown = Reflect.get(g, k);
        out[snake(k)] = Array.isArray(v) ? [...v] : v;
      }
      if (g.initialLr !== undefined) out.initial_lr = g.initialLr;
      const params = g.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return { ...out, params };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(
        Object.entries(s).map(([k, v]) => [k, v instanceof tf.Tensor ? tf.clone(v) : v]),
      );
    }
    return { state, param_groups };
  }

  /**
   * Loads a state dict of `stateDict()`'s structure (a PyTorch optimizer state dict with its
   * tensors converted also works: unknown group keys such as `foreach` are ignored). Group
   * options are taken from the dict, as PyTorch does. Everything is validated first; on any
   * problem nothing changes and one error lists them all. The dict's tensors are copied.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.where}.loadStateDict`;
    const problems: string[] = [];
    const groups = dict?.param_groups;
    if (!Array.isArray(groups) || groups.length !== this.paramGroups.length) {
      fail(
        where,
        'param_groups',
        `${this.paramGroups.length} group(s)`,
        Array.isArray(groups) ? `${groups.length}` : groups,
      );
    }
    const params: [tf.Variable, ResolvedParamGroup<O>][] = [];
    const newOptions: ResolvedParamGroup<O>[] = [];
    groups.forEach((sg, gi) => {
      const ours = this.paramGroups[gi]!;
      if (!Array.isArray(sg.params) || sg.params.length !== ours.params.length) {
        problems.push(
          `param_groups[${gi}]: expected ${ours.params.length} params, got ${sg.params?.length}`,
        );
      }
      const opts: ResolvedParamGroup<O> = { ...ours };
      for (const k of Object.keys(this.defaults))
        if (snake(k) in sg) Reflect.set(opts, k, sg[snake(k)]);
      if (typeof sg.initial_lr === 'number') opts.initialLr = sg.initial_lr;
      try {
        this.checkOptions(opts, `param_groups[${gi}]`);
      } catch (e) {
        problems.push((e as Error).message);
      }
      newOptions.push(opts);
      for (const p of ours.params) params.push([p, opts]);
    });
    const newState = new Map<tf.Variable, ParamState>();
    for (const [key, entry] of Object.entries(dict.state ?? {})) {
      const i = Number(key);
      const target = params[i];
      if (!Number.isInteger(i) || target === undefined) {
        problems.push(`state[${key}]: no parameter with that index (there are ${params.length})`);
        continue;
      }
      const [p, opts] = target;
      const spec = this.stateSpec(opts);
      const s: ParamState = {};
      for (const [k, kind] of Object.entries(spec)) {
        const v = (entry as ParamState)[k];
        if (kind === 'number') {
          const n = v instanceof tf.Tensor && v.size === 1 ? v.dataSync()[0] : v;
          if (typeof n !== 'number' || !Number.isFinite(n))
            problems.push(`state[${key}].${k}: expected a number, got ${String(v)}`);
          else s[k] = n;
        } else if (v == null && kind === 'tensorOrNull') {
          s[k] = null;
        } else if (!(v instanceof tf.Tensor) || v.isDisposed) {
          problems.push(
            `state[${key}].${k}: expected a live tf.Tensor, got ${v === undefined ? 'nothing' : String(v)}`,
          );
        } else if (shapeString(v.shape) !== shapeString(p.shape) || v.dtype !== 'float32') {
          problems.push(
            `state[${key}].${k}: expected float32 ${shapeString(p.shape)}, got ${v.dtype} ${shapeString(v.shape)}`,
          );
        } else {
          s[k] = v;
        }
      }
      newState.set(p, s);
    }
    if (problems.length > 0) {
      throw new ArchzooError(
        `${where}: ${problems.length} problem(s), nothing was loaded:\n  - ${problems.join('\n  - ')}`,
      );
    }
    this.disposeState();
    newOptions.forEach((o, gi) => Object.assign(this.paramGroups[gi]!, o));
    for (const [p, s] of newState) {
      this.state.set(
        p,
        Object.fromEntries(
          Object.entries(s).map(([k, v]) => [k, v instanceof tf.Tensor ? tf.clone(v) : v]),
        ),
      );
    }
  }

  private disposeState(): void {
    for (const s of this.state.values())
      for (const v of Object.values(s)) if (v instanceof tf.Tensor) v.dispose();
    this.state.clear();
  }

  /** Disposes the state tensors (not the parameters). The optimizer starts afresh if stepped again. */
  dispose(): void {
    this.disposeState();
  }
}

/**
 * The gradient every torch optimizer starts its update from: g = grad (negated when maximizing)
 * + lambda p (L2 weight decay coupled into the gradient; pass 0 for decoupled decay). Call inside
 * the update's tidy.
 */
export function regularizedGrad(
  p: tf.Tensor,
  grad: tf.Tensor,
  maximize: boolean,
  weightDecay: number,
): tf.Tensor {
  const g = maximize ? tf.neg(grad) : grad;
  return weightDecay !== 0 ? tf.add(g, tf.mul(p, weightDecay)) : g;
}

/** Checks `lr`, `weightDecay` and `eps`-like options: finite numbers >= 0. */
export function nonNegative(
  where: string,
  context: string,
  o: object,
  keys: readonly string[],
): void {
  for (const k of keys)
    finiteNumber(where, `${k} (${context})`, (o as Record<string, unknown>)[k], 0);
}

/** Checks boolean options. */
export function booleans(where: string, context: string, o: object, keys: readonly string[]): void {
  for (const k of keys) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v !== 'boolean') fail(where, `option ${k} (${context})`, 'a boolean', v);
  }
}
