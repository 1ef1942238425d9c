/**
 * A tiny WebAssembly binary encoder: just enough to assemble the step passes of step_module.ts
 * (functions over i32 and f32 locals with 128-bit SIMD, one exported memory). Expressions are
 * byte arrays in stack order, so nesting calls reads like the arithmetic they compute:
 * `f32x4.mul(load(a), load(b))` pushes a, then b, then multiplies. Format: the WebAssembly core
 * specification 2.0, section 5 (binary format), with the fixed-width SIMD proposal's opcodes.
 */

/** Bytes of code, in stack order. */
export type Code = number[];

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const cat = (...parts: Code[]): Code => parts.flat();
const simd = (op: number): Code => [0xfd, ...uleb(op)];
/** memarg: alignment (log2 bytes) and a constant byte offset. */
const memarg = (align: number, offset: number): Code => [...uleb(align), ...uleb(offset)];

export const local = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number, v: Code): Code => [...v, 0x21, ...uleb(i)],
};

export const i32 = {
  const: (n: number): Code => [0x41, ...sleb(n)],
  add: (a: Code, b: Code): Code => cat(a, b, [0x6a]),
  sub: (a: Code, b: Code): Code => cat(a, b, [0x6b]),
  mul: (a: Code, b: Code): Code => cat(a, b, [0x6c]),
  /** Unsigned a >= b. */
  geU: (a: Code, b: Code): Code => cat(a, b, [0x4f]),
};

export const f32 = {
  const: (x: number): Code => {
    const b = new Uint8Array(new Float32Array([x]).buffer);
    return [0x43, ...b];
  },
  load: (addr: Code, offset = 0): Code => cat(addr, [0x2a], memarg(2, offset)),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, [0x38], memarg(2, offset)),
};

export const f32x4 = {
  splat: (v: Code): Code => cat(v, simd(0x13)),
  add: (a: Code, b: Code): Code => cat(a, b, simd(0xe4)),
  sub: (a: Code, b: Code): Code => cat(a, b, simd(0xe5)),
  mul: (a: Code, b: Code): Code => cat(a, b, simd(0xe6)),
};

/** i8x16.shuffle picking four 32-bit lanes: 0-3 from a, 4-7 from b. */
export function shuffle32(
  a: Code,
  b: Code,
  lanes: readonly [number, number, number, number],
): Code {
  const bytes = lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
  return cat(a, b, simd(0x0d), bytes);
}

export const v128 = {
  /** 16 bytes at addr + offset (alignment hint 4 bytes: the passes' rows are float-aligned). */
  load: (addr: Code, offset = 0): Code => cat(addr, simd(0x00), memarg(2, offset)),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, simd(0x0b), memarg(2, offset)),
};

/**
 * `for (i = 0; i < n; i += step) body`: i and n are locals (i is set to 0 first); step is a
 * constant.
 */
export function forLoop(i: number, n: Code, step: number, body: Code): Code {
  return cat(
    local.set(i, i32.const(0)),
    [0x02, 0x40], // block
    [0x03, 0x40], // loop
    i32.geU(local.get(i), n),
    [0x0d, 1], // br_if 1 (to the block's end: leave)
    body,
    local.set(i, i32.add(local.get(i), i32.const(step))),
    [0x0c, 0], // br 0 (to the loop's start)
    [0x0b], // end loop
    [0x0b], // end block
  );
}

/** A function: its parameter types, extra locals (after the parameters), and body. */
export interface FuncDef {
  name: string;
  params: number[];
  locals: number[];
  body: Code;
}

function section(id: number, contents: Code): Code {
  return [id, ...uleb(contents.length), ...contents];
}

function vec(items: Code[]): Code {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): Code {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * A module of `funcs` (each returns nothing and is exported by its name) and one memory of
 * `pages` 64 KiB pages, exported as `memory`.
 */
export function encodeModule(funcs: readonly FuncDef[], pages: number): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0x00]);
  const bodies = funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const exports = [
    ...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]),
    [...name('memory'), 0x02, 0],
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
