// torch.save / torch.load (safetensors): round trips of every dtype and of a module's state dict, the
// file's layout as the format defines it, float16/bfloat16 files (as PyTorch writes them: the values
// below are python3-torch's .half()/.bfloat16() of the same numbers), errors; and from/to the GPU.
// PyTorch's own .pt files: the fixtures test/fixtures/pt-*.pt and the values they hold
// (pt-expected.json) are python3-torch 1.13's, made by scripts/torch-pt.py; what troupe writes is loaded
// back by troupe and, where python3-torch is installed (the project does not install it: skipped with a line where
// it is missing), by PyTorch.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../src/index.ts';
import { gpuForTests, values } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'troupe-io-'));
const available = await gpuForTests('io');

/** A safetensors file from a header and raw bytes, as the format defines it. */
function writeRaw(path: string, header: object, data: Buffer): void {
  const h = Buffer.from(JSON.stringify(header));
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(path, Buffer.concat([n, h, data]));
}

describe('save and load (safetensors)', () => {
  it('round-trips every dtype, shapes (0-d, empty), views, and a module\'s state dict', async () => {
    const x = torch.arange(12).reshape(3, 4).float();
    const tensors = {
      f32: x.t(), // (a view: saved row-major)
      f64: torch.tensor([1.5, -2.25], { dtype: 'float64' }),
      i64: torch.tensor([[1, -2], [3, 2 ** 40]]),
      i32: torch.tensor(7, { dtype: 'int32' }),
      bool: torch.tensor([true, false, true]),
      empty: torch.zeros([0, 3]),
    };
    const path = join(dir, 'all.safetensors');
    await torch.save(tensors, path, { framework: 'troupe' });
    const back = await torch.load(path);
    expect(Object.keys(back)).toEqual(Object.keys(tensors));
    for (const [k, t] of Object.entries(tensors)) {
      expect([k, back[k].dtype, back[k].shape]).toEqual([k, t.dtype, t.shape]);
      expect(await back[k].tolist()).toEqual(await t.tolist());
    }
    // The layout: an 8-byte header length, JSON (8-byte aligned), then the bytes in order.
    const buf = readFileSync(path);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    expect(header.__metadata__).toEqual({ framework: 'troupe' });
    expect(header.f32).toEqual({ dtype: 'F32', shape: [4, 3], data_offsets: [0, 48] });
    expect(header.i64).toEqual({ dtype: 'I64', shape: [2, 2], data_offsets: [64, 96] });
    expect(new Float32Array(new Uint8Array(buf.subarray(8 + n, 8 + n + 12)).buffer)).toEqual(new Float32Array([0, 4, 8]));
    expect(buf.length).toBe(8 + n + 48 + 16 + 32 + 4 + 3);

    const net = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.BatchNorm1d(2));
    await torch.save(net.stateDict(), join(dir, 'net.safetensors'));
    const other = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.BatchNorm1d(2));
    other.loadStateDict(await torch.load(join(dir, 'net.safetensors')));
    expect(await values(other.parameters()[0])).toEqual(await values(net.parameters()[0]));
  });

  it('reads float16 and bfloat16 as float32 (PyTorch\'s values), and says what it cannot read', async () => {
    const h16 = Buffer.from(new Uint16Array([0x3e00, 0xc080, 0x7bff, 0x0001]).buffer); // 1.5, -2.25, 65504, 2^-24
    const bf = Buffer.from(new Uint16Array([0x3fc0, 0xff62, 0x3dcd]).buffer); // 1.5, -3.0e38, 0.1 (rounded)
    const path = join(dir, 'half.safetensors');
    writeRaw(path, { h16: { dtype: 'F16', shape: [4], data_offsets: [0, 8] }, bf: { dtype: 'BF16', shape: [3], data_offsets: [8, 14] } }, Buffer.concat([h16, bf]));
    const t = await torch.load(path);
    expect(t.h16.dtype).toBe('float32');
    expect(await t.h16.tolist()).toEqual([1.5, -2.25, 65504, 5.960464477539063e-8]);
    expect(await t.bf.tolist()).toEqual([1.5, -3.00405527047391e+38, 0.10009765625]);
    const u8 = join(dir, 'u8.safetensors');
    writeRaw(u8, { x: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, Buffer.from([1, 2]));
    await expect(torch.load(u8)).rejects.toThrow('x has dtype U8, which troupe has no tensor type for');
    const short = join(dir, 'short.safetensors');
    writeRaw(short, { x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8));
    await expect(torch.load(short)).rejects.toThrow('x: its byte range [0, 8) does not hold 3 values of F32');
    writeFileSync(join(dir, 'junk'), 'hello');
    await expect(torch.load(join(dir, 'junk'))).rejects.toThrow('is not a safetensors file');
    await expect(torch.save({ big: torch.tensor([2 ** 60]) }, join(dir, 'big.safetensors'))).rejects.toThrow('which int64 cannot store exactly here');
    await expect(torch.save({ x: () => 3 }, join(dir, 'x.safetensors'))).rejects.toThrow('save(): x is a function or module (save its stateDict())');
  });

  it('a checkpoint (model, optimizer state, epoch) saved and loaded resumes training exactly', async () => {
    const make = () => {
      torch.manualSeed(3);
      const net = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.Tanh(), new torch.nn.Linear(8, 3));
      return { net, opt: new torch.optim.Adam(net.parameters(), { lr: 0.05 }) };
    };
    torch.manualSeed(9);
    const X = torch.randn([16, 4]), Y = torch.randint(0, 3, [16]);
    const step = async (m: ReturnType<typeof make>) => {
      m.opt.zeroGrad();
      const l = torch.nn.functional.crossEntropy(m.net(X), Y);
      await l.backward();
      m.opt.step();
      return (await l.item()) as number;
    };
    const a = make();
    for (let i = 0; i < 3; i++) await step(a);
    const sd = a.opt.stateDict();
    expect(Object.keys(sd.state[0]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'step']); // (PyTorch's names)
    expect(sd.paramGroups[0].params).toEqual([0, 1, 2, 3]);
    const path = join(dir, 'ckpt.safetensors');
    await torch.save({ model: a.net.stateDict(), optim: sd, epoch: 3, note: 'adam' }, path);
    const more: number[] = [];
    for (let i = 0; i < 3; i++) more.push(await step(a));
    const ck = await torch.load<{ model: Record<string, torch.Tensor>; optim: torch.optim.OptimizerStateDict; epoch: number; note: string }>(path);
    expect([ck.epoch, ck.note]).toEqual([3, 'adam']);
    const b = make();
    b.net.loadStateDict(ck.model);
    b.opt.loadStateDict(ck.optim);
    const resumed: number[] = [];
    for (let i = 0; i < 3; i++) resumed.push(await step(b));
    expect(resumed).toEqual(more);
    expect(() => b.opt.loadStateDict({ state: {}, paramGroups: [] })).toThrow('loaded state dict has a different number of parameter groups');
  });

  it.runIf(available)('saves GPU tensors and loads onto the GPU', async () => {
    const g = torch.arange(6, { device: 'gpu' }).reshape(2, 3).float().mul(0.5);
    const path = join(dir, 'gpu.safetensors');
    await torch.save({ g, i: torch.tensor([4, 5], { device: 'gpu' }) }, path);
    const back = await torch.load(path, { device: 'gpu' });
    expect(back.g.device).toBe('gpu');
    expect(await back.g.tolist()).toEqual([[0, 0.5, 1], [1.5, 2, 2.5]]);
    expect(await back.i.tolist()).toEqual([4, 5]);
  });
});

const fixtures = join(import.meta.dirname, 'fixtures');
type Expected = { dtype: string; shape: number[]; values: unknown };
const expected = JSON.parse(readFileSync(join(fixtures, 'pt-expected.json'), 'utf8')) as {
  net: Record<string, Expected>; input: number[][]; output: number[][]; dtypes: Record<string, Expected>;
};
/** The troupe dtype a PyTorch dtype loads as. */
const troupeDtype = (d: string) => ({ 'torch.float32': 'float32', 'torch.float16': 'float32', 'torch.bfloat16': 'float32', 'torch.float64': 'float64', 'torch.int32': 'int32', 'torch.uint8': 'int32', 'torch.int8': 'int32', 'torch.int16': 'int32', 'torch.int64': 'int64', 'torch.bool': 'bool' } as Record<string, string>)[d];
const PYTHON = '/usr/bin/python3';
const havePyTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 60_000 }).status === 0;

/** The names and data offsets of a zip's entries, from its central directory (the test's own reading). */
function zipLayout(buf: Buffer): { name: string; method: number; data: number; size: number }[] {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const out = [];
  for (let i = 0, p = buf.readUInt32LE(end + 16); i < buf.readUInt16LE(end + 10); i++) {
    const n = buf.readUInt16LE(p + 28), local = buf.readUInt32LE(p + 42);
    out.push({
      name: buf.toString('utf8', p + 46, p + 46 + n), method: buf.readUInt16LE(p + 10), size: buf.readUInt32LE(p + 24),
      data: local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28),
    });
    p += 46 + n + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out;
}

describe('save and load (PyTorch .pt files)', () => {
  it('reads torch.save\'s files: every dtype, 0-d and empty tensors, views sharing a storage, nested values', async () => {
    const path = join(fixtures, 'pt-dtypes.pt');
    const doc = await torch.load<{ tensors: Record<string, torch.Tensor>; meta: unknown; list: unknown; nested: { a: { b: [torch.Tensor, { c: torch.Tensor }] } } }>(path);
    expect(Object.keys(doc.tensors)).toEqual(Object.keys(expected.dtypes));
    for (const [k, e] of Object.entries(expected.dtypes)) {
      const t = doc.tensors[k];
      expect([k, t.dtype, t.shape]).toEqual([k, troupeDtype(e.dtype), e.shape]);
      expect([k, await t.tolist()]).toEqual([k, e.values]);
    }
    // (base, its transposed slice and its last row are one storage in the file: 18 tensors, 16 records)
    const names = zipLayout(readFileSync(path)).map((e) => e.name);
    expect(names.filter((n) => n.startsWith('pt-dtypes/data/')).length).toBe(16);
    expect(await doc.tensors.view.tolist()).toEqual([[0.125, 0.625, 1.125], [0.25, 0.75, 1.25], [0.375, 0.875, 1.375]]);
    expect(doc.meta).toEqual({ epoch: 7, lr: 0.125, name: 'troupe', none: null, flag: true, big: 2 ** 40, neg: -70000 });
    expect(doc.list).toEqual([1, 'two', [3.5, null], [4, 5]]);
    expect(await doc.nested.a.b[0].tolist()).toEqual([1, 2, 3]);
    expect(doc.nested.a.b[0].dtype).toBe('int32');
    expect(await doc.nested.a.b[1].c.tolist()).toBe(true);
  });

  it('loads a PyTorch state_dict into nn.Sequential and gives PyTorch\'s forward output (STORED and DEFLATE files)', async () => {
    for (const file of ['pt-net.pt', 'pt-deflated.pt']) {
      const sd = await torch.load(join(fixtures, file));
      expect(Object.keys(sd)).toEqual(Object.keys(expected.net));
      for (const [k, e] of Object.entries(expected.net)) {
        expect([k, sd[k].dtype, sd[k].shape, await sd[k].tolist()]).toEqual([k, troupeDtype(e.dtype), e.shape, e.values]);
      }
      expect(await sd['3.num_batches_tracked'].item()).toBe(3);
      const net = new torch.nn.Sequential(new torch.nn.Linear(4, 5), new torch.nn.ReLU(), new torch.nn.Linear(5, 3), new torch.nn.BatchNorm1d(3));
      net.loadStateDict(sd);
      net.eval();
      const y = await net(torch.tensor(expected.input)).tolist() as number[][];
      expect(y.length).toBe(2);
      y.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected.output[i][j], 6)));
    }
  });

  it('writes PyTorch\'s zip format for .pt/.pth/.bin: troupe reads it back whole, load() goes by content', async () => {
    const base = torch.arange(12).reshape(3, 4).float().div(8);
    const tensors = {
      f32: base.t(), // (a view: saved row-major)
      f64: torch.tensor([1 / 3, -1e300], { dtype: 'float64' }),
      i64: torch.tensor([[1, -2], [3, 2 ** 40]]),
      i32: torch.tensor([7, -(2 ** 31)], { dtype: 'int32' }),
      bool: torch.tensor([true, false, true]),
      scalar: torch.tensor(2.5),
      empty: torch.zeros([0, 3]),
    };
    const ckpt = { model: tensors, epoch: 3, lr: 0.125, big: -(2 ** 40), note: 'adam', none: null, flag: false, list: [1, [2.5, 'x'], []], empty: {} };
    for (const ext of ['pt', 'pth', 'bin']) {
      const path = join(dir, `ckpt.${ext}`);
      await torch.save(ckpt, path);
      const buf = readFileSync(path);
      expect(buf.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));
      const back = await torch.load<typeof ckpt>(path);
      expect(Object.keys(back)).toEqual(Object.keys(ckpt));
      expect({ ...back, model: null }).toEqual({ ...ckpt, model: null });
      for (const [k, t] of Object.entries(tensors)) {
        const b = back.model[k as keyof typeof tensors];
        expect([k, b.dtype, b.shape, await b.tolist()]).toEqual([k, t.dtype, t.shape, await t.tolist()]);
      }
    }
    // The layout: records STORED, each one's data 64-byte aligned, as PyTorch writes them.
    const layout = zipLayout(readFileSync(join(dir, 'ckpt.pt')));
    expect(layout.map((e) => e.name)).toEqual(['archive/data.pkl', 'archive/byteorder', ...[0, 1, 2, 3, 4, 5, 6].map((i) => `archive/data/${i}`), 'archive/version']);
    expect(layout.every((e) => e.method === 0 && e.data % 64 === 0)).toBe(true);
    const buf = readFileSync(join(dir, 'ckpt.pt'));
    const record = (name: string) => { const e = layout.find((x) => x.name === name)!; return buf.subarray(e.data, e.data + e.size); };
    expect(record('archive/version').toString()).toBe('3\n');
    expect(record('archive/byteorder').toString()).toBe('little');
    expect(new Float32Array(new Uint8Array(record('archive/data/0')).buffer)).toEqual(new Float32Array([0, 0.5, 1, 0.125, 0.625, 1.125, 0.25, 0.75, 1.25, 0.375, 0.875, 1.375]));
    // A state dict round trip into a module; a .pt renamed .safetensors still loads (by content), and
    // .safetensors paths still write safetensors.
    const net = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.BatchNorm1d(2));
    await torch.save(net.stateDict(), join(dir, 'net.pth'));
    renameSync(join(dir, 'net.pth'), join(dir, 'net-pt.safetensors'));
    const other = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.BatchNorm1d(2));
    other.loadStateDict(await torch.load(join(dir, 'net-pt.safetensors')));
    expect(await values(other.parameters()[0])).toEqual(await values(net.parameters()[0]));
    await torch.save(net.stateDict(), join(dir, 'net2.safetensors'));
    expect(readFileSync(join(dir, 'net2.safetensors')).subarray(0, 2).toString('latin1')).not.toBe('PK');
    await expect(torch.save({ x: base }, join(dir, 'm.pt'), { a: 'b' })).rejects.toThrow('a PyTorch file (.pt) has no place for it');
    await expect(torch.save({ big: torch.tensor([2 ** 60]) }, join(dir, 'big.pt'))).rejects.toThrow('which int64 cannot store exactly here');
    await expect(torch.save({ x: () => 3 }, join(dir, 'f.pt'))).rejects.toThrow('save(): x is a function or module (save its stateDict())');
  });

  it('PyTorch loads what troupe writes, with the same values', async (ctx) => {
    if (!havePyTorch) {
      console.log(`io.test: ${PYTHON} with torch not found, skipping the check that PyTorch loads troupe's .pt files`);
      ctx.skip();
    }
    const sd = await torch.load(join(fixtures, 'pt-net.pt'));
    const path = join(dir, 'for-torch.pt');
    await torch.save({
      model: sd, f64: torch.tensor([1 / 3, -1e300], { dtype: 'float64' }), i32: torch.tensor([[7, -(2 ** 31)]], { dtype: 'int32' }),
      i64: torch.tensor([2 ** 40, -(2 ** 53 - 1)]), bool: torch.tensor([true, false]), view: torch.arange(6).reshape(2, 3).float().t(),
      scalar: torch.tensor(2.5), empty: torch.zeros([0, 3]), meta: { epoch: 7, lr: 0.125, name: 'troupe', none: null, flag: true, list: [1, [2.5]], big: -(2 ** 40) },
    }, path);
    // PyTorch loads it, runs the model the state dict came from, and prints what it holds.
    const script = `
import json, sys, torch
d = torch.load(sys.argv[1])
net = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3), torch.nn.BatchNorm1d(3))
net.load_state_dict(d['model'])
net.eval()
t = lambda v: {'dtype': str(v.dtype), 'shape': list(v.shape), 'values': v.tolist()}
out = {k: t(v) for k, v in d.items() if isinstance(v, torch.Tensor)}
out['model'] = type(d['model']).__name__
out['meta'] = d['meta']
out['output'] = net(torch.tensor(json.loads(sys.argv[2]))).tolist()
print(json.dumps(out))`;
    const r = spawnSync(PYTHON, ['-c', script, path, JSON.stringify(expected.input)], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.model).toBe('OrderedDict');
    expect(got.output).toEqual(expected.output); // (the same weights in PyTorch: the same bits)
    expect(got.f64).toEqual({ dtype: 'torch.float64', shape: [2], values: [1 / 3, -1e300] });
    expect(got.i32).toEqual({ dtype: 'torch.int32', shape: [1, 2], values: [[7, -(2 ** 31)]] });
    expect(got.i64).toEqual({ dtype: 'torch.int64', shape: [2], values: [2 ** 40, -(2 ** 53 - 1)] });
    expect(got.bool).toEqual({ dtype: 'torch.bool', shape: [2], values: [true, false] });
    expect(got.view).toEqual({ dtype: 'torch.float32', shape: [3, 2], values: [[0, 3], [1, 4], [2, 5]] });
    expect(got.scalar).toEqual({ dtype: 'torch.float32', shape: [], values: 2.5 });
    expect(got.empty).toEqual({ dtype: 'torch.float32', shape: [0, 3], values: [] });
    expect(got.meta).toEqual({ epoch: 7, lr: 0.125, name: 'troupe', none: null, flag: true, list: [1, [2.5]], big: -(2 ** 40) });
  });

  it('says what it cannot read: a class of its own, complex tensors, the pre-1.6 format, a truncated or damaged file', async () => {
    await expect(torch.load(join(fixtures, 'pt-custom.pt'))).rejects.toThrow('cannot load mylib.Note from a .pt file: only tensors, dicts, lists, tuples, numbers, strings and None are supported');
    await expect(torch.load(join(fixtures, 'pt-complex.pt'))).rejects.toThrow('holds a tensor of storage type torch.ComplexFloatStorage, which troupe has no tensor type for');
    await expect(torch.load(join(fixtures, 'pt-legacy.pt'))).rejects.toThrow('is in torch.save\'s pre-1.6 format (_use_new_zipfile_serialization=False), which troupe does not read');
    const whole = readFileSync(join(fixtures, 'pt-net.pt'));
    writeFileSync(join(dir, 'cut.pt'), whole.subarray(0, whole.length - 100));
    await expect(torch.load(join(dir, 'cut.pt'))).rejects.toThrow('cut.pt is not a complete zip file (no end of central directory record); a .pt file is the zip torch.save writes. Truncated?');
    const damaged = Buffer.from(whole);
    const w = zipLayout(damaged).find((e) => e.name === 'pt-net/data/0')!;
    damaged[w.data + 5] ^= 1;
    writeFileSync(join(dir, 'damaged.pt'), damaged);
    await expect(torch.load(join(dir, 'damaged.pt'))).rejects.toThrow('the zip record pt-net/data/0 is damaged (its size or CRC-32 does not match)');
  });
});
