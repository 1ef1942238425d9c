import { describe, expect, it } from 'vitest';
import {
  calculateFanInAndFanOut,
  calculateGain,
  convWeightShape,
  fromTorchShape,
  NONLINEARITIES,
  toTorchShape,
} from './fans.js';

describe('calculateFanInAndFanOut', () => {
  it('reads PyTorch layout: fan_in = shape[1] * receptive, fan_out = shape[0] * receptive', () => {
    expect(calculateFanInAndFanOut([10, 784])).toEqual({ fanIn: 784, fanOut: 10 });
    expect(calculateFanInAndFanOut([64, 3, 7, 7])).toEqual({ fanIn: 147, fanOut: 3136 });
  });

  it('reads archzoo layout: fan_in = shape[-2] * receptive, fan_out = shape[-1] * receptive', () => {
    expect(calculateFanInAndFanOut([784, 10], 'archzoo')).toEqual({ fanIn: 784, fanOut: 10 });
    expect(calculateFanInAndFanOut([7, 7, 3, 64], 'archzoo')).toEqual({ fanIn: 147, fanOut: 3136 });
  });

  it('gives the same fans for the same layer in both layouts, ConvTranspose and groups included', () => {
    const convs = [
      { inChannels: 8, outChannels: 16, kernelSize: [3, 5], groups: 2 },
      { inChannels: 4, outChannels: 6, kernelSize: [5] },
      { inChannels: 3, outChannels: 6, kernelSize: [3, 3, 3], groups: 3 },
      { inChannels: 8, outChannels: 12, kernelSize: [2, 3], groups: 4, transposed: true },
    ];
    for (const c of convs) {
      const torch = convWeightShape(c, 'torch');
      const archzoo = convWeightShape(c, 'archzoo');
      expect(toTorchShape(archzoo, 'archzoo')).toEqual(torch);
      expect(fromTorchShape(torch)).toEqual(archzoo);
      expect(calculateFanInAndFanOut(archzoo, 'archzoo')).toEqual(calculateFanInAndFanOut(torch));
    }
    // PyTorch's quirks: grouped conv fan_out uses all out channels; transposed fan_in is out/groups * k.
    expect(calculateFanInAndFanOut(convWeightShape(convs[0]!))).toEqual({ fanIn: 60, fanOut: 240 });
    expect(calculateFanInAndFanOut(convWeightShape(convs[3]!))).toEqual({ fanIn: 18, fanOut: 48 });
  });

  it('rejects 1-D shapes and indivisible groups', () => {
    expect(() => calculateFanInAndFanOut([5])).toThrow(RangeError);
    expect(() =>
      convWeightShape({ inChannels: 3, outChannels: 4, kernelSize: [3], groups: 2 }),
    ).toThrow(RangeError);
  });
});

describe('calculateGain', () => {
  it('follows the table', () => {
    for (const n of NONLINEARITIES.slice(0, 8)) expect(calculateGain(n)).toBe(1);
    expect(calculateGain('tanh')).toBe(5 / 3);
    expect(calculateGain('relu')).toBe(Math.sqrt(2));
    expect(calculateGain('selu')).toBe(0.75);
    expect(calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(calculateGain('leaky_relu', 0)).toBe(Math.sqrt(2));
  });

  it('rejects unknown names and non-finite slopes', () => {
    expect(() => calculateGain('gelu' as never)).toThrow(RangeError);
    expect(() => calculateGain('leaky_relu', Number.NaN)).toThrow(RangeError);
  });
});
