import { Generator } from '@archzoo/core';
import { describe, expect, it } from 'vitest';
import { jsSteps, type Steps, wasmSteps } from './steps.js';
import { Arena } from './wasm/arena.js';
import { sleb, uleb } from './wasm/encode.js';
import { stepModule, stepModuleBytes } from './wasm/step_module.js';

const wasm = wasmSteps();

/** Random floats in [lo, hi), from a seeded generator. */
function random(g: Generator, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * g.random());
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Runs `pass` on copies of `arrays` in both `Steps` (the wasm one in its memory) and returns the
 * arrays after each, to compare every array a pass may write.
 */
function runBoth(
  arrays: Record<string, Float32Array>,
  pass: (s: Steps, a: Record<string, Float32Array>) => void,
): { js: Record<string, Float32Array>; wasm: Record<string, Float32Array> } {
  const names = Object.keys(arrays);
  const js = Object.fromEntries(names.map((n) => [n, Float32Array.from(arrays[n]!)]));
  pass(jsSteps, js);
  const blocks = wasm!.alloc(names.map((n) => arrays[n]!.length));
  const views = Object.fromEntries(names.map((n, i) => [n, wasm!.view(blocks[i]!)]));
  for (const n of names) views[n]!.set(arrays[n]!);
  pass(wasm!, views);
  const out = Object.fromEntries(names.map((n) => [n, Float32Array.from(views[n]!)]));
  wasm!.free(blocks);
  return { js, wasm: out };
}

function expectSame(r: ReturnType<typeof runBoth>, tol = 2e-6): void {
  for (const name of Object.keys(r.js)) {
    expect(maxAbsDiff(r.wasm[name]!, r.js[name]!), name).toBeLessThan(tol);
  }
}

describe('wasm encoder', () => {
  it('writes LEB128 as the WebAssembly specification does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(0)).toEqual([0]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('assembles a valid module with the seven step functions and its memory', () => {
    const bytes = stepModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    // browsers compile a module synchronously on the main thread only up to 4 KiB (step_module.ts)
    expect(bytes.length).toBeLessThanOrEqual(4096);
    const mod = stepModule();
    expect(mod).not.toBeNull();
    expect(Object.keys(mod!).sort()).toEqual(
      [
        'gru_candidate',
        'gru_grad',
        'gru_hidden',
        'lstm_cell',
        'lstm_grad',
        'lstm_hidden',
        'memory',
        'transpose',
      ].sort(),
    );
  });
});

describe('wasm step passes equal the JavaScript ones', () => {
  const B = 3;
  const H = 8;
  // row 1 masked out: its state must stay exactly as it was
  const mask = Float32Array.from([1, 0, 1, 1, 1, 0]); // [T = 2, B]
  const t = 1;

  it('gruCandidate', () => {
    const g = new Generator(1);
    const r = runBoth(
      {
        n: random(g, B * H),
        hpn: random(g, 2 * B * H),
        xpn: random(g, 2 * B * H),
        hn: random(g, B * H),
        rz: random(g, B * 2 * H, 0, 1),
        bHh: random(g, 3 * H),
      },
      (s, a) => s.gruCandidate(a.n!, a.hpn!, B * H, a.xpn!, a.hn!, a.rz!, a.bHh!, B, H),
    );
    expectSame(r);
  });

  it('gruHidden (masked rows keep h)', () => {
    const g = new Generator(2);
    const arrays = {
      rz: random(g, B * 2 * H, 0, 1),
      n: random(g, B * H, 0, 1),
      nAll: random(g, 2 * B * H),
      mask,
      h: random(g, B * H),
      y: random(g, 2 * B * H),
    };
    const r = runBoth(arrays, (s, a) =>
      s.gruHidden(a.rz!, a.n!, a.nAll!, a.mask!, t * B, a.h!, a.y!, t * B * H, B, H),
    );
    expectSame(r);
    // mask[t = 1, b = 2] = 0: that row of h is unchanged and its output is 0, bit for bit
    const row = r.wasm.h!.subarray(2 * H, 3 * H);
    expect([...row]).toEqual([...arrays.h.subarray(2 * H, 3 * H)]);
    expect(r.wasm.y!.subarray(t * B * H + 2 * H, t * B * H + 3 * H).every((v) => v === 0)).toBe(
      true,
    );
  });

  for (const withDy of [true, false]) {
    it(`gruGrad (${withDy ? 'with' : 'without'} dy)`, () => {
      const g = new Generator(3);
      const r = runBoth(
        {
          dAn: random(g, B * H),
          dAh: random(g, B * 3 * H),
          rz: random(g, 2 * B * 2 * H, 0, 1),
          n: random(g, 2 * B * H),
          hpn: random(g, 2 * B * H),
          hPrev: random(g, 2 * B * H),
          mask,
          dy: random(g, 2 * B * H),
          dH: random(g, B * H),
          rec: random(g, B * H),
        },
        (s, a) =>
          s.gruGrad(
            a.dAn!,
            a.dAh!,
            a.rz!,
            a.n!,
            a.hpn!,
            a.hPrev!,
            a.mask!,
            withDy ? a.dy! : null,
            a.dH!,
            a.rec!,
            t,
            B,
            H,
          ),
      );
      expectSame(r);
    });
  }

  it('lstmCell', () => {
    const g = new Generator(4);
    const r = runBoth(
      {
        a: random(g, B * 4 * H, 0, 1),
        c: random(g, B * H),
        cNew: random(g, B * H),
        tc: random(g, B * H),
      },
      (s, a) => s.lstmCell(a.a!, a.c!, a.cNew!, a.tc!, B, H),
    );
    expectSame(r);
  });

  it('lstmHidden (masked rows keep h and c)', () => {
    const g = new Generator(5);
    const arrays = {
      a: random(g, B * 4 * H, 0, 1),
      tc: random(g, B * H, 0, 1),
      cNew: random(g, B * H),
      mask,
      h: random(g, B * H),
      c: random(g, B * H),
      y: random(g, 2 * B * H),
    };
    const r = runBoth(arrays, (s, a) =>
      s.lstmHidden(a.a!, a.tc!, a.cNew!, a.mask!, t * B, a.h!, a.c!, a.y!, t * B * H, B, H),
    );
    expectSame(r);
    expect([...r.wasm.h!.subarray(2 * H, 3 * H)]).toEqual([...arrays.h.subarray(2 * H, 3 * H)]);
    expect([...r.wasm.c!.subarray(2 * H, 3 * H)]).toEqual([...arrays.c.subarray(2 * H, 3 * H)]);
  });

  for (const withDy of [true, false]) {
    it(`lstmGrad (${withDy ? 'with' : 'without'} dy)`, () => {
      const g = new Generator(6);
      const r = runBoth(
        {
          dA: random(g, B * 4 * H),
          gates: random(g, 2 * B * 4 * H, 0, 1),
          tanhC: random(g, 2 * B * H),
          cPrev: random(g, 2 * B * H),
          mask,
          dy: random(g, 2 * B * H),
          dH: random(g, B * H),
          rec: random(g, B * H),
          dC: random(g, B * H),
        },
        (s, a) =>
          s.lstmGrad(
            a.dA!,
            a.gates!,
            a.tanhC!,
            a.cPrev!,
            a.mask!,
            withDy ? a.dy! : null,
            a.dH!,
            a.rec!,
            a.dC!,
            t,
            B,
            H,
          ),
      );
      expectSame(r);
    });
  }

  for (const [rows, cols] of [
    [8, 12],
    [4, 4],
    [6, 8], // not multiples of 4: the JavaScript fallback
    [8, 5],
  ] as const) {
    it(`transpose [${rows}, ${cols}] exactly`, () => {
      const g = new Generator(7);
      const r = runBoth(
        { src: random(g, rows * cols), dst: new Float32Array(rows * cols) },
        (s, a) => s.transpose(a.src!, rows, cols, a.dst!),
      );
      expect([...r.wasm.dst!]).toEqual([...r.js.dst!]);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++)
          expect(r.js.dst![j * rows + i]).toBe(r.js.src![i * cols + j]);
      }
    });
  }

  it('rejects an array that is not a view of the step memory, naming the problem', () => {
    expect(() =>
      wasm!.lstmCell(
        new Float32Array(32),
        new Float32Array(8),
        new Float32Array(8),
        new Float32Array(8),
        1,
        8,
      ),
    ).toThrow(/wasmSteps: an array is not \(or no longer\) a view of the step memory/);
  });
});

describe('Arena', () => {
  const fresh = () => new Arena(new WebAssembly.Memory({ initial: 2 }));

  it('hands out 16-byte aligned, disjoint blocks and reuses freed space', () => {
    const arena = fresh();
    const [a, b, c] = arena.alloc([3, 10, 4]);
    for (const block of [a!, b!, c!]) expect(block.ptr % 16).toBe(0);
    expect(b!.ptr).toBeGreaterThanOrEqual(a!.ptr + 16);
    expect(c!.ptr).toBeGreaterThanOrEqual(b!.ptr + 48);
    expect(arena.used).toBe(16 + 48 + 16);
    arena.free([b!]);
    expect(arena.used).toBe(32);
    const [d] = arena.alloc([8]); // fits where b was
    expect(d!.ptr).toBe(b!.ptr);
    arena.free([a!, c!, d!]);
    expect(arena.used).toBe(0);
  });

  it('merges neighbouring free runs so a large block fits again', () => {
    const arena = fresh();
    const blocks = arena.alloc([4, 4, 4, 4]);
    const [keep] = arena.alloc([4]); // keeps the four from being the top
    arena.free([blocks[1]!, blocks[3]!, blocks[2]!, blocks[0]!]);
    const [big] = arena.alloc([16]);
    expect(big!.ptr).toBe(blocks[0]!.ptr);
    arena.free([big!, keep!]);
    expect(arena.used).toBe(0);
  });

  it('grows the memory when nothing fits, keeping the values of live blocks', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const arena = new Arena(memory);
    const [a] = arena.alloc([1000]);
    arena.view(a!).fill(2.5);
    const [big] = arena.alloc([100_000]); // 400 kB: more pages
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big!.ptr + 400_000);
    expect(arena.view(a!).every((v) => v === 2.5)).toBe(true);
    expect(arena.view(big!).length).toBe(100_000);
  });

  it('keeps a run of zeros at the bottom for absent inputs, never handed out', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const arena = new Arena(memory);
    const blocks = arena.alloc([16, 5000, 16]);
    for (const b of blocks) {
      expect(b.ptr).toBeGreaterThanOrEqual(arena.zeros + 4 * arena.zeroLength);
      arena.view(b).fill(7);
    }
    expect(arena.zeroLength).toBeGreaterThanOrEqual(16384);
    const zeros = new Float32Array(memory.buffer, arena.zeros, arena.zeroLength);
    expect(zeros.every((v) => v === 0)).toBe(true);
  });
});
