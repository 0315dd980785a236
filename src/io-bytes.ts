/**
 * Tensor bytes as checkpoint files store them, shared by the safetensors (io.ts) and PyTorch (pt.ts)
 * formats: row-major little-endian bytes of a tensor, and float16 bits as a number.
 */
import type { Tensor } from './tensor.ts';

/** The tensor's bytes as the file stores them (row-major, little-endian; int64 as 64-bit integers). */
export async function bytesOf(name: string, t: Tensor): Promise<Uint8Array> {
  const data = await t.contiguous().toTypedArray();
  if (t.dtype === 'int64') {
    const out = new BigInt64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isSafeInteger(v)) throw new Error(`save(): ${name} holds ${v}, which int64 cannot store exactly here (troupe keeps int64 as float64, exact to 2^53)`);
      out[i] = BigInt(v);
    }
    return new Uint8Array(out.buffer);
  }
  // (float32, float64, int32: the typed array's own bytes; bool: one byte, 0 or 1)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/** float16 bits to a float32 value. */
export function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
