import type { Workload } from './harness.js';
import { gruB32T50H128 } from './workloads/gru.js';
import { deltaOrthogonal3x3x256, orthogonal1024 } from './workloads/init_workloads.js';
import { KERNEL_WORKLOADS } from './workloads/kernels.js';
import { lenet5B64 } from './workloads/lenet5.js';
import { lenet5B64Fit } from './workloads/lenet5_fit.js';
import { lstmB32T50H128 } from './workloads/lstm.js';

/**
 * The workloads a bench run can choose from. Nothing registers itself on import: a registry is
 * filled by explicit `register` calls, and `builtinRegistry()` below is the one list of archzoo's
 * own workloads.
 */
export class Registry {
  readonly #workloads = new Map<string, Workload>();

  /** Adds a workload. Its name must be new and its reference must be one of its impls. */
  register(w: Workload): this {
    if (this.#workloads.has(w.name))
      throw new Error(`Registry.register: workload '${w.name}' is already registered`);
    const names = w.impls.map((i) => i.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined)
      throw new Error(`Registry.register: workload '${w.name}' has two impls named '${dup}'`);
    if (!names.includes(w.reference)) {
      throw new Error(
        `Registry.register: workload '${w.name}' names reference '${w.reference}', which is not one of its impls (${names.join(', ')})`,
      );
    }
    this.#workloads.set(w.name, w);
    return this;
  }

  /** The workload of that name; the error lists the known names. */
  get(name: string): Workload {
    const w = this.#workloads.get(name);
    if (!w)
      throw new Error(`unknown workload '${name}'; known: ${this.names().join(', ') || '(none)'}`);
    return w;
  }

  /** Workload names in registration order. */
  names(): string[] {
    return [...this.#workloads.keys()];
  }

  /** All workloads in registration order. */
  list(): Workload[] {
    return [...this.#workloads.values()];
  }

  /** The named workloads (all of them when `names` is empty or absent), in the order asked. */
  select(names?: readonly string[]): Workload[] {
    return names && names.length > 0 ? names.map((n) => this.get(n)) : this.list();
  }
}

/** A new registry holding archzoo's workloads (the ROADMAP names that exist so far). */
export function builtinRegistry(): Registry {
  const registry = new Registry()
    .register(lenet5B64)
    .register(lenet5B64Fit)
    .register(orthogonal1024)
    .register(deltaOrthogonal3x3x256)
    .register(lstmB32T50H128)
    .register(gruB32T50H128);
  // Kernel micro-benchmarks (kernel_*): tfjs's stock kernels against archzoo's replacements.
  for (const w of KERNEL_WORKLOADS) registry.register(w);
  return registry;
}
