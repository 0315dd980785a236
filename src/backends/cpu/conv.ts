/**
 * The CPU's 2-D convolution of float32 data (protocol.ts ConvOp): forward, input gradient and weight
 * gradient (and max pooling, forward and backward), each one call into a WebAssembly kernel (wasm/conv.c) that gathers the windows itself, one
 * micro-panel at a time, and multiplies them in float64 as mm.c does. Bit-identical to the composition
 * functional.ts's convolution runs elsewhere (windows gathered as a tensor, a matmul per image, the fold as
 * a scatter-add, the weight gradient summed over images by a reduction): see conv.c.
 *
 * On the main thread the module runs on the arena (the shared memory of large tensors) in place, with its
 * temporaries in the kernels' scratch there (or in a block of the arena held for the call, when they need
 * more); elsewhere on a memory private to this thread, as matmul.ts's: the operands copied in (native
 * copies of contiguous float32 data), the result copied out (a memory grown past 64 MiB is dropped after).
 */
import type { ConvOp, View } from '../../runtime/protocol.ts';
import { instantiateShared, wasmFile } from './wasm-module.ts';
import { arenaAddress } from './arena.ts';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;

interface ConvExports {
  conv_scratch_bytes(geo: number, mode: number): number;
  conv_forward(geo: number, x: number, w: number, bias: number, out: number, scratch: number): void;
  conv_input_grad(geo: number, w: number, g: number, out: number, scratch: number): void;
  conv_weight_grad(geo: number, x: number, g: number, out: number, scratch: number): void;
  pool_max_forward(geo: number, x: number, out: number): void;
  pool_max_grad(geo: number, x: number, g: number, out: number, scratch: number): void;
}

const file = wasmFile(new URL('./wasm/conv.wasm', import.meta.url));
let state: { mem: WebAssembly.Memory; ex: ConvExports } | null | undefined;
let disabled = !!process.env.TROUPE_NO_WASM;

/** Turns the convolution kernel off (true: convolutions go back to the composition) or on again (tests, benchmarks). */
export function disableConvKernel(off: boolean): void { disabled = off; }

function kernel(): typeof state {
  if (disabled) return null;
  if (state === undefined) state = instantiateShared<ConvExports>(file, 65536);
  return state;
}

/** Kernel calls on this thread so far (tests: the kernel really ran). */
/** (temp: calls whose temporaries took a block of the arena) */
export const convCalls = { n: 0, temp: 0 };

/** Whether runConv can run on this thread (the module compiled, and it is not turned off). */
export function convKernelAvailable(): boolean { return kernel() != null; }

const align = (n: number) => Math.ceil(n / 64) * 64;

/** Where the kernel runs: a WebAssembly memory and the instance on it. */
interface Place { mem: WebAssembly.Memory; ex: ConvExports }
const onArena = new WeakMap<WebAssembly.Memory, ConvExports>();
/** The tensors' own memory (the arena) and room in it for the kernel's temporaries, when the caller has them. */
export interface ConvArena {
  memory: WebAssembly.Memory;
  /** temp: arena memory for a while, where the kernel needs more than the scratch */
  scratch: { at: number; bytes: number; temp?: { alloc(bytes: number): number | null; release(at: number): void } } | null;
}
/** A private memory grown past this is let go after the op (a memory never shrinks). */
const KEEP_PRIVATE = 64 << 20;

/**
 * Runs a ConvOp whole. Its views are contiguous float32 (the frontend makes them so); geo:
 * [N, C, H, W, O, G, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW]. With `arena`, operands that live there are
 * read and written in place (others copied into the arena's scratch, or a block held for the call);
 * else everything is copied into this thread's own memory and back.
 */
export function runConv(op: ConvOp, R: (buf: number) => Arr, arena: ConvArena | null = null): void {
  const s = kernel();
  if (!s) throw new Error('internal: conv op without the WebAssembly kernel');
  convCalls.n++;
  const [N, C, H, W, O, G, kh, kw, , , , , , , OH, OW] = op.geo;
  const xn = N * C * H * W, wn = O * (C / G) * kh * kw, yn = N * O * OH * OW;
  let inputs: Array<[View, number]>, outN: number, scratch: number;
  switch (op.mode) {
    case 'forward': inputs = [[op.x!, xn], [op.w!, wn], ...(op.bias ? [[op.bias, O] as [View, number]] : [])]; outN = yn; scratch = -1; break;
    case 'input': inputs = [[op.w!, wn], [op.g!, yn]]; outN = xn; scratch = -1; break;
    case 'weight': inputs = [[op.x!, xn], [op.g!, yn]]; outN = wn; scratch = -1; break;
    case 'maxPool': inputs = [[op.x!, xn]]; outN = yn; scratch = 0; break;
    case 'maxPoolGrad': inputs = [[op.x!, xn], [op.g!, yn]]; outN = xn; scratch = 4 * OH * OW + 8 * kh * kw; break;
  }
  const all: Array<[View, number]> = [...inputs, [op.out, outN]];
  // In place: each operand's address in the arena, or null (copied into the scratch).
  let place: Place = s, base = 0, addr: Array<number | null> = all.map(() => null), temp: number | null = null;
  if (arena?.scratch) {
    const ex = onArena.get(arena.memory) ?? new WebAssembly.Instance(file.module(), { env: { memory: arena.memory } }).exports as unknown as ConvExports;
    onArena.set(arena.memory, ex);
    const found = all.map(([v]) => { const a = arenaAddress(R(v.buf), arena.memory); return a === null ? null : a + 4 * v.offset; });
    new Int32Array(arena.memory.buffer, arena.scratch.at, 16).set(op.geo);
    if (scratch < 0) scratch = ex.conv_scratch_bytes(arena.scratch.at, MODES[op.mode as keyof typeof MODES]);
    let need = 64;
    for (let i = 0; i < all.length; i++) if (found[i] === null) need += align(4 * all[i][1]);
    if (need + scratch <= arena.scratch.bytes) { place = { mem: arena.memory, ex }; base = arena.scratch.at; addr = found; }
    else if ((temp = arena.scratch.temp?.alloc(need + scratch) ?? null) !== null) {
      place = { mem: arena.memory, ex }; base = temp; addr = found;
      convCalls.temp++;
      new Int32Array(arena.memory.buffer, base, 16).set(op.geo);
    }
  }
  // Layout from base (bytes): geo | operands copied… | scratch.
  const at: number[] = [];
  let top = base + 64;
  for (let i = 0; i < all.length; i++) {
    const a = addr[i];
    if (a !== null) at.push(a);
    else { at.push(top); top += align(4 * all[i][1]); }
  }
  const { mem, ex } = place;
  if (place === s) {
    const grow = (bytes: number) => { if (bytes > mem.buffer.byteLength) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536)); };
    grow(top);
    new Int32Array(mem.buffer, 0, 16).set(op.geo);
    if (scratch < 0) scratch = ex.conv_scratch_bytes(0, MODES[op.mode as keyof typeof MODES]);
    grow(top + scratch);
  }
  const f32 = new Float32Array(mem.buffer);
  for (let i = 0; i < inputs.length; i++) {
    if (addr[i] !== null) continue;
    const [v, n] = inputs[i], src = R(v.buf) as Float32Array;
    f32.set(src.subarray(v.offset, v.offset + n), at[i] / 4);
  }
  const outAt = at[all.length - 1];
  try {
    call(ex, op, base, at, outAt, top);
    if (addr[all.length - 1] === null) (R(op.out.buf) as Float32Array).set(f32.subarray(outAt / 4, outAt / 4 + outN), op.out.offset);
  } finally {
    if (temp !== null) arena!.scratch!.temp!.release(temp);
    if (place === s && mem.buffer.byteLength > KEEP_PRIVATE) state = undefined;
  }
}
function call(ex: ConvExports, op: ConvOp, base: number, at: number[], outAt: number, top: number): void {
  switch (op.mode) {
    case 'forward': ex.conv_forward(base, at[0], at[1], op.bias ? at[2] : 0, outAt, top); break;
    case 'input': ex.conv_input_grad(base, at[0], at[1], outAt, top); break;
    case 'weight': ex.conv_weight_grad(base, at[0], at[1], outAt, top); break;
    case 'maxPool': ex.pool_max_forward(base, at[0], outAt); break;
    case 'maxPoolGrad': ex.pool_max_grad(base, at[0], at[1], outAt, top); break;
  }
}
const MODES = { forward: 0, input: 1, weight: 2 } as const;
