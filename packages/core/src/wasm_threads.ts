/**
 * Multithreaded tfjs-wasm in Node (opt-in: `setBackend('wasm', { wasmThreads: 2 })`).
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD binary (XNNPACK over a pthreadpool of emscripten
 * pthreads, i.e. worker_threads in Node), but three things keep Node single-threaded:
 * 1. its `WASM_HAS_MULTITHREAD_SUPPORT` flag returns false when `IS_NODE` (tfjs issue #3830), so
 *    `setThreadsCount` alone changes nothing;
 * 2. forcing that flag fails: tfjs's `init` hands emscripten the pthread worker script as a Blob URL
 *    (`URL.createObjectURL`), which Node's `new Worker()` rejects: "TypeError [ERR_WORKER_PATH]: The
 *    worker script or module filename must be an absolute path or a relative path starting with
 *    './' or '../'. Received "blob:nodedata:..."" (emscripten's `PThread.allocateUnusedWorker`, in
 *    `initMainThread`, which starts its pool of 8 workers); and the main script it passes the
 *    workers (`mainScriptUrlOrBlob`) is a Blob too, which the worker's Node `importScripts`
 *    (`fs.readFileSync`) cannot read;
 * 3. the C++ side caps the pool at `os.cpus().length / 2` (`emscripten_num_logical_cores() / 2`,
 *    assuming two hyperthreads per core): one thread on a 2-vCPU machine, whatever was asked.
 * The rest of emscripten's pthread support works in Node 20 (shared `WebAssembly.Memory`,
 * `Atomics.wait` on the main thread, worker_threads). So this module instantiates the threaded
 * binary itself, with real file paths (the worker script written once to the temp directory, the
 * main script the package's own file), reports `threads * 2` logical cores while the C++ static
 * initializers run, and registers a `BackendWasm` over that module as the 'wasm' backend.
 *
 * Node only, and before the wasm backend is first activated. Measured on a 2-core machine at load
 * ~2, two threads: matMul 256x512x512 5.4 -> 3.7 ms, conv2d [64, 28, 28, 16] * 5x5x16x32
 * 48 -> 31 ms, a LeNet-5 training step 75 -> 57 ms; under load (~5.5, other processes on both
 * cores) no gain or a loss.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The emscripten module parts tfjs's `BackendWasm` constructor expects (its `init` adds `tfjs`). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, (...a: number[]) => number>;
  PThread?: { runningWorkers: { unref(): void }[] };
}

/** True once tfjs has created the wasm backend (not `tf.findBackend`, which would create it). */
export function wasmInitialized(): boolean {
  return 'wasm' in (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
}

/** Node's modules, imported at run time so that bundlers for the browser never see them. */
async function nodeModule<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ name)) as T;
}

/**
 * Registers tfjs-wasm's threaded SIMD binary, with a pool of `threads` XNNPACK threads, as the
 * 'wasm' backend (replacing tfjs's registration, which would load the single-threaded one).
 * Throws when the wasm backend is already initialized or anything fails; `setBackend` then keeps
 * tfjs's single-threaded backend.
 */
export async function registerThreadedWasm(threads: number): Promise<void> {
  if (wasmInitialized())
    throw new Error('registerThreadedWasm: the wasm backend is already initialized');
  const { createRequire } = await nodeModule<typeof import('node:module')>('node:module');
  const { renameSync, writeFileSync } = await nodeModule<typeof import('node:fs')>('node:fs');
  const { dirname, join } = await nodeModule<typeof import('node:path')>('node:path');
  const require = createRequire(import.meta.url);
  // The CommonJS module object, the one emscripten's `require("os")` reads (ESM's namespace is frozen).
  const os = require('node:os') as typeof import('node:os');
  const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainScript = join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as (config: object) => Promise<EmscriptenModule>;
  const { wasmWorkerContents } = require(
    join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents: string };
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const workerScript = join(os.tmpdir(), `archzoo-tfjs-wasm-${wasm.version_wasm}-worker.js`);
  // As tfjs's own init: the contents come from a template string, so newlines inside its string
  // literals must be escaped again. Written whole then renamed: processes may start together.
  const partial = `${workerScript}.${process.pid}`;
  writeFileSync(partial, wasmWorkerContents.replace(/\n/g, '\\n'));
  renameSync(partial, workerScript);
  const cpus = os.cpus;
  (os as { cpus: () => unknown[] }).cpus = () =>
    Array.from({ length: 2 * threads }, () => cpus()[0]);
  let module: EmscriptenModule;
  try {
    module = await factory({
      locateFile: (file: string) =>
        file.endsWith('.worker.js') ? workerScript : join(pkg, 'dist', file),
      mainScriptUrlOrBlob: mainScript,
    });
  } finally {
    (os as { cpus: typeof cpus }).cpus = cpus;
  }
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasm.setThreadsCount(threads);
  tf.removeBackend('wasm');
  type WasmModule = ConstructorParameters<typeof wasm.BackendWasm>[0];
  tf.registerBackend(
    'wasm',
    () => {
      const backend = new wasm.BackendWasm(module as unknown as WasmModule); // starts the pool
      // Emscripten refs a worker while it runs a thread, and pool threads run for good: without
      // this, Node would never exit.
      for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
      return backend;
    },
    2,
  );
}
