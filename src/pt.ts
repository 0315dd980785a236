/**
 * PyTorch's own checkpoint files (.pt, .pth, .bin): the zip format of `torch.save` since PyTorch 1.6.
 * A zip of `<archive>/data.pkl` (a pickle of the object, each tensor a call of
 * torch._utils._rebuild_tensor_v2 on a storage named by a persistent id), `<archive>/data/<key>` (each
 * storage's raw little-endian bytes) and `<archive>/version`.
 *
 * Reading: a pickle unpickler for what torch.save writes (dicts, OrderedDicts, lists, tuples, numbers,
 * strings, None, tensors and Parameters; views into a shared storage with their offsets and strides),
 * giving plain JS: dicts as objects (keys as strings), lists and tuples as arrays, tensors as troupe
 * Tensors. float16/bfloat16 load as float32, uint8/int8/int16 as int32; anything else (a pickled class
 * of its own, a complex tensor) is refused by name.
 *
 * Writing: protocol 2, as torch.save does: an object whose values are all tensors (a state dict) as an
 * OrderedDict, other objects as dicts; each tensor its own contiguous storage; zip records STORED
 * (CRC-32 checked by readers), each record's data 64-byte aligned through the local header's "FB" extra
 * field as PyTorch's writer pads it.
 */
import { inflateRawSync } from 'node:zlib';
import { Tensor, fromTypedArray } from './tensor.ts';
import type { DType } from './runtime/protocol.ts';
import { bytesOf, half } from './io-bytes.ts';

// ================================================================ zip

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
/** CRC-32 (the zip/PNG one) of bytes. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface ZipEntry { name: string; method: number; crc: number; compressed: number; size: number; local: number }

/** The entries of a zip file, from its central directory (zip64 too). */
function zipEntries(buf: Buffer, file: string): Map<string, ZipEntry> {
  const bad = (why: string) => new Error(`load(): ${file} is not a complete zip file (${why}); a .pt file is the zip torch.save writes. Truncated?`);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw bad('no end of central directory record');
  let count = buf.readUInt16LE(eocd + 10), cdSize = buf.readUInt32LE(eocd + 12), cdOffset = buf.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z = Number(buf.readBigUInt64LE(eocd - 20 + 8));
    if (!(z >= 0 && z + 56 <= buf.length && buf.readUInt32LE(z) === 0x06064b50)) throw bad('a zip64 end record out of place');
    count = Number(buf.readBigUInt64LE(z + 32));
    cdSize = Number(buf.readBigUInt64LE(z + 40));
    cdOffset = Number(buf.readBigUInt64LE(z + 48));
  }
  if (cdOffset + cdSize > buf.length) throw bad(`its central directory [${cdOffset}, ${cdOffset + cdSize}) is past the ${buf.length} bytes`);
  const out = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw bad(`central directory entry ${i} is damaged`);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const e: ZipEntry = {
      name: buf.toString('utf8', p + 46, p + 46 + nameLen), method: buf.readUInt16LE(p + 10), crc: buf.readUInt32LE(p + 16),
      compressed: buf.readUInt32LE(p + 20), size: buf.readUInt32LE(p + 24), local: buf.readUInt32LE(p + 42),
    };
    // (zip64: the fields that are 0xffffffff are in the extra field 0x0001, in this order)
    for (let x = p + 46 + nameLen, end = x + extraLen; x + 4 <= end;) {
      const id = buf.readUInt16LE(x), len = buf.readUInt16LE(x + 2);
      if (id === 1) {
        let q = x + 4;
        if (e.size === 0xffffffff) { e.size = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (e.compressed === 0xffffffff) { e.compressed = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (e.local === 0xffffffff) { e.local = Number(buf.readBigUInt64LE(q)); q += 8; }
      }
      x += 4 + len;
    }
    out.set(e.name, e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** An entry's bytes (STORED or DEFLATE), its CRC-32 checked. */
function zipRead(buf: Buffer, e: ZipEntry, file: string): Uint8Array {
  const p = e.local;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) throw new Error(`load(): ${file}: the zip record ${e.name} is damaged (no local header at ${p})`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  if (start + e.compressed > buf.length) throw new Error(`load(): ${file}: the zip record ${e.name} runs past the end of the file (truncated?)`);
  const raw = buf.subarray(start, start + e.compressed);
  let data: Uint8Array;
  if (e.method === 0) data = raw;
  else if (e.method === 8) data = inflateRawSync(raw);
  else throw new Error(`load(): ${file}: the zip record ${e.name} is compressed with method ${e.method}; only STORED and DEFLATE are read`);
  if (data.length !== e.size || crc32(data) !== e.crc) throw new Error(`load(): ${file}: the zip record ${e.name} is damaged (its size or CRC-32 does not match)`);
  return data;
}

/** A zip of records, STORED, each one's data 64-byte aligned (padded in an "FB" extra field, as PyTorch's writer does). */
function zipWrite(records: [string, Uint8Array][]): Buffer[] {
  const parts: Buffer[] = [], central: Buffer[] = [];
  let at = 0;
  for (const [name, data] of records) {
    const nm = Buffer.from(name, 'utf8');
    const pad = (64 - ((at + 30 + nm.length + 4) % 64)) % 64;
    const crc = crc32(data);
    if (at + 30 + nm.length + 4 + pad + data.length > 0xfffffffe) throw new Error('save(): the .pt file would pass 4 GiB, which needs zip64; not written yet');
    const h = Buffer.alloc(30 + nm.length + 4 + pad, 'Z');
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(0, 6); h.writeUInt16LE(0, 8);
    h.writeUInt16LE(0, 10); h.writeUInt16LE(0, 12); h.writeUInt32LE(crc, 14); h.writeUInt32LE(data.length, 18);
    h.writeUInt32LE(data.length, 22); h.writeUInt16LE(nm.length, 26); h.writeUInt16LE(4 + pad, 28);
    nm.copy(h, 30);
    h.write('FB', 30 + nm.length, 'latin1'); h.writeUInt16LE(pad, 30 + nm.length + 2);
    const c = Buffer.alloc(46 + nm.length);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0, 8);
    c.writeUInt16LE(0, 10); c.writeUInt16LE(0, 12); c.writeUInt16LE(0, 14); c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20); c.writeUInt32LE(data.length, 24); c.writeUInt16LE(nm.length, 28);
    c.writeUInt32LE(at, 42); nm.copy(c, 46);
    parts.push(h, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    central.push(c);
    at += h.length + data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(records.length, 8); end.writeUInt16LE(records.length, 10);
  end.writeUInt32LE(cdSize, 12); end.writeUInt32LE(at, 16);
  return [...parts, ...central, end];
}

// ================================================================ reading

/** A storage type's element bytes and how troupe holds it. */
const STORAGES: Record<string, { bytes: number; dtype: DType; read: (b: Uint8Array, n: number) => ArrayLike<number> }> = {
  FloatStorage: { bytes: 4, dtype: 'float32', read: (b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) },
  DoubleStorage: { bytes: 8, dtype: 'float64', read: (b) => new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8) },
  IntStorage: { bytes: 4, dtype: 'int32', read: (b) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4) },
  ShortStorage: { bytes: 2, dtype: 'int32', read: (b) => new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2) },
  CharStorage: { bytes: 1, dtype: 'int32', read: (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength) },
  ByteStorage: { bytes: 1, dtype: 'int32', read: (b) => b },
  BoolStorage: { bytes: 1, dtype: 'bool', read: (b) => b },
  LongStorage: {
    bytes: 8, dtype: 'int64', read: (b, n) => {
      const big = new BigInt64Array(b.buffer, b.byteOffset, n), v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (big[i] > BigInt(Number.MAX_SAFE_INTEGER) || big[i] < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`load(): an int64 tensor holds ${big[i]}, past the int64 values troupe keeps exactly (2^53)`);
        v[i] = Number(big[i]);
      }
      return v;
    },
  },
  HalfStorage: { bytes: 2, dtype: 'float32', read: (b, n) => { const u = new Uint16Array(b.buffer, b.byteOffset, n), f = new Float32Array(n); for (let i = 0; i < n; i++) f[i] = half(u[i]); return f; } },
  BFloat16Storage: {
    bytes: 2, dtype: 'float32', read: (b, n) => {
      const u = new Uint16Array(b.buffer, b.byteOffset, n), f = new Float32Array(n), bits = new Uint32Array(f.buffer);
      for (let i = 0; i < n; i++) bits[i] = u[i] << 16;
      return f;
    },
  },
};

class Global { constructor(readonly module: string, readonly name: string) {} get full() { return `${this.module}.${this.name}`; } }
class Storage { constructor(readonly type: string, readonly key: string, readonly values: ArrayLike<number>) {} }
class PyObject { constructor(readonly cls: string) {} }
const MARK = Symbol('mark');

const refuse = (what: string) => new Error(`load(): cannot load ${what} from a .pt file: only tensors, dicts, lists, tuples, numbers, strings and None are supported`);

/** A contiguous tensor of the elements a view (storage, offset, size, stride) sees, in its row-major order. */
function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown): Tensor {
  if (!(storage instanceof Storage)) throw new Error('load(): _rebuild_tensor_v2 was given no storage');
  const sh = size as number[], st = stride as number[], off = offset as number;
  if (!Array.isArray(sh) || !Array.isArray(st) || sh.length !== st.length || typeof off !== 'number') throw new Error(`load(): the tensor on storage ${storage.key} has a malformed size/stride`);
  const n = sh.reduce((a, b) => a * b, 1);
  const { dtype } = STORAGES[storage.type], src = storage.values;
  if (n > 0) {
    let last = off;
    for (let d = 0; d < sh.length; d++) last += (sh[d] - 1) * st[d];
    if (off < 0 || last >= src.length) throw new Error(`load(): a tensor of size [${sh.join(', ')}] (offset ${off}, stride [${st.join(', ')}]) reaches past its storage ${storage.key} of ${src.length} elements`);
  }
  const out = dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float64Array(n);
  // (row-major walk of the view: an index per dimension, the storage position following it)
  const idx = new Array<number>(sh.length).fill(0);
  for (let i = 0, pos = off; i < n; i++) {
    out[i] = dtype === 'bool' ? (src[pos] ? 1 : 0) : src[pos];
    for (let d = sh.length - 1; d >= 0; d--) {
      if (++idx[d] < sh[d]) { pos += st[d]; break; }
      pos -= (sh[d] - 1) * st[d];
      idx[d] = 0;
    }
  }
  const t = fromTypedArray(out, [...sh]);
  return dtype === 'int64' ? t.to({ dtype: 'int64' }) : t;
}

/** Unpickles data.pkl (the subset torch.save writes), storages read through `storage(type, key, numel)`. */
function unpickle(b: Uint8Array, storage: (type: string, key: string, numel: number) => Storage): unknown {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const stack: unknown[] = [], marks: number[] = [], memo = new Map<number, unknown>();
  const dec = new TextDecoder();
  let p = 0;
  const need = (k: number) => { if (p + k > b.length) throw new Error('load(): data.pkl ends early (truncated?)'); };
  const u8 = () => { need(1); return b[p++]; };
  const u16 = () => { need(2); const v = dv.getUint16(p, true); p += 2; return v; };
  const u32 = () => { need(4); const v = dv.getUint32(p, true); p += 4; return v; };
  const u64 = () => { need(8); const v = Number(dv.getBigUint64(p, true)); p += 8; return v; };
  const bytes = (k: number) => { need(k); const v = b.subarray(p, p + k); p += k; return v; };
  const line = () => { const e = b.indexOf(10, p); if (e < 0) throw new Error('load(): data.pkl ends early (truncated?)'); const s = dec.decode(b.subarray(p, e)); p = e + 1; return s; };
  const pop = () => { if (!stack.length) throw new Error('load(): data.pkl is malformed (stack underflow)'); return stack.pop(); };
  const top = () => stack[stack.length - 1];
  const popMark = () => { const m = marks.pop(); if (m === undefined) throw new Error('load(): data.pkl is malformed (no MARK)'); return stack.splice(m); };
  const call = (f: unknown, args: unknown[]): unknown => {
    if (!(f instanceof Global)) throw new Error('load(): data.pkl is malformed (a call of something not a global)');
    switch (f.full) {
      case 'collections.OrderedDict': return new Map(args.length ? (args[0] as [unknown, unknown][]) : []);
      case 'torch._utils._rebuild_tensor_v2': case 'torch._utils._rebuild_tensor': return rebuildTensor(args[0], args[1], args[2], args[3]);
      case 'torch._utils._rebuild_parameter': case 'torch._utils._rebuild_parameter_with_state': return args[0];
      case 'torch._tensor._rebuild_from_type_v2': return call(args[0], args[2] as unknown[]);
      case 'builtins.set': case 'builtins.frozenset': return Array.isArray(args[0]) ? [...args[0]] : [];
      case 'copyreg._reconstructor': throw refuse(args[0] instanceof Global ? args[0].full : 'an object');
    }
    throw refuse(f.full);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME
      case 0x2e: return stack.pop(); // STOP
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: { need(4); stack.push(dv.getInt32(p, true)); p += 4; break; } // BININT
      case 0x8a: case 0x8b: { // LONG1, LONG4: little-endian two's complement
        const n = op === 0x8a ? u8() : u32(), v = bytes(n);
        let x = 0n;
        for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(v[i]);
        if (n && v[n - 1] & 0x80) x -= 1n << BigInt(8 * n);
        stack.push(Number(x));
        break;
      }
      case 0x47: { need(8); stack.push(dv.getFloat64(p, false)); p += 8; break; } // BINFLOAT (big-endian)
      case 0x49: { const s = line(); stack.push(s === '01' ? true : s === '00' ? false : Number(s)); break; } // INT
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break; // LONG
      case 0x46: stack.push(Number(line())); break; // FLOAT
      case 0x8c: stack.push(dec.decode(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x58: stack.push(dec.decode(bytes(u32()))); break; // BINUNICODE
      case 0x8d: stack.push(dec.decode(bytes(u64()))); break; // BINUNICODE8
      case 0x55: stack.push(Buffer.from(bytes(u8())).toString('latin1')); break; // SHORT_BINSTRING
      case 0x54: stack.push(Buffer.from(bytes(u32())).toString('latin1')); break; // BINSTRING
      case 0x43: stack.push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(bytes(u32()).slice()); break; // BINBYTES
      case 0x8e: stack.push(bytes(u64()).slice()); break; // BINBYTES8
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x8f: stack.push([]); break; // EMPTY_SET
      case 0x64: { const items = popMark(), d = new Map(); for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]); stack.push(d); break; } // DICT
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x91: stack.push(popMark()); break; // FROZENSET
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const y = pop(), x = pop(); stack.push([x, y]); break; } // TUPLE2
      case 0x87: { const z = pop(), y = pop(), x = pop(); stack.push([x, y, z]); break; } // TUPLE3
      case 0x61: { const v = pop(); (top() as unknown[]).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); (top() as unknown[]).push(...items); break; } // APPENDS
      case 0x90: { const items = popMark(); (top() as unknown[]).push(...items); break; } // ADDITEMS
      case 0x73: { const v = pop(), k = pop(); setItem(top(), k, v); break; } // SETITEM
      case 0x75: { const items = popMark(); for (let i = 0; i + 1 < items.length; i += 2) setItem(top(), items[i], items[i + 1]); break; } // SETITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(k)) throw new Error(`load(): data.pkl is malformed (memo ${k} was never put)`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: { const m = line(), n = line(); stack.push(new Global(m, n)); break; } // GLOBAL
      case 0x93: { const n = pop(), m = pop(); stack.push(new Global(String(m), String(n))); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(), f = pop(); stack.push(call(f, args as unknown[])); break; } // REDUCE
      case 0x81: { pop(); const cls = pop(); stack.push(newObject(cls)); break; } // NEWOBJ
      case 0x92: { pop(); pop(); const cls = pop(); stack.push(newObject(cls)); break; } // NEWOBJ_EX
      case 0x62: { // BUILD: an OrderedDict's own attributes (a state_dict's _metadata) are dropped
        pop();
        const o = top();
        if (o instanceof PyObject) throw refuse(o.cls);
        if (!(o instanceof Map || o instanceof Tensor)) throw refuse('an object with state');
        break;
      }
      case 0x51: { // BINPERSID: ('storage', storage_type, key, location, numel)
        const pid = pop() as unknown[];
        if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof Global)) throw new Error(`load(): data.pkl names a persistent object that is not a storage (${String(Array.isArray(pid) ? pid[0] : pid)})`);
        stack.push(storage(pid[1].full, String(pid[2]), Number(pid[4])));
        break;
      }
      default: throw new Error(`load(): data.pkl uses pickle opcode 0x${op.toString(16)} at byte ${p - 1}, which troupe does not read`);
    }
  }
  function setItem(d: unknown, k: unknown, v: unknown): void {
    if (!(d instanceof Map)) throw refuse(d instanceof PyObject ? d.cls : 'an object set by key that is not a dict');
    d.set(k, v);
  }
  function newObject(cls: unknown): unknown {
    if (cls instanceof Global && cls.full === 'collections.OrderedDict') return new Map();
    throw refuse(cls instanceof Global ? cls.full : 'an object');
  }
}

/** The unpickled value as plain JS (dicts as objects, tuples as arrays), tensors moved to `device`. */
function plain(v: unknown, device: string | undefined): unknown {
  if (v instanceof Tensor) return device && device !== 'cpu' ? v.to(device) : v;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x, device)]));
  if (Array.isArray(v)) return v.map((x) => plain(x, device));
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v instanceof Uint8Array) return v;
  if (v instanceof Global) throw refuse(v.full);
  if (v instanceof Storage) throw refuse(`a bare storage (torch.${v.type})`);
  if (v instanceof PyObject) throw refuse(v.cls);
  throw refuse(typeof v);
}

/** Reads a PyTorch zip checkpoint (the bytes of a .pt file). */
export function loadPt(buf: Buffer, file: string, o: { device?: string } = {}): unknown {
  const entries = zipEntries(buf, file);
  const pkl = [...entries.keys()].find((n) => /^[^/]*\/?data\.pkl$/.test(n));
  if (pkl === undefined) {
    const ts = [...entries.keys()].some((n) => n.endsWith('constants.pkl'));
    throw new Error(`load(): ${file} is a zip file without data.pkl${ts ? ' (a TorchScript archive from torch.jit.save, not torch.save)' : ''}; not a torch.save checkpoint`);
  }
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const storages = new Map<string, Storage>();
  const storage = (type: string, key: string, numel: number): Storage => {
    const name = type.startsWith('torch.') ? type.slice(6) : type;
    const kind = STORAGES[name];
    if (!kind || !type.startsWith('torch.')) throw new Error(`load(): ${file} holds a tensor of storage type ${type}, which troupe has no tensor type for (float32, float64, int32, int64, bool; float16/bfloat16 load as float32, uint8/int8/int16 as int32)`);
    let s = storages.get(key);
    if (!s) {
      const e = entries.get(`${prefix}data/${key}`);
      if (!e) throw new Error(`load(): ${file} has no record ${prefix}data/${key} for a tensor's storage`);
      const raw = zipRead(buf, e, file);
      if (raw.length < numel * kind.bytes) throw new Error(`load(): ${file}: storage ${key} holds ${raw.length} bytes, fewer than ${numel} elements of torch.${name}`);
      const aligned = new Uint8Array(raw.subarray(0, numel * kind.bytes)); // (a copy: typed arrays need aligned offsets)
      s = new Storage(name, key, kind.read(aligned, numel));
      storages.set(key, s);
    } else if (s.type !== name) throw new Error(`load(): ${file}: storage ${key} is read as both torch.${s.type} and ${type}, which troupe does not do`);
    return s;
  };
  return plain(unpickle(zipRead(buf, entries.get(pkl)!, file), storage), o.device);
}

// ================================================================ writing

const STORAGE_OF: Record<DType, string> = { float32: 'FloatStorage', float64: 'DoubleStorage', int32: 'IntStorage', int64: 'LongStorage', bool: 'BoolStorage' };
const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** A protocol-2 pickle writer. */
class Pickler {
  private chunks: Buffer[] = [];
  private op(...b: number[]) { this.chunks.push(Buffer.from(b)); }
  private raw(b: Buffer) { this.chunks.push(b); }
  str(s: string) { const b = Buffer.from(s, 'utf8'); const n = Buffer.alloc(5); n[0] = 0x58; n.writeUInt32LE(b.length, 1); this.raw(n); this.raw(b); }
  global(module: string, name: string) { this.raw(Buffer.from(`c${module}\n${name}\n`, 'utf8')); }
  int(v: number) {
    if (v >= 0 && v < 256) return this.op(0x4b, v);
    if (v >= 0 && v < 65536) return this.op(0x4d, v & 0xff, v >> 8);
    if (v >= -0x80000000 && v <= 0x7fffffff) { const b = Buffer.alloc(5); b[0] = 0x4a; b.writeInt32LE(v, 1); return this.raw(b); }
    // LONG1: the fewest little-endian two's complement bytes
    let x = BigInt(v);
    const out: number[] = [];
    for (;;) {
      const byte = Number(x & 0xffn);
      out.push(byte);
      x >>= 8n;
      if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
    }
    this.op(0x8a, out.length, ...out);
  }
  float(v: number) { const b = Buffer.alloc(9); b[0] = 0x47; b.writeDoubleBE(v, 1); this.raw(b); }
  mark() { this.op(0x28); }
  endTuple() { this.op(0x74); }
  tuple(items: (() => void)[]) {
    if (!items.length) return this.op(0x29);
    this.mark(); for (const f of items) f(); this.op(0x74);
  }
  orderedDict() { this.global('collections', 'OrderedDict'); this.op(0x29, 0x52); }
  emptyDict() { this.op(0x7d); }
  emptyList() { this.op(0x5d); }
  setItems() { this.op(0x75); }
  appends() { this.op(0x65); }
  none() { this.op(0x4e); }
  bool(v: boolean) { this.op(v ? 0x88 : 0x89); }
  persid() { this.op(0x51); }
  reduce() { this.op(0x52); }
  stop() { this.op(0x2e); }
  bytes(): Buffer { return Buffer.concat([Buffer.from([0x80, 2]), ...this.chunks]); }
}

/** The bytes of a PyTorch zip checkpoint of obj (tensors, dicts, arrays, numbers, strings, booleans, null). */
export async function savePt(obj: Record<string, unknown>, archive = 'archive'): Promise<Buffer[]> {
  const pk = new Pickler();
  const storages: [string, Uint8Array][] = [];
  const tensorOf = async (t: Tensor, name: string) => {
    const key = String(storages.length);
    storages.push([key, await bytesOf(name, t)]);
    const shape = [...t.shape], stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    pk.global('torch._utils', '_rebuild_tensor_v2');
    pk.mark();
    pk.tuple([() => pk.str('storage'), () => pk.global('torch', STORAGE_OF[t.dtype]), () => pk.str(key), () => pk.str('cpu'), () => pk.int(t.numel())]);
    pk.persid();
    pk.int(0);
    pk.tuple(shape.map((s) => () => pk.int(s)));
    pk.tuple(stride.map((s) => () => pk.int(s)));
    pk.bool(false);
    pk.orderedDict();
    pk.endTuple();
    pk.reduce();
  };
  const walk = async (v: unknown, key: string): Promise<void> => {
    if (v instanceof Tensor) return tensorOf(v, key || 'tensor');
    const at = (k: string) => (key ? `${key}.${k}` : k);
    if (Array.isArray(v)) {
      pk.emptyList();
      if (!v.length) return;
      pk.mark();
      for (let i = 0; i < v.length; i++) await walk(v[i], at(String(i)));
      return pk.appends();
    }
    if (isPlain(v)) {
      const entries = Object.entries(v);
      // (a state dict, every value a tensor, is an OrderedDict as PyTorch's is; other objects dicts)
      if (entries.length && entries.every(([, x]) => x instanceof Tensor)) pk.orderedDict(); else pk.emptyDict();
      if (!entries.length) return;
      pk.mark();
      for (const [k, x] of entries) { pk.str(k); await walk(x, at(k)); }
      return pk.setItems();
    }
    if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? pk.int(v) : pk.float(v);
    if (typeof v === 'string') return pk.str(v);
    if (typeof v === 'boolean') return pk.bool(v);
    if (v === null) return pk.none();
    const what = typeof v === 'function' ? 'a function or module (save its stateDict())' : typeof v;
    throw new Error(`save(): ${key || 'the object'} is ${what}; save takes tensors, numbers, strings, booleans, null, arrays and plain objects of them`);
  };
  await walk(obj, '');
  pk.stop();
  return zipWrite([
    [`${archive}/data.pkl`, pk.bytes()],
    [`${archive}/byteorder`, Buffer.from('little')],
    ...storages.map(([k, b]): [string, Uint8Array] => [`${archive}/data/${k}`, b]),
    [`${archive}/version`, Buffer.from('3\n')],
  ]);
}
