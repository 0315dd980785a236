/**
 * The CPU's 2-D convolution of float32 data (protocol.ts ConvOp): forward, input gradient and weight
 * gradient, each one call into a WebAssembly kernel (wasm/conv.c) that gathers the windows itself, one
 * micro-panel at a time, and multiplies them in float64 as mm.c does. Bit-identical to the composition
 * functional.ts's convolution runs elsewhere (windows gathered as a tensor, a matmul per image, the fold as
 * a scatter-add, the weight gradient summed over images by a reduction): see conv.c.
 *
 * Like matmul.ts, the module runs on a memory private to this thread: the operands are copied in (native
 * copies of contiguous float32 data), the result copied out.
 */
import type { ConvOp } from '../../runtime/protocol.ts';
import { wasmFile } from './wasm-module.ts';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;

interface ConvExports {
  conv_scratch_bytes(geo: number, mode: number): number;
  conv_forward(geo: number, x: number, w: number, bias: number, out: number, scratch: number): void;
  conv_input_grad(geo: number, w: number, g: number, out: number, scratch: number): void;
  conv_weight_grad(geo: number, x: number, g: number, out: number, scratch: number): void;
}

const file = wasmFile(new URL('./wasm/conv.wasm', import.meta.url));
let state: { mem: WebAssembly.Memory; ex: ConvExports } | null | undefined;
let disabled = !!process.env.TROUPE_NO_WASM;

/** Turns the convolution kernel off (true: convolutions go back to the composition) or on again (tests, benchmarks). */
export function disableConvKernel(off: boolean): void { disabled = off; }

function kernel(): typeof state {
  if (disabled) return null;
  if (state === undefined) {
    try {
      if (!file.supported()) state = null;
      else {
        const mem = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
        state = { mem, ex: new WebAssembly.Instance(file.module(), { env: { memory: mem } }).exports as unknown as ConvExports };
      }
    } catch { state = null; }
  }
  return state;
}

/** Kernel calls on this thread so far (tests: the kernel really ran). */
export const convCalls = { n: 0 };

/** Whether runConv can run on this thread (the module compiled, and it is not turned off). */
export function convKernelAvailable(): boolean { return kernel() != null; }

const MODES = { forward: 0, input: 1, weight: 2 } as const;
const align = (n: number) => Math.ceil(n / 64) * 64;

/**
 * Runs a ConvOp whole. Its views are contiguous float32 (the frontend makes them so); geo:
 * [N, C, H, W, O, G, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW].
 */
export function runConv(op: ConvOp, R: (buf: number) => Arr): void {
  const s = kernel();
  if (!s) throw new Error('internal: conv op without the WebAssembly kernel');
  convCalls.n++;
  const [N, C, H, W, O, G, kh, kw, , , , , , , OH, OW] = op.geo;
  const xn = N * C * H * W, wn = O * (C / G) * kh * kw, yn = N * O * OH * OW;
  const mode = MODES[op.mode];
  const inputs = op.mode === 'forward' ? [op.x!, op.w!, ...(op.bias ? [op.bias] : [])] : op.mode === 'input' ? [op.w!, op.g!] : [op.x!, op.g!];
  const sizes = op.mode === 'forward' ? [xn, wn, O] : op.mode === 'input' ? [wn, yn] : [xn, yn];
  const outN = op.mode === 'forward' ? yn : op.mode === 'input' ? xn : wn;
  // Layout (bytes): geo | inputs… | out | scratch.
  const at: number[] = [];
  let top = 64;
  for (let i = 0; i < inputs.length; i++) { at.push(top); top += align(4 * sizes[i]); }
  const outAt = top;
  top += align(4 * outN);
  const scratchAt = top;
  const grow = (bytes: number) => {
    const have = s.mem.buffer.byteLength;
    if (bytes > have) s.mem.grow(Math.ceil((bytes - have) / 65536));
  };
  grow(scratchAt);
  new Int32Array(s.mem.buffer, 0, 16).set(op.geo);
  grow(scratchAt + s.ex.conv_scratch_bytes(0, mode));
  const f32 = new Float32Array(s.mem.buffer);
  for (let i = 0; i < inputs.length; i++) {
    const v = inputs[i], src = R(v.buf) as Float32Array;
    f32.set(src.subarray(v.offset, v.offset + sizes[i]), at[i] / 4);
  }
  if (op.mode === 'forward') s.ex.conv_forward(0, at[0], at[1], op.bias ? at[2] : 0, outAt, scratchAt);
  else if (op.mode === 'input') s.ex.conv_input_grad(0, at[0], at[1], outAt, scratchAt);
  else s.ex.conv_weight_grad(0, at[0], at[1], outAt, scratchAt);
  (R(op.out.buf) as Float32Array).set(f32.subarray(outAt / 4, outAt / 4 + outN), op.out.offset);
}
