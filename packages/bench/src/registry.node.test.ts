import { describe, expect, it } from 'vitest';
import type { Impl, Workload } from './harness.js';
import { builtinRegistry, Registry } from './registry.js';
import { KERNEL_WORKLOADS } from './workloads/kernels.js';

const impl = (name: string): Impl => ({
  name,
  description: name,
  create: () => ({ step: () => 0, dispose() {} }),
});
const workload = (name: string, reference = 'a', impls = ['a', 'b']): Workload => ({
  name,
  description: name,
  reference,
  impls: impls.map(impl),
});

describe('Registry', () => {
  it('starts empty: nothing registers itself on import', () => {
    expect(new Registry().names()).toEqual([]);
  });

  it('keeps workloads in registration order and selects them by name', () => {
    const r = new Registry().register(workload('w1')).register(workload('w2'));
    expect(r.names()).toEqual(['w1', 'w2']);
    expect(r.list().map((w) => w.name)).toEqual(['w1', 'w2']);
    expect(r.get('w2').name).toBe('w2');
    expect(r.select().map((w) => w.name)).toEqual(['w1', 'w2']);
    expect(r.select([]).map((w) => w.name)).toEqual(['w1', 'w2']);
    expect(r.select(['w2', 'w1']).map((w) => w.name)).toEqual(['w2', 'w1']);
  });

  it('names the known workloads when asked for an unknown one', () => {
    const r = new Registry().register(workload('w1'));
    expect(() => r.get('nope')).toThrow("unknown workload 'nope'; known: w1");
    expect(() => r.select(['w1', 'nope'])).toThrow(/unknown workload 'nope'/);
  });

  it('rejects a duplicate name, duplicate impls and a reference that is not an impl', () => {
    const r = new Registry().register(workload('w1'));
    expect(() => r.register(workload('w1'))).toThrow(/already registered/);
    expect(() => r.register(workload('w3', 'a', ['a', 'a']))).toThrow(/two impls named 'a'/);
    expect(() => r.register(workload('w4', 'zzz'))).toThrow(
      /reference 'zzz', which is not one of its impls \(a, b\)/,
    );
    expect(r.names()).toEqual(['w1']);
  });
});

describe('builtinRegistry', () => {
  it('holds lenet5_b64 with archzoo and tfjs-layers impls, tfjs-layers the reference', () => {
    const r = builtinRegistry();
    expect(r.names()).toEqual([
      'lenet5_b64',
      'lenet5_b64_fit',
      'orthogonal_1024x1024',
      'delta_orthogonal_3x3x256x256',
      'lstm_b32_t50_h128',
      'gru_b32_t50_h128',
      ...KERNEL_WORKLOADS.map((w) => w.name),
    ]);
    const w = r.get('lenet5_b64');
    expect(w.reference).toBe('tfjs-layers');
    expect(w.impls.map((i) => i.name)).toEqual([
      'archzoo',
      'tfjs-layers',
      'tfjs-layers.trainOnBatch',
    ]);
  });

  it('holds lenet5_b64_fit: fit() against a hand-written loop, the loop the reference', () => {
    const w = builtinRegistry().get('lenet5_b64_fit');
    expect(w.reference).toBe('hand-loop');
    expect(w.impls.map((i) => i.name)).toEqual(['hand-loop', 'fit']);
  });

  it('holds the init workloads, tfjs-layers the reference of both', () => {
    for (const name of ['orthogonal_1024x1024', 'delta_orthogonal_3x3x256x256']) {
      const w = builtinRegistry().get(name);
      expect(w.reference).toBe('tfjs-layers');
      expect(w.impls.map((i) => i.name)).toEqual(['tfjs-layers', 'archzoo']);
    }
  });

  it('is a new registry each time', () => {
    const a = builtinRegistry();
    a.register(workload('extra'));
    expect(builtinRegistry().names()).not.toContain('extra');
    expect(builtinRegistry().names()).toHaveLength(6 + KERNEL_WORKLOADS.length);
  });
});
