// torch.save / torch.load (safetensors): round trips of every dtype and of a module's state dict, the
// file's layout as the format defines it, float16/bfloat16 files (as PyTorch writes them: the values
// below are python3-torch's .half()/.bfloat16() of the same numbers), errors; and from/to the GPU.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
