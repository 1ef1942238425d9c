/**
 * State trees: JSON-like values whose leaves may be tensors, such as an optimizer's state dict
 * (`{ state: { 0: { step, expAvg } }, paramGroups: [...] }`). A checkpoint stores a tree as its
 * tensors plus one JSON string in which each tensor is replaced by `{ "$tensor": name }`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArchzooError } from '../errors.js';
import { setOwn } from './safetensors.js';

/** A JSON value whose leaves may also be tfjs tensors. */
export type StateTree =
  | tf.Tensor
  | string
  | number
  | boolean
  | null
  | readonly StateTree[]
  | { readonly [key: string]: StateTree | undefined };

const TENSOR = '$tensor';
/** Non-finite numbers (JSON has none) are stored as `{ "$number": "NaN" | "Infinity" | "-Infinity" }`. */
const NUMBER = '$number';

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Splits a tree into JSON text and named tensors. Tensor names are `${prefix}${path}` with the path
 * joined by '.' (made unique with '#n' if two paths collide). Throws an ArchzooError naming the
 * path of any value JSON cannot hold (functions, bigints, Maps, typed arrays, class instances,
 * `undefined` inside arrays, disposed tensors). `undefined` object fields are dropped, as JSON does.
 */
export function flattenStateTree(
  tree: unknown,
  prefix: string,
  where: string,
): { json: string; tensors: Record<string, tf.Tensor> } {
  const tensors: Record<string, tf.Tensor> = {};
  const walk = (v: unknown, path: string[]): unknown => {
    const at = path.length ? path.join('.') : '(root)';
    if (v instanceof tf.Tensor) {
      if (v.isDisposed) throw new ArchzooError(`${where}: state at '${at}' is a disposed tensor`);
      let name = `${prefix}${path.join('.')}`;
      for (let n = 1; Object.hasOwn(tensors, name); n++) name = `${prefix}${path.join('.')}#${n}`;
      setOwn(tensors, name, v);
      return { [TENSOR]: name };
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : { [NUMBER]: String(v) };
    if (Array.isArray(v)) {
      return v.map((x, i) => {
        if (x === undefined)
          throw new ArchzooError(
            `${where}: state at '${[...path, i].join('.')}' is undefined (JSON has no undefined)`,
          );
        return walk(x, [...path, String(i)]);
      });
    }
    if (typeof v === 'object' && isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === TENSOR || k === NUMBER)
          throw new ArchzooError(`${where}: state at '${at}' uses the reserved key '${k}'`);
        if (x !== undefined) setOwn(out, k, walk(x, [...path, k]));
      }
      return out;
    }
    const what = typeof v === 'object' ? Object.prototype.toString.call(v) : typeof v;
    throw new ArchzooError(
      `${where}: state at '${at}' is a ${what}, which a checkpoint cannot store (use plain objects, arrays, numbers, strings, booleans, null and tensors)`,
    );
  };
  const json = JSON.stringify(walk(tree, []));
  return { json, tensors };
}

/**
 * Rebuilds a tree from `flattenStateTree`'s JSON and its tensors. Every `{ "$tensor": name }` must
 * name a tensor, and every tensor must be used exactly once; otherwise an ArchzooError.
 */
export function unflattenStateTree(
  json: string,
  tensors: Record<string, tf.Tensor>,
  where: string,
): StateTree {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new ArchzooError(
      `${where}: the stored state is not valid JSON (${(e as Error).message})`,
    );
  }
  const used = new Set<string>();
  const walk = (v: unknown): StateTree => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      const rec = v as Record<string, unknown>;
      if (keys.length === 1 && keys[0] === TENSOR) {
        const name = rec[TENSOR];
        if (typeof name !== 'string' || !Object.hasOwn(tensors, name)) {
          throw new ArchzooError(
            `${where}: the stored state refers to a missing tensor ${JSON.stringify(name)}`,
          );
        }
        if (used.has(name))
          throw new ArchzooError(`${where}: the stored state uses tensor '${name}' twice`);
        used.add(name);
        return tensors[name]!;
      }
      if (keys.length === 1 && keys[0] === NUMBER) {
        const s = rec[NUMBER];
        if (s !== 'NaN' && s !== 'Infinity' && s !== '-Infinity') {
          throw new ArchzooError(
            `${where}: the stored state has a bad number ${JSON.stringify(s)}`,
          );
        }
        return Number(s);
      }
      const out: Record<string, StateTree> = {};
      for (const k of keys) setOwn(out, k, walk(rec[k]));
      return out;
    }
    return v as StateTree;
  };
  const tree = walk(parsed);
  const unused = Object.keys(tensors).filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new ArchzooError(
      `${where}: tensor(s) ${unused.map((k) => `'${k}'`).join(', ')} are not referenced by the stored state`,
    );
  }
  return tree;
}

/** Every tensor in a tree (for disposing it). */
export function treeTensors(tree: unknown): tf.Tensor[] {
  if (tree instanceof tf.Tensor) return [tree];
  if (Array.isArray(tree)) return tree.flatMap(treeTensors);
  if (tree !== null && typeof tree === 'object') return Object.values(tree).flatMap(treeTensors);
  return [];
}
