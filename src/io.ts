/**
 * torch.save / torch.load of named tensors (a module's stateDict(), say) as a safetensors file: an 8-byte
 * little-endian header length, a JSON header ({ name: { dtype, shape, data_offsets } }, plus optional
 * "__metadata__" strings), then each tensor's bytes, row-major and little-endian. Python reads it with
 * `safetensors.torch.load_file`; troupe reads what that library writes, float16 and bfloat16 included
 * (converted to float32). A path ending in .pt, .pth or .bin is written in PyTorch's own zip format instead
 * (src/pt.ts), and load() reads either format, telling them apart by their first bytes.
 */
import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Tensor, fromTypedArray, tensor } from './tensor.ts';
import type { DType } from './runtime/protocol.ts';
import { loadPt, savePt } from './pt.ts';
import { bytesOf, half } from './io-bytes.ts';

const WRITE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', int64: 'I64', bool: 'BOOL' };
const BYTES: Record<string, number> = { F32: 4, F64: 8, I32: 4, I64: 8, BOOL: 1, F16: 2, BF16: 2, U8: 1, I8: 1, I16: 2, U16: 2, U32: 4, U64: 8 };

/** The metadata key under which save() keeps the shape of a nested object (a checkpoint). */
const STRUCTURE = 'troupe.structure';
const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** obj's tensors by dotted path, and obj with each tensor replaced by { __tensor__: its name }. */
function flatten(obj: unknown, tensors: Record<string, Tensor>, key: string): unknown {
  if (obj instanceof Tensor) {
    let k = key || 'tensor';
    for (let i = 1; k in tensors; i++) k = `${key}#${i}`;
    tensors[k] = obj;
    return { __tensor__: k };
  }
  const at = (k: string) => (key ? `${key}.${k}` : k);
  if (Array.isArray(obj)) return obj.map((v, i) => flatten(v, tensors, at(String(i))));
  if (isPlain(obj)) return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, flatten(v, tensors, at(k))]));
  if (typeof obj === 'number') return Number.isFinite(obj) ? obj : { __number__: String(obj) };
  if (obj === null || typeof obj === 'string' || typeof obj === 'boolean') return obj;
  const what = typeof obj === 'function' ? 'a function or module (save its stateDict())' : typeof obj;
  throw new Error(`save(): ${key || 'the object'} is ${what}; save takes tensors, numbers, strings, booleans, null, arrays and plain objects of them`);
}
function unflatten(s: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(s)) return s.map((v) => unflatten(v, tensors));
  if (isPlain(s)) {
    if (typeof s.__tensor__ === 'string' && Object.keys(s).length === 1) return tensors[s.__tensor__];
    if (typeof s.__number__ === 'string' && Object.keys(s).length === 1) return Number(s.__number__);
    return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, unflatten(v, tensors)]));
  }
  return s;
}

/** The extensions save() writes in PyTorch's zip format (torch.save's own; others are safetensors). */
const PT_EXTENSIONS = ['.pt', '.pth', '.bin'];

/**
 * Writes tensors (from any device) to `path` as safetensors, or, when the path ends in .pt, .pth or .bin,
 * as PyTorch's own torch.save file (a zip: torch.load reads it; a flat object of tensors is an
 * OrderedDict, as a state_dict is, and numbers that are integers are Python ints). A flat object of tensors (a state dict) is
 * the file's tensors by name, readable anywhere safetensors is; anything nested (a checkpoint such as
 * { model: net.stateDict(), optim: opt.stateDict(), epoch: 5 }) also keeps its shape, numbers and
 * strings in the header's metadata, and load() gives it back whole. metadata: strings kept in the
 * header's "__metadata__".
 */
export async function save(obj: Record<string, unknown>, path: string, metadata: Record<string, string> = {}): Promise<void> {
  if (!isPlain(obj)) throw new Error('save(): expected an object of named tensors (a module\'s stateDict(), say), or a plain object holding them');
  if (PT_EXTENSIONS.includes(extname(path).toLowerCase())) {
    if (Object.keys(metadata).length) throw new Error(`save(): metadata is kept in a safetensors header; a PyTorch file (${extname(path)}) has no place for it (put it in the object)`);
    const parts = await savePt(obj);
    const f = await open(path, 'w');
    try { for (const p of parts) await f.writeFile(p); } finally { await f.close(); }
    return;
  }
  let tensors = obj as Record<string, Tensor>;
  if (!Object.values(obj).every((v) => v instanceof Tensor)) {
    tensors = {};
    metadata = { ...metadata, [STRUCTURE]: JSON.stringify(flatten(obj, tensors, '')) };
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new Error(`save(): ${name} is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    if (name === '__metadata__') throw new Error('save(): "__metadata__" is the header\'s own key, not a tensor name');
    const b = await bytesOf(name, t);
    header[name] = { dtype: WRITE[t.dtype], shape: [...t.shape], data_offsets: [at, at + b.length] };
    parts.push(b);
    at += b.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // (the data then starts 8-byte aligned)
  const head = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.length));
  const f = await open(path, 'w');
  try {
    await f.writeFile(len);
    await f.writeFile(head);
    for (const p of parts) await f.writeFile(p);
  } finally {
    await f.close();
  }
}

/** The first bytes of torch.save's pre-1.6 format: PROTO 2, then LONG1 of its magic number. */
const LEGACY_PT = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

/**
 * Reads a safetensors file into named tensors (on `device`, the CPU by default), or a PyTorch file
 * (torch.save's zip, whatever the extension) into what it holds (src/pt.ts). float16 and bfloat16
 * become float32; other integer types than int32/int64 and bool are refused by safetensors, by name
 * (a .pt file's uint8/int8/int16 load as int32).
 */
export async function load<T = Record<string, Tensor>>(path: string, o: { device?: string } = {}): Promise<T> {
  const buf = await readFile(path);
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) return loadPt(buf, path, o) as T; // (a zip: 'PK\x03\x04')
  if (buf.subarray(0, LEGACY_PT.length).equals(LEGACY_PT)) throw new Error(`load(): ${path} is in torch.save's pre-1.6 format (_use_new_zipfile_serialization=False), which troupe does not read; save it again with PyTorch's default`);
  if (buf.length < 8) throw new Error(`load(): ${path} is not a safetensors file (${buf.length} bytes)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (!(n > 1 && 8 + n <= buf.length)) throw new Error(`load(): ${path} is not a safetensors file (its header length ${n} does not fit its ${buf.length} bytes)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try { header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')); } catch (e) { throw new Error(`load(): ${path}: the header is not JSON (${(e as Error).message})`); }
  const data = buf.subarray(8 + n);
  const out: Record<string, Tensor> = {};
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [b0, b1] } = h;
    const size = BYTES[dtype];
    const count = shape.reduce((a, b) => a * b, 1);
    if (size === undefined) throw new Error(`load(): ${name} has dtype ${dtype}, which safetensors does not define`);
    if (!(b0 >= 0 && b1 <= data.length && b1 - b0 === count * size)) throw new Error(`load(): ${name}: its byte range [${b0}, ${b1}) does not hold ${count} values of ${dtype}`);
    const raw = data.subarray(b0, b1);
    const aligned = new Uint8Array(raw).buffer; // (a copy: typed arrays need aligned offsets)
    let t: Tensor;
    switch (dtype) {
      case 'F32': t = fromTypedArray(new Float32Array(aligned)); break;
      case 'F64': t = fromTypedArray(new Float64Array(aligned)); break;
      case 'I32': t = fromTypedArray(new Int32Array(aligned)); break;
      case 'I64': {
        const big = new BigInt64Array(aligned), v = new Float64Array(count);
        for (let i = 0; i < count; i++) {
          if (big[i] > BigInt(Number.MAX_SAFE_INTEGER) || big[i] < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`load(): ${name} holds ${big[i]}, past the int64 values troupe keeps exactly (2^53)`);
          v[i] = Number(big[i]);
        }
        t = tensor(v.length ? Array.from(v) : [], { dtype: 'int64' });
        break;
      }
      case 'BOOL': t = tensor(Array.from(new Uint8Array(aligned), (b) => b !== 0)); break;
      case 'F16': case 'BF16': {
        const u16 = new Uint16Array(aligned), f = new Float32Array(count);
        const bits = new Uint32Array(f.buffer);
        for (let i = 0; i < count; i++) { if (dtype === 'BF16') bits[i] = u16[i] << 16; else f[i] = half(u16[i]); }
        t = fromTypedArray(f);
        break;
      }
      default: throw new Error(`load(): ${name} has dtype ${dtype}, which troupe has no tensor type for (float32, float64, int32, int64, bool; float16 and bfloat16 load as float32)`);
    }
    t = t.reshape(shape);
    out[name] = o.device && o.device !== 'cpu' ? t.to(o.device) : t;
  }
  const meta = (header as Record<string, unknown>).__metadata__ as Record<string, string> | undefined;
  return (meta?.[STRUCTURE] ? unflatten(JSON.parse(meta[STRUCTURE]), out) : out) as T;
}
