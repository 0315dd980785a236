// Packed sequences (torch.nn.utils.rnn: PackedSequence, packPaddedSequence, padPackedSequence,
// packSequence, unpackSequence, unpadSequence) and nn.RNN/LSTM/GRU on packed input against PyTorch 1.13
// (test/fixtures/packed.json, from scripts/torch-packed.py, which writes its inputs and weights too):
// values, final states, gradients of a weighted sum w.r.t. the inputs, initial states and weights,
// printed forms and errors; finite differences in float64; the GPU's results against the CPU's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/packed.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const { nn } = torch;
const R = nn.utils.rnn;
type Packed = torch.nn.utils.rnn.PackedSequence;
/** An input or weight the script made, as float32 of the given shape (optionally requiring grad). */
const inp = (k: string, shape: number[], grad = false) => {
  const t = torch.tensor(REF[`in_${k}`] as number[], { dtype: 'float32' }).reshape(shape);
  return grad ? t.requiresGrad_() : t;
};
/** The script's fixed weighting of an output, so every element's gradient differs. */
const ramp = (t: torch.Tensor) => torch.arange(t.numel()).reshape(t.shape).float().div(10).sub(0.7);
/**
 * Float32 values against PyTorch's: |a − b| ≤ 1e-5·(|b| + 0.1·max|b|), i.e. 1e-5 relative, and for values
 * near zero (sums that nearly cancel, where the order of the additions shows) 1e-6 of the tensor's largest.
 */
async function close(t: torch.Tensor, want: number[], what: string): Promise<void> {
  const v = await values(t), scale = Math.max(...want.map(Math.abs));
  expect(v.length, `${what}: size`).toBe(want.length);
  v.forEach((a, i) => expect(Math.abs(a - want[i]), `${what}[${i}]: ${a} against ${want[i]}`).toBeLessThanOrEqual(1e-5 * (Math.abs(want[i]) + 0.1 * scale)));
}
const available = await gpuForTests('packed', { composite: true });

describe('packing and unpacking', () => {
  type PackCase = { lengths: number[]; batch_first: boolean; enforce_sorted: boolean; data: number[]; shape: number[]; batch_sizes: number[]; sorted: number[] | null;
    unsorted: number[] | null; padded: number[]; padded_shape: number[]; lengths_out: number[]; grad: number[]; default_pad: number[]; unpacked: number[][] };
  for (const k of ['sorted', 'unsorted', 'ties', 'bf_unsorted', 'short']) {
    it(`packPaddedSequence / padPackedSequence / unpackSequence (${k}): PyTorch's values, order, lengths and gradient`, async () => {
      const c = REF[`pack_${k}`] as PackCase;
      const x = inp('x', [5, 4, 3], true);
      const input = c.batch_first ? x.transpose(0, 1) : x;
      const p = R.packPaddedSequence(input, c.lengths, { batchFirst: c.batch_first, enforceSorted: c.enforce_sorted });
      expect(p).toBeInstanceOf(R.PackedSequence);
      expect(p.data.shape).toEqual(c.shape);
      expect(await values(p.data)).toEqual(c.data); // a gather: exact
      expect([p.batchSizes.dtype, p.batchSizes.device]).toEqual(['int64', 'cpu']);
      expect(await values(p.batchSizes)).toEqual(c.batch_sizes);
      expect(p.sortedIndices ? await values(p.sortedIndices) : null).toEqual(c.sorted);
      expect(p.unsortedIndices ? await values(p.unsortedIndices) : null).toEqual(c.unsorted);
      const [data, bs, si, ui] = p;
      expect([data, bs, si, ui]).toEqual([p.data, p.batchSizes, p.sortedIndices, p.unsortedIndices]);
      const [pad, lens] = R.padPackedSequence(p, { batchFirst: c.batch_first, paddingValue: -2.5, totalLength: 6 });
      expect(pad.shape).toEqual(c.padded_shape);
      expect(await values(pad)).toEqual(c.padded);
      expect([lens.dtype, lens.device, await values(lens)]).toEqual(['int64', 'cpu', c.lengths_out]);
      await pad.mul(ramp(pad)).sum().backward();
      await close(x.grad!, c.grad, 'grad');
      expect(await values(R.padPackedSequence(p, { batchFirst: c.batch_first })[0])).toEqual(c.default_pad);
      const seqs = R.unpackSequence(p);
      expect(await Promise.all(seqs.map((s) => values(s)))).toEqual(c.unpacked);
      expect(seqs.map((s) => s.shape)).toEqual(c.lengths.map((l) => [l, 3]));
      // the lengths as a CPU tensor too
      const p2 = R.packPaddedSequence(input, torch.tensor(c.lengths), { batchFirst: c.batch_first, enforceSorted: c.enforce_sorted });
      expect(await values(p2.data)).toEqual(c.data);
    });
  }

  it('packSequence, unpadSequence', async () => {
    const seqs = [torch.tensor([1, 2]), torch.tensor([3, 4, 5]), torch.tensor([6])];
    for (const [k, p] of [['pack_sequence', R.packSequence(seqs, { enforceSorted: false })], ['pack_sequence_sorted', R.packSequence([seqs[1], seqs[0], seqs[2]])]] as const) {
      const want = REF[k] as { data: number[]; batch_sizes: number[]; sorted: number[] | null; unsorted: number[] | null };
      expect(p.data.dtype).toBe('int64');
      expect([await values(p.data), await values(p.batchSizes), p.sortedIndices && await values(p.sortedIndices), p.unsortedIndices && await values(p.unsortedIndices)])
        .toEqual([want.data, want.batch_sizes, want.sorted, want.unsorted]);
    }
    const x = inp('x', [5, 4, 3]);
    const u = R.unpadSequence(x.narrow(1, 0, 3), torch.tensor([2, 5, 3]));
    expect(await Promise.all(u.map((s) => values(s)))).toEqual(REF.unpad);
    const ub = R.unpadSequence(x.narrow(0, 0, 3).transpose(0, 1), [2, 1, 3], { batchFirst: true });
    expect(await Promise.all(ub.map((s) => values(s)))).toEqual(REF.unpad_bf);
  });

  it("printed as PyTorch's repr; to(), the constructor", async () => {
    const want = REF.repr as Record<string, string>;
    const xi = torch.arange(12).float().reshape(4, 3, 1);
    const seqs = [torch.tensor([1, 2]), torch.tensor([3, 4, 5]), torch.tensor([6])];
    expect(await R.packPaddedSequence(xi, [2, 4, 2], { enforceSorted: false }).format()).toBe(want.unsorted);
    expect(await R.packPaddedSequence(xi, torch.tensor([4, 2, 2])).format()).toBe(want.sorted);
    expect(await R.packSequence(seqs, { enforceSorted: false }).format()).toBe(want.ints);
    const d = R.packPaddedSequence(xi, [4, 2, 1]).to({ dtype: 'float64' });
    expect(await d.format()).toBe(want.double);
    expect(String(d)).toBe('PackedSequence(data=Tensor(shape=[7, 1], dtype=float64, device=cpu), batch_sizes=tensor([3, 2, 1, 1]), sorted_indices=None, unsorted_indices=None) — use await p.format() for values');
    // PyTorch's constructor: unsortedIndices, when not given, is the inverse of sortedIndices
    const p = new R.PackedSequence(torch.arange(6).float(), [3, 2, 1], torch.tensor([2, 0, 1]));
    expect(await values(p.unsortedIndices!)).toEqual([1, 2, 0]);
    const [pad, lens] = R.padPackedSequence(p, { batchFirst: true }); // sequence 2 went first: 0, 3, 5
    expect([await values(pad), await values(lens)]).toEqual([[1, 4, 0, 2, 0, 0, 0, 3, 5], [2, 1, 3]]);
    expect(() => new R.PackedSequence(torch.ones([5]), [3, 1])).toThrow('data has 5 rows but batch_sizes add up to 4');
    expect(() => new R.PackedSequence(torch.ones([4]), [1, 3])).toThrow('batch_sizes must be positive and non-increasing');
    expect(() => new R.PackedSequence(torch.ones([4]), [3, 1], [0, 0, 1])).toThrow('sorted_indices must be a permutation');
  });

  it("PyTorch's errors", () => {
    const E = REF.errors as Record<string, string>;
    const x3 = torch.arange(12).float().reshape(4, 3, 1), pk = R.packPaddedSequence(x3, [4, 2, 2]);
    const cases: Record<string, () => unknown> = {
      not_sorted: () => R.packPaddedSequence(x3, [2, 4, 2]),
      not_sorted_seq: () => R.packSequence([torch.ones([1]), torch.ones([2])]),
      zero_length: () => R.packPaddedSequence(x3, [4, 2, 0]),
      negative_unsorted: () => R.packPaddedSequence(x3, [4, -2, 1], { enforceSorted: false }),
      lengths_count: () => R.packPaddedSequence(x3, [4, 2]),
      empty: () => R.packPaddedSequence(torch.ones([0, 3]), [1, 1, 1]),
      empty_seq: () => R.packSequence([torch.ones([0, 3])]),
      no_sequences: () => R.packSequence([]),
      total_length: () => R.padPackedSequence(pk, { totalLength: 3 }),
      input_size: () => new nn.GRU(2, 2)(pk),
      hidden_size: () => new nn.GRU(1, 2)(pk, torch.zeros([1, 2, 2])),
      hidden_size_lstm: () => new nn.LSTM(1, 2, { numLayers: 2 })(pk, [torch.zeros([2, 3, 2]), torch.zeros([1, 3, 2])]),
      hidden_2d: () => new nn.RNN(1, 2)(pk, torch.zeros([1, 3])),
    };
    for (const [k, f] of Object.entries(cases)) {
      let msg: string | null = null;
      try { f(); } catch (e) { msg = (e as Error).message; }
      expect(msg, k).toBe(E[k]);
    }
    // where PyTorch reads past the input (a length above T), troupe refuses
    expect(() => R.packPaddedSequence(x3, [5, 2, 1])).toThrow('a length (5) is larger than the input\'s number of time steps (4)');
    // lengths as numbers are truncated to integers, as torch.as_tensor(lengths, dtype=torch.int64)
    expect(R.packPaddedSequence(x3, [4.5, 2.9, 1]).batchSizes.shape).toEqual([4]);
  });
});

type RnnCase = {
  mode: 'LSTM' | 'GRU' | 'RNN' | 'RNN_RELU'; layers: number; bidir: boolean; bf: boolean; lengths: number[]; sorted: boolean; hx: boolean; bias: boolean;
  out_packed: number[]; out_shape: number[]; batch_sizes: number[]; sorted_indices: number[] | null; padded: number[]; padded_shape: number[];
  hn: number[]; hn_shape: number[]; cn?: number[]; grad_x: number[]; grad_h0?: number[]; grad_c0?: number[]; grads: Record<string, number[]>;
};
type AnyRnn = (x: Packed, hx?: torch.Tensor | [torch.Tensor, torch.Tensor] | null) => [Packed, torch.Tensor | [torch.Tensor, torch.Tensor]];
function makeRnn(c: Pick<RnnCase, 'mode' | 'layers' | 'bidir' | 'bf' | 'bias'>, I: number, H: number, dtype?: 'float64'): AnyRnn & Pick<torch.nn.Module, 'namedParameters'> {
  const o = { numLayers: c.layers, bidirectional: c.bidir, batchFirst: c.bf, bias: c.bias, dtype };
  const m = c.mode === 'LSTM' ? new nn.LSTM(I, H, o) : c.mode === 'GRU' ? new nn.GRU(I, H, o) : new nn.RNN(I, H, { ...o, nonlinearity: c.mode === 'RNN' ? 'tanh' : 'relu' });
  return m as unknown as AnyRnn & Pick<torch.nn.Module, 'namedParameters'>;
}
/** An RNN's final states as [h, c] (c null for a GRU or an RNN). */
const split = (state: torch.Tensor | [torch.Tensor, torch.Tensor]): [torch.Tensor, torch.Tensor | null] => (state instanceof torch.Tensor ? [state, null] : state);

describe('RNN, LSTM, GRU on packed input', () => {
  const I = 3, H = 4;
  for (const k of ['lstm', 'gru_2l_bi_bf', 'rnn_bi', 'rnn_relu_2l', 'lstm_2l_bi_bf', 'gru_nobias_one', 'lstm_bi_nohx', 'gru_equal']) {
    it(`${k}: PyTorch's output, final states and gradients (input, states, weights)`, async () => {
      const c = REF[`rnn_${k}`] as RnnCase;
      const m = makeRnn(c, I, H);
      torch.noGrad(() => { for (const [n, p] of m.namedParameters()) p.copy_(inp(`${k}_${n}`, p.shape)); });
      const B = c.lengths.length, T = Math.max(...c.lengths), D = c.bidir ? 2 : 1, L = c.layers;
      const x = inp(`${k}_x`, c.bf ? [B, T, I] : [T, B, I], true);
      let h0: torch.Tensor | null = null, c0: torch.Tensor | null = null;
      if (c.hx) { h0 = inp(`${k}_h0`, [L * D, B, H], true); if (c.mode === 'LSTM') c0 = inp(`${k}_c0`, [L * D, B, H], true); }
      const p = R.packPaddedSequence(x, c.lengths, { batchFirst: c.bf, enforceSorted: c.sorted });
      const [po, state] = m(p, c.mode === 'LSTM' ? (h0 ? [h0, c0!] : null) : h0);
      const [hn, cn] = split(state);
      expect(po).toBeInstanceOf(R.PackedSequence);
      expect(po.data.shape).toEqual(c.out_shape);
      expect(await values(po.batchSizes)).toEqual(c.batch_sizes);
      expect(po.sortedIndices ? await values(po.sortedIndices) : null).toEqual(c.sorted_indices);
      await close(po.data, c.out_packed, `${k} output`);
      const [pad] = R.padPackedSequence(po, { batchFirst: c.bf });
      expect(pad.shape).toEqual(c.padded_shape);
      await close(pad, c.padded, `${k} padded`);
      expect(hn.shape).toEqual(c.hn_shape);
      await close(hn, c.hn, `${k} hn`);
      if (cn) await close(cn, c.cn!, `${k} cn`);
      let loss = pad.mul(ramp(pad)).sum().add(hn.mul(ramp(hn).flip(0)).sum());
      if (cn) loss = loss.add(cn.mul(ramp(cn).flip(1)).sum());
      await loss.backward();
      await close(x.grad!, c.grad_x, `${k} grad x`);
      if (h0) await close(h0.grad!, c.grad_h0!, `${k} grad h0`);
      if (c0) await close(c0.grad!, c.grad_c0!, `${k} grad c0`);
      const names = m.namedParameters().map(([n]) => n);
      expect(names).toEqual(Object.keys(c.grads));
      for (const [n, prm] of m.namedParameters()) await close(prm.grad!, c.grads[n], `${k} grad ${n}`);
    });
  }

  it('the final states are each sequence\'s last valid step, as the unpacked RNN run on that sequence alone', async () => {
    torch.manualSeed(3);
    for (const mode of ['LSTM', 'GRU', 'RNN'] as const) {
      const m = makeRnn({ mode, layers: 2, bidir: true, bf: false, bias: true }, I, H);
      const lengths = [2, 5, 1, 4], x = torch.randn([5, 4, I]);
      const [po, state] = m(R.packPaddedSequence(x, lengths, { enforceSorted: false }));
      const [hn] = split(state);
      const [pad] = R.padPackedSequence(po);
      for (let b = 0; b < 4; b++) {
        const xb = x.index(':', b).narrow(0, 0, lengths[b]).unsqueeze(1); // [L_b, 1, I]
        const [ob, sb] = (m as unknown as (x: torch.Tensor) => [torch.Tensor, torch.Tensor | [torch.Tensor, torch.Tensor]])(xb);
        const hb = Array.isArray(sb) ? sb[0] : sb;
        const got = await values(hn.index(':', b)), want = await values(hb.index(':', 0));
        got.forEach((v, i) => expect(Math.abs(v - want[i]), `${mode} hn ${b}`).toBeLessThan(1e-6));
        const go = await values(pad.index(':', b).narrow(0, 0, lengths[b])), wo = await values(ob.squeeze(1));
        go.forEach((v, i) => expect(Math.abs(v - wo[i]), `${mode} out ${b}`).toBeLessThan(1e-6));
      }
    }
  });

  it('gradients match finite differences (float64): inputs, initial states, weights', async () => {
    const lengths = [2, 3, 1];
    for (const mode of ['LSTM', 'GRU', 'RNN'] as const) {
      torch.manualSeed(4);
      const m = makeRnn({ mode, layers: 2, bidir: true, bf: true, bias: true }, 2, 2, 'float64');
      const run = (x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) => {
        const [po, state] = m(R.packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false }), mode === 'LSTM' ? [h, c] : h);
        const [pad] = R.padPackedSequence(po, { batchFirst: true, totalLength: 4 });
        const [hn, cn] = split(state);
        const parts = [pad, hn, cn ?? c.mul(0)].map((t) => t.reshape([-1]));
        return torch.cat(parts);
      };
      await gradcheck(run, [[3, 3, 2], [4, 3, 2], [4, 3, 2]]);
      for (const name of ['weight_hh_l0_reverse', 'weight_ih_l1', 'bias_hh_l0']) {
        const prm = (m as unknown as Record<string, torch.Tensor>)[name];
        await gradcheck((w) => {
          const old = (m as unknown as Record<string, torch.Tensor>)[name];
          (m as unknown as Record<string, torch.Tensor>)[name] = w;
          try {
            const x = torch.linspace(-1, 1, 18, { dtype: 'float64' }).reshape(3, 3, 2);
            const [po, state] = m(R.packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false }));
            return torch.cat([po.data.reshape([-1]), split(state)[0].reshape([-1])]);
          } finally { (m as unknown as Record<string, torch.Tensor>)[name] = old; }
        }, [prm.shape]);
      }
    }
  });

  it('the padded path is unchanged; dropout between layers applies to packed data', async () => {
    torch.manualSeed(6);
    const m = new nn.GRU(3, 4, { numLayers: 2, dropout: 1 });
    const x = torch.randn([3, 2, 3]);
    const [po] = m(R.packPaddedSequence(x, [3, 2]));
    const [o] = m(x);
    // dropout 1 zeroes the first layer's output: the second layer sees zeros either way
    const [pad] = R.padPackedSequence(po);
    const a = await values(pad.index(0)), b = await values(o.index(0));
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-6));
  });
});

describe.runIf(available)('on the GPU', () => {
  it("the CPU's packing, outputs, final states and gradients", async () => {
    torch.manualSeed(8);
    const src = torch.randn([4, 5, 3]), h0src = torch.randn([4, 4, 4]);
    const m = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    const run = async (dev: string) => {
      m.to(dev);
      const x = src.to(dev).detach().requiresGrad_(), h0 = h0src.to(dev).detach().requiresGrad_();
      const p = R.packPaddedSequence(x, [3, 5, 1, 4], { batchFirst: true, enforceSorted: false });
      expect(p.data.device).toBe(dev);
      const [po, [hn, cn]] = m(p, [h0, h0.mul(0.5)]);
      const [pad, lens] = R.padPackedSequence(po, { batchFirst: true, paddingValue: 0.25, totalLength: 6 });
      expect([pad.device, lens.device]).toEqual([dev, 'cpu']);
      // the lengths' values are known here while the GPU's work is queued
      expect(R.unpadSequence(pad, lens, { batchFirst: true }).map((s) => s.shape[0])).toEqual([3, 5, 1, 4]);
      await pad.mul(ramp(pad).to(dev)).sum().add(hn.mul(2).sum()).add(cn.pow(2).sum()).backward();
      const out = [await values(pad), await values(hn), await values(cn), await values(x.grad!), await values(h0.grad!), await values((m as unknown as Record<string, torch.Tensor>).weight_hh_l1_reverse.grad!)];
      m.zeroGrad();
      return out;
    };
    const cpu = await run('cpu'), gpu = await run('gpu');
    m.to('cpu');
    for (let k = 0; k < cpu.length; k++) cpu[k].forEach((c, i) => expect(Math.abs(gpu[k][i] - c), `${k}:${i}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(c))));
    const seqs = R.unpackSequence(R.packSequence([torch.ones([2, 3]), torch.ones([4, 3])], { enforceSorted: false }).to('gpu'));
    expect(seqs.map((s) => [s.device, ...s.shape])).toEqual([['gpu', 2, 3], ['gpu', 4, 3]]);
    // indices whose values are on the GPU (not known here): padded back by a gather of the tensors
    const q = new R.PackedSequence(torch.arange(6).float().to('gpu'), [3, 2, 1], torch.tensor([2, 0, 1]).to('gpu'));
    const [qp, ql] = R.padPackedSequence(q, { batchFirst: true });
    expect([await values(q.unsortedIndices!), await values(qp), await values(ql)]).toEqual([[1, 2, 0], [1, 4, 0, 2, 0, 0, 0, 3, 5], [2, 1, 3]]);
    expect(() => R.packPaddedSequence(src, torch.tensor([4, 2, 1, 1]).to('gpu'))).toThrow("'lengths' argument should be a 1D CPU int64 tensor, but got 1D gpu:0 tensor");
  });
});
