/**
 * The per-step elementwise passes of the fused LSTM and GRU kernels as WebAssembly SIMD functions,
 * assembled at first use (encode.ts) into one small module with its own memory. They compute what
 * the JavaScript passes of gru_steps.ts and lstm_steps.ts compute, four floats at a time, in
 * float32 arithmetic (the JavaScript passes round to float32 only when they store). Plain
 * JavaScript spends about 0.8 ns on every typed-array load or store here, which made these passes
 * a quarter of a training step; in wasm they take a tenth of that.
 *
 * Every function walks B rows of H floats (H a multiple of 4). Arguments are byte addresses in the
 * module's memory, then B and H; each array advances by its own row stride (in floats: H, 2H, 3H,
 * 4H for the gate blocks, 1 for the per-row mask value, a parameter for dy, which is 0 with a row
 * of zeros when there is no dy).
 */
import {
  type Code,
  encodeModule,
  type FuncDef,
  f32,
  f32x4,
  forLoop,
  I32,
  i32,
  local,
  shuffle32,
  V128,
  v128,
} from './encode.js';

/** One array argument of a pass: its name and row stride in units of H floats (or 'mask'). */
type Stride = number | 'mask' | 'param';

interface PassSpec {
  name: string;
  /** Array parameters, in order, with their row strides. */
  arrays: readonly (readonly [string, Stride])[];
  /**
   * The body for four floats at column j of the current row: `at(name, block)` is the address of
   * that array's four floats in gate block `block` (0..3); `m` and `om` are v128 locals holding the
   * row's mask value and 1 - mask (when the pass has a 'mask' array).
   */
  body: (at: (name: string, block?: number) => Code, m: Code, om: Code, t: Temps) => Code;
}

/** Named v128 temporaries of a pass body. */
interface Temps {
  set(name: string, v: Code): Code;
  get(name: string): Code;
}

const ONE = f32x4.splat(f32.const(1));
const TWO = f32x4.splat(f32.const(2));
const ld = (addr: Code) => v128.load(addr);
const st = (addr: Code, v: Code) => v128.store(addr, v);
const { add, sub, mul } = f32x4;

/**
 * Builds a pass: parameters (the arrays' addresses, then the dy stride in bytes if an array has
 * stride 'param', then B and H), the row loop over b and the column loop over j in steps of 4.
 */
function buildPass(spec: PassSpec): FuncDef {
  const nArrays = spec.arrays.length;
  const hasStrideParam = spec.arrays.some(([, s]) => s === 'param');
  const params = [...spec.arrays.map(() => I32), ...(hasStrideParam ? [I32] : []), I32, I32];
  const strideParam = nArrays;
  const B = params.length - 2;
  const H = params.length - 1;
  // locals after the parameters: b, j (bytes), hb (H * 4 bytes), m, om, then the temporaries
  const b = params.length;
  const j = b + 1;
  const hb = b + 2;
  const m = b + 3;
  const om = b + 4;
  const temps = new Map<string, number>();
  const tempLocal = (name: string) => {
    let idx = temps.get(name);
    if (idx === undefined) {
      idx = om + 1 + temps.size;
      temps.set(name, idx);
    }
    return idx;
  };
  const t: Temps = {
    set: (name, v) => local.set(tempLocal(name), v),
    get: (name) => local.get(tempLocal(name)),
  };
  const index = new Map(spec.arrays.map(([name], i) => [name, i]));
  const at = (name: string, block = 0): Code => {
    const p = index.get(name);
    if (p === undefined) throw new Error(`step_module: ${spec.name} has no array ${name}`);
    let addr = i32.add(local.get(p), local.get(j));
    if (block > 0) addr = i32.add(addr, i32.mul(local.get(hb), i32.const(block)));
    return addr;
  };
  const maskIdx = spec.arrays.findIndex(([, s]) => s === 'mask');
  const inner = spec.body(at, local.get(m), local.get(om), t);
  const rowStart =
    maskIdx >= 0
      ? [
          ...local.set(m, f32x4.splat(f32.load(local.get(maskIdx)))),
          ...local.set(om, sub(ONE, local.get(m))),
        ]
      : [];
  // after each row: every array moves on by its row stride
  const advance = spec.arrays.flatMap(([, s], p) => {
    const step =
      s === 'mask'
        ? i32.const(4)
        : s === 'param'
          ? local.get(strideParam)
          : i32.mul(local.get(hb), i32.const(s));
    return s === 0 ? [] : local.set(p, i32.add(local.get(p), step));
  });
  const body = [
    ...local.set(hb, i32.mul(local.get(H), i32.const(4))),
    ...forLoop(b, local.get(B), 1, [
      ...rowStart,
      ...forLoop(j, local.get(hb), 16, inner),
      ...advance,
    ]),
  ];
  return {
    name: spec.name,
    params,
    locals: [I32, I32, I32, V128, V128, ...[...temps.keys()].map(() => V128)],
    body,
  };
}

/** The masked state update: m v + (1 - m) old (exactly v where m = 1, old where m = 0). */
const masked = (m: Code, om: Code, v: Code, old: Code) => add(mul(m, v), mul(om, old));

const PASSES: readonly PassSpec[] = [
  {
    // n = 2 (xpn + r (hn + b_hn)), hpn = hn + b_hn   (gru_steps.ts candidateInputs)
    name: 'gru_candidate',
    arrays: [
      ['n', 1],
      ['hpn', 1],
      ['xpn', 1],
      ['hn', 1],
      ['rz', 2],
      ['bhn', 0],
    ],
    body: (at, _m, _om, t) => [
      ...t.set('lin', add(ld(at('hn')), ld(at('bhn')))),
      ...st(at('hpn'), t.get('lin')),
      ...st(at('n'), mul(TWO, add(ld(at('xpn')), mul(ld(at('rz')), t.get('lin'))))),
    ],
  },
  {
    // n = 2σ - 1, h' = n + z (h - n), masked update of h, y = m h'   (hiddenUpdate)
    name: 'gru_hidden',
    arrays: [
      ['rz', 2],
      ['n', 1],
      ['nAll', 1],
      ['mask', 'mask'],
      ['h', 1],
      ['y', 1],
    ],
    body: (at, m, om, t) => [
      ...t.set('nv', sub(mul(TWO, ld(at('n'))), ONE)),
      ...st(at('nAll'), t.get('nv')),
      ...t.set('h', ld(at('h'))),
      ...t.set('hn', add(t.get('nv'), mul(ld(at('rz', 1)), sub(t.get('h'), t.get('nv'))))),
      ...st(at('h'), masked(m, om, t.get('hn'), t.get('h'))),
      ...st(at('y'), mul(m, t.get('hn'))),
    ],
  },
  {
    // the GRU's step of BPTT   (stepGrad)
    name: 'gru_grad',
    arrays: [
      ['dAn', 1],
      ['dAh', 3],
      ['rz', 2],
      ['n', 1],
      ['hpn', 1],
      ['hPrev', 1],
      ['mask', 'mask'],
      ['dy', 'param'],
      ['dH', 1],
      ['rec', 1],
    ],
    body: (at, m, om, t) => [
      ...t.set('dh', add(ld(at('dH')), ld(at('rec')))),
      ...t.set('dhn', mul(m, add(t.get('dh'), ld(at('dy'))))),
      ...t.set('r', ld(at('rz'))),
      ...t.set('z', ld(at('rz', 1))),
      ...t.set('nv', ld(at('n'))),
      ...t.set(
        'dan',
        mul(mul(t.get('dhn'), sub(ONE, t.get('z'))), sub(ONE, mul(t.get('nv'), t.get('nv')))),
      ),
      ...st(at('dAn'), t.get('dan')),
      ...st(
        at('dAh'),
        mul(mul(mul(t.get('dan'), ld(at('hpn'))), t.get('r')), sub(ONE, t.get('r'))),
      ),
      ...st(
        at('dAh', 1),
        mul(
          mul(mul(t.get('dhn'), sub(ld(at('hPrev')), t.get('nv'))), t.get('z')),
          sub(ONE, t.get('z')),
        ),
      ),
      ...st(at('dAh', 2), mul(t.get('dan'), t.get('r'))),
      ...st(at('dH'), add(mul(om, t.get('dh')), mul(t.get('dhn'), t.get('z')))),
    ],
  },
  {
    // g = 2σ - 1 in place, c' = f c + i g, tc = 2 c'   (lstm_steps.ts cellUpdate)
    name: 'lstm_cell',
    arrays: [
      ['a', 4],
      ['c', 1],
      ['cNew', 1],
      ['tc', 1],
    ],
    body: (at, _m, _om, t) => [
      ...t.set('g', sub(mul(TWO, ld(at('a', 2))), ONE)),
      ...st(at('a', 2), t.get('g')),
      ...t.set('cn', add(mul(ld(at('a', 1)), ld(at('c'))), mul(ld(at('a')), t.get('g')))),
      ...st(at('cNew'), t.get('cn')),
      ...st(at('tc'), mul(TWO, t.get('cn'))),
    ],
  },
  {
    // tc = 2σ - 1 in place, h' = o tc, masked updates of h and c, y = m h'   (hiddenUpdate)
    name: 'lstm_hidden',
    arrays: [
      ['a', 4],
      ['tc', 1],
      ['cNew', 1],
      ['mask', 'mask'],
      ['h', 1],
      ['c', 1],
      ['y', 1],
    ],
    body: (at, m, om, t) => [
      ...t.set('tcn', sub(mul(TWO, ld(at('tc'))), ONE)),
      ...st(at('tc'), t.get('tcn')),
      ...t.set('hn', mul(ld(at('a', 3)), t.get('tcn'))),
      ...st(at('h'), masked(m, om, t.get('hn'), ld(at('h')))),
      ...st(at('c'), masked(m, om, ld(at('cNew')), ld(at('c')))),
      ...st(at('y'), mul(m, t.get('hn'))),
    ],
  },
  {
    // the LSTM's step of BPTT   (stepGrad)
    name: 'lstm_grad',
    arrays: [
      ['dA', 4],
      ['gates', 4],
      ['tanhC', 1],
      ['cPrev', 1],
      ['mask', 'mask'],
      ['dy', 'param'],
      ['dH', 1],
      ['rec', 1],
      ['dC', 1],
    ],
    body: (at, m, om, t) => [
      ...t.set('dh', add(ld(at('dH')), ld(at('rec')))),
      ...t.set('dhn', mul(m, add(t.get('dh'), ld(at('dy'))))),
      ...t.set('i', ld(at('gates'))),
      ...t.set('f', ld(at('gates', 1))),
      ...t.set('g', ld(at('gates', 2))),
      ...t.set('o', ld(at('gates', 3))),
      ...t.set('tc', ld(at('tanhC'))),
      ...t.set('dc', ld(at('dC'))),
      ...t.set(
        'dcn',
        add(
          mul(m, t.get('dc')),
          mul(mul(t.get('dhn'), t.get('o')), sub(ONE, mul(t.get('tc'), t.get('tc')))),
        ),
      ),
      ...st(at('dA'), mul(mul(mul(t.get('dcn'), t.get('g')), t.get('i')), sub(ONE, t.get('i')))),
      ...st(
        at('dA', 1),
        mul(mul(mul(t.get('dcn'), ld(at('cPrev'))), t.get('f')), sub(ONE, t.get('f'))),
      ),
      ...st(at('dA', 2), mul(mul(t.get('dcn'), t.get('i')), sub(ONE, mul(t.get('g'), t.get('g'))))),
      ...st(
        at('dA', 3),
        mul(mul(mul(t.get('dhn'), t.get('tc')), t.get('o')), sub(ONE, t.get('o'))),
      ),
      ...st(at('dC'), add(mul(om, t.get('dc')), mul(t.get('dcn'), t.get('f')))),
      ...st(at('dH'), mul(om, t.get('dh'))),
    ],
  },
];

/**
 * `transpose(src, rows, cols, dst)`: src `[rows, cols]` -> dst `[cols, rows]` (addresses in bytes,
 * rows and cols multiples of 4), by 4 x 4 blocks transposed in registers (eight shuffles): four
 * rows of src read once, sixteen bytes written into each of four rows of dst.
 */
function transposePass(): FuncDef {
  const [src, rows, cols, dst] = [0, 1, 2, 3];
  const [r, c, s0, d0] = [4, 5, 6, 7];
  const [a, b, cc, d, t0, t1, t2, t3] = [8, 9, 10, 11, 12, 13, 14, 15];
  const rowBytes = i32.mul(local.get(cols), i32.const(4)); // one src row
  const dstRowBytes = i32.mul(local.get(rows), i32.const(4)); // one dst row
  const srcAt = (k: number) => i32.add(local.get(s0), i32.mul(rowBytes, i32.const(k))); // row r + k, column c
  const dstAt = (k: number) => i32.add(local.get(d0), i32.mul(dstRowBytes, i32.const(k)));
  const body = forLoop(r, local.get(rows), 4, [
    ...forLoop(c, local.get(cols), 4, [
      // s0: &src[r, c]; d0: &dst[c, r]
      ...local.set(
        s0,
        i32.add(
          local.get(src),
          i32.mul(i32.add(i32.mul(local.get(r), local.get(cols)), local.get(c)), i32.const(4)),
        ),
      ),
      ...local.set(
        d0,
        i32.add(
          local.get(dst),
          i32.mul(i32.add(i32.mul(local.get(c), local.get(rows)), local.get(r)), i32.const(4)),
        ),
      ),
      ...local.set(a, v128.load(srcAt(0))),
      ...local.set(b, v128.load(srcAt(1))),
      ...local.set(cc, v128.load(srcAt(2))),
      ...local.set(d, v128.load(srcAt(3))),
      ...local.set(t0, shuffle32(local.get(a), local.get(b), [0, 4, 1, 5])),
      ...local.set(t1, shuffle32(local.get(a), local.get(b), [2, 6, 3, 7])),
      ...local.set(t2, shuffle32(local.get(cc), local.get(d), [0, 4, 1, 5])),
      ...local.set(t3, shuffle32(local.get(cc), local.get(d), [2, 6, 3, 7])),
      ...v128.store(dstAt(0), shuffle32(local.get(t0), local.get(t2), [0, 1, 4, 5])),
      ...v128.store(dstAt(1), shuffle32(local.get(t0), local.get(t2), [2, 3, 6, 7])),
      ...v128.store(dstAt(2), shuffle32(local.get(t1), local.get(t3), [0, 1, 4, 5])),
      ...v128.store(dstAt(3), shuffle32(local.get(t1), local.get(t3), [2, 3, 6, 7])),
    ]),
  ]);
  return {
    name: 'transpose',
    params: [I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128],
    body,
  };
}

/** The exports of the step module. */
export interface StepExports {
  memory: WebAssembly.Memory;
  gru_candidate(
    n: number,
    hpn: number,
    xpn: number,
    hn: number,
    rz: number,
    bhn: number,
    B: number,
    H: number,
  ): void;
  gru_hidden(
    rz: number,
    n: number,
    nAll: number,
    mask: number,
    h: number,
    y: number,
    B: number,
    H: number,
  ): void;
  gru_grad(
    dAn: number,
    dAh: number,
    rz: number,
    n: number,
    hpn: number,
    hPrev: number,
    mask: number,
    dy: number,
    dH: number,
    rec: number,
    dyStride: number,
    B: number,
    H: number,
  ): void;
  lstm_cell(a: number, c: number, cNew: number, tc: number, B: number, H: number): void;
  lstm_hidden(
    a: number,
    tc: number,
    cNew: number,
    mask: number,
    h: number,
    c: number,
    y: number,
    B: number,
    H: number,
  ): void;
  lstm_grad(
    dA: number,
    gates: number,
    tanhC: number,
    cPrev: number,
    mask: number,
    dy: number,
    dH: number,
    rec: number,
    dC: number,
    dyStride: number,
    B: number,
    H: number,
  ): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
}

/** The module's bytes. */
export function stepModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([...PASSES.map(buildPass), transposePass()], 1);
}

let instance: StepExports | null | undefined;

/**
 * The step module, instantiated once, synchronously (kernels are synchronous): browsers allow that
 * on the main thread only for modules up to 4 KiB, which this one stays under (2.7 KiB; a test
 * checks). Null where WebAssembly or its SIMD instructions are not available (the kernels then run
 * the JavaScript passes).
 */
export function stepModule(): StepExports | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    const bytes = stepModuleBytes();
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      instance = inst.exports as unknown as StepExports;
    }
  } catch {
    instance = null;
  }
  return instance;
}
