import * as tf from '@tensorflow/tfjs-core';
import { describeValue, fail } from './errors.js';

/** Backends archzoo supports. 'auto' picks webgl in a capable browser, else wasm, else cpu. */
export type BackendChoice = 'auto' | 'webgl' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendChoice, 'auto'>;

const loaders: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
};

/**
 * True in a browser whose WebGL2 context can render to float32 textures
 * (`EXT_color_buffer_float`), which tfjs's webgl backend needs for training.
 */
export function hasWebGL2Float(): boolean {
  const g = globalThis as {
    document?: { createElement(t: string): unknown };
    OffscreenCanvas?: new (w: number, h: number) => unknown;
  };
  let canvas: unknown;
  if (typeof g.OffscreenCanvas === 'function') canvas = new g.OffscreenCanvas(1, 1);
  else if (g.document) canvas = g.document.createElement('canvas');
  else return false;
  const gl = (
    canvas as { getContext(t: string): { getExtension(n: string): unknown } | null }
  ).getContext('webgl2');
  return gl != null && gl.getExtension('EXT_color_buffer_float') != null;
}

/** True when running in Node.js. */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return (
    p?.versions?.node != null &&
    typeof (globalThis as { document?: unknown }).document === 'undefined'
  );
}

/** The backend 'auto' resolves to here: webgl (browser with WebGL2 + float32 targets), else wasm, else cpu. */
export function autoBackend(): BackendName {
  if (!isNode() && hasWebGL2Float()) return 'webgl';
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object') return 'wasm';
  return 'cpu';
}

export interface SetBackendOptions {
  /**
   * Where the wasm backend finds its `.wasm` binaries in a bundled browser app: a URL prefix
   * (ending in '/') or a map from file name to URL, as `setWasmPaths` of
   * `@tensorflow/tfjs-backend-wasm` takes. Bundlers do not copy those files; serve the package's
   * `dist/*.wasm` and point here. Not needed in Node.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Node only: XNNPACK threads of the wasm backend (default 1, or the `ARCHZOO_WASM_THREADS`
   * environment variable). Above 1, the first activation of wasm loads tfjs's threaded binary
   * through `registerThreadedWasm` (wasm_threads.ts), working around what keeps tfjs
   * single-threaded in Node: its thread flag is false there (tfjs #3830), its pthread workers are
   * Blob URLs that Node's `Worker` rejects (ERR_WORKER_PATH), and it caps the pool at half the
   * logical cores (one thread on 2 vCPUs). Not the default: measured on a shared 2-core machine,
   * 2 threads speed matMul and conv2d 1.4-1.5x (LeNet-5 training steps 1.3x) when a core is free,
   * and gain nothing or lose under load. Falls back to one thread, with a warning, if it fails.
   */
  wasmThreads?: number;
}

/**
 * Loads and activates a backend. `'auto'` (the default) chooses as `autoBackend()`; wasm is the
 * Node default. Resolves to the name of the backend now active.
 *
 * @example
 * await setBackend('cpu'); // deterministic reference backend
 */
export async function setBackend(
  choice: BackendChoice = 'auto',
  opts: SetBackendOptions = {},
): Promise<BackendName> {
  if (!['auto', 'webgl', 'wasm', 'cpu'].includes(choice)) {
    fail('setBackend', 'backend', "'auto', 'webgl', 'wasm' or 'cpu'", describeValue(choice));
  }
  const name = choice === 'auto' ? autoBackend() : choice;
  const mod = await loaders[name]();
  if (name === 'wasm') await useWasmThreads(opts.wasmThreads);
  if (name === 'wasm' && opts.wasmPaths !== undefined) {
    (mod as { setWasmPaths(p: string | Record<string, string>): void }).setWasmPaths(
      opts.wasmPaths,
    );
  }
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`setBackend: the '${name}' backend failed to initialize on this platform`);
  }
  await tf.ready();
  return name;
}

/** Loads tfjs-wasm's threaded binary when more than one thread is asked, before wasm first starts. */
async function useWasmThreads(requested: number | undefined): Promise<void> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.ARCHZOO_WASM_THREADS;
  const threads = requested ?? (env ? Number(env) : 1);
  if (!isNode() || !(threads > 1)) return;
  const { registerThreadedWasm, wasmInitialized } = await import('./wasm_threads.js');
  if (wasmInitialized()) return; // threads are chosen once, when wasm first starts
  try {
    await registerThreadedWasm(Math.floor(threads));
  } catch (e) {
    console.warn(`setBackend: wasm stays single-threaded (${(e as Error).message})`);
  }
}

/** Name of the active backend. */
export function getBackend(): string {
  return tf.getBackend();
}
