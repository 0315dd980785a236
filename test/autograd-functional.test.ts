// torch.autograd.functional: vjp, jvp, jacobian (reverse mode, vectorize, forward mode), hessian, hvp and
// vhp against PyTorch 1.13's values in float64 (test/fixtures/autograd-functional.json, from
// scripts/torch-autograd-functional.py): functions of one and several inputs and outputs, tensor versus
// array (tuple) results, zero-filled results for independent inputs, createGraph results differentiated
// again, and the errors of strict mode and of bad arguments.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';

type T = torch.Tensor;
const { vjp, jvp, jacobian, hessian, hvp, vhp } = torch.autograd.functional;
const REF = JSON.parse(readFileSync(new URL('./fixtures/autograd-functional.json', import.meta.url), 'utf8')) as Record<string, any>;
const D = { dtype: 'float64' } as const;
const I = Object.fromEntries(Object.entries(REF.inputs as Record<string, unknown>).map(([k, v]) => [k, torch.tensor(v as number[], D)])) as Record<string, T>;
const { x0, xa, y0, v4, vx, vy, vx23, va, vb } = I;

const shapeOf = (v: unknown): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : []);
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
/** a tensor (not an array) with the reference's shape and values */
async function expectT(got: unknown, want: unknown, what: string, tol = 1e-10): Promise<void> {
  expect(got, `${what} is a tensor`).toBeInstanceOf(torch.Tensor);
  const t = got as T;
  expect([...t.shape], `${what} shape`).toEqual(shapeOf(want));
  const g = flat(await t.tolist()), w = flat(want);
  g.forEach((x, i) => expect(Math.abs(x - w[i]), `${what}[${i}]: ${x} vs ${w[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i]))));
}
/** an array of tensors, one per reference entry */
async function expectTs(got: unknown, want: unknown[], what: string): Promise<void> {
  expect(Array.isArray(got), `${what} is an array`).toBe(true);
  expect((got as T[]).length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) await expectT((got as T[])[i], want[i], `${what}[${i}]`);
}

const A46 = torch.arange(24, D).mul(0.7).add(1).sin().mul(0.5).reshape([4, 6]);
const f1 = (x: T) => torch.tanh(A46.matmul(x.reshape([-1]))).mul(x.pow(2).sum());
const f2 = (x: T, y: T): T[] => [x.index('0:2').mul(y.sum(0).sin()), x.exp().sum().mul(y.pow(2).sum())];
const s1 = (x: T) => x.pow(3).sum().add(x.prod().mul(x.index(0)));
const s2 = (x: T, y: T) => x.sin().sum().mul(y.cos().sum()).add(x.index('0:2').mul(y.index(0)).pow(2).sum()).add(x.index(2).mul(y.prod()));
const indep = (x: T, _y: T) => x.mul(2).add(x.pow(2));
const indepS = (x: T, _y: T) => x.pow(3).sum();
const linear = (x: T) => x.mul(3).sum();

describe('vjp', () => {
  it('a tensor function of a tensor: [output, vᵀJ], both tensors', async () => {
    const [o, r] = await vjp(f1, x0, v4);
    await expectT(o, REF.vjp.f1[0], 'output');
    await expectT(r, REF.vjp.f1[1], 'vjp');
  });
  it('array outputs and array inputs: arrays', async () => {
    const [o, r] = await vjp(f2, [xa, y0], [va, vb]);
    await expectTs(o, REF.vjp.f2[0], 'outputs');
    await expectTs(r, REF.vjp.f2[1], 'vjp');
  });
  it('v left out for a one-element output; an async function', async () => {
    const [o, r] = await vjp(async (x) => s1(x), xa);
    await expectT(o, REF.vjp.s1_nov[0], 'output');
    await expectT(r, REF.vjp.s1_nov[1], 'vjp');
  });
  it('an input the output does not depend on: zeros (strict: PyTorch\'s error)', async () => {
    const [, r] = await vjp(indep, [xa, y0], vx);
    await expectTs(r, REF.vjp.indep[1], 'vjp');
    await expect(vjp(indep, [xa, y0], vx, { strict: true })).rejects.toThrow(REF.errors.vjp_strict_indep);
  });
  it('an output that does not require grad: zeros (strict: PyTorch\'s error)', async () => {
    const [o, r] = await vjp(() => torch.ones([3], D), xa, vx);
    await expectT(o, REF.errors.vjp_nograd_out[0], 'output');
    await expectT(r, REF.errors.vjp_nograd_out[1], 'vjp');
    await expect(vjp(() => torch.ones([3], D), xa, vx, { strict: true })).rejects.toThrow(REF.errors.vjp_strict_nograd_out);
  });
  it('bad v and bad inputs or outputs: PyTorch\'s errors', async () => {
    const e = REF.errors;
    await expect(vjp(f1, x0)).rejects.toThrow(e.vjp_v_none);
    await expect(vjp(f2, [xa, y0], [va])).rejects.toThrow(e.vjp_v_len);
    await expect(vjp(f1, x0, [v4, v4])).rejects.toThrow(e.vjp_v_single);
    await expect(vjp(f2, [xa, y0], [va, vy])).rejects.toThrow(e.vjp_v_size);
    await expect(vjp(f1, x0, vx)).rejects.toThrow(e.vjp_v_size_single);
    await expect(vjp(f1, 3 as unknown as T, v4)).rejects.toThrow(/^The inputs given to vjp must be either a Tensor or a tuple of Tensors but the given inputs has type number\.$/);
    await expect(vjp(f1, [xa, 2] as unknown as T[], v4)).rejects.toThrow(/but the value at index 1 has type number\.$/);
    await expect(vjp(() => 3 as unknown as T, xa, vx)).rejects.toThrow(/^The outputs of the user-provided function given to vjp must be either a Tensor or a tuple of Tensors but the given outputs of the user-provided function has type number\.$/);
    expect(e.vjp_bad_input).toMatch(/given inputs has type/);
  });
});

describe('jvp (double-backward trick)', () => {
  it('a tensor function of a tensor', async () => {
    const [o, r] = await jvp(f1, x0, vx23);
    await expectT(o, REF.jvp.f1[0], 'output');
    await expectT(r, REF.jvp.f1[1], 'jvp');
  });
  it('array outputs and inputs: one Jv per output', async () => {
    const [o, r] = await jvp(f2, [xa, y0], [vx, vy]);
    await expectTs(o, REF.jvp.f2[0], 'outputs');
    await expectTs(r, REF.jvp.f2[1], 'jvp');
  });
  it('an independent input: its v does not count (strict: PyTorch\'s error); v left out for a many-element input', async () => {
    const [, r] = await jvp(indep, [xa, y0], [vx, vy]);
    await expectT(r, REF.jvp.indep[1], 'jvp');
    await expect(jvp(indep, [xa, y0], [vx, vy], { strict: true })).rejects.toThrow(REF.errors.jvp_strict_indep);
    await expect(jvp(f1, x0)).rejects.toThrow(REF.errors.jvp_v_none);
  });
});

describe('jacobian', () => {
  it('[2, 3] → [4]: a [4, 2, 3] tensor; an array of one input: an array of one block', async () => {
    await expectT(await jacobian(f1, x0), REF.jacobian.f1, 'jacobian');
    await expectTs(await jacobian(f1, [x0]), REF.jacobian.f1_tuple_in, 'jacobian');
  });
  it('two outputs, two inputs: blocks of shape output ++ input, per output per input', async () => {
    for (const [key, o] of [['f2', {}], ['f2_vec', { vectorize: true }], ['f2_fwd', { vectorize: true, strategy: 'forward-mode' as const }]] as const) {
      const j = await jacobian(f2, [xa, y0], o) as T[][];
      expect(j.length).toBe(2);
      for (let i = 0; i < 2; i++) await expectTs(j[i], REF.jacobian[key][i], `${key}[${i}]`);
    }
    await expectT(await jacobian(f1, x0, { vectorize: true, strategy: 'forward-mode' }), REF.jacobian.f1_fwd, 'forward mode');
  });
  it('a scalar output of two inputs: an array of the two gradients', async () => {
    await expectTs(await jacobian(s2, [xa, y0]), REF.jacobian.s2, 's2');
  });
  it('an independent input: a zero block (strict: PyTorch\'s error)', async () => {
    await expectTs(await jacobian(indep, [xa, y0]), REF.jacobian.indep, 'indep');
    await expect(jacobian(indep, [xa, y0], { strict: true })).rejects.toThrow(REF.errors.jacobian_strict_indep);
  });
  it('option errors as PyTorch\'s', async () => {
    const e = REF.errors;
    await expect(jacobian((x) => x.mul(3), xa, { strict: true, createGraph: true })).rejects.toThrow(e.jacobian_strict_linear_cg);
    await expect(jacobian(f1, x0, { strict: true, vectorize: true })).rejects.toThrow(e.jacobian_strict_vec);
    await expect(jacobian(f1, x0, { createGraph: true, strategy: 'forward-mode' })).rejects.toThrow(e.jacobian_fwd_cg);
    await expect(jacobian(f1, x0, { strategy: 'forward-mode' })).rejects.toThrow(e.jacobian_fwd_novec);
    await expect(jacobian(f1, x0, { strict: true, vectorize: true, strategy: 'forward-mode' })).rejects.toThrow(e.jacobian_fwd_strict);
  });
});

describe('hessian', () => {
  it('of one input: [3, 3]; of two inputs: blocks input_i ++ input_j', async () => {
    await expectT(await hessian(s1, xa), REF.hessian.s1, 's1');
    const h = await hessian(s2, [xa, y0]) as T[][];
    expect(h.length).toBe(2);
    for (let i = 0; i < 2; i++) await expectTs(h[i], REF.hessian.s2[i], `s2[${i}]`);
  });
  it('independent input and linear function: zeros (strict: PyTorch\'s errors)', async () => {
    const h = await hessian(indepS, [xa, y0]) as T[][];
    for (let i = 0; i < 2; i++) await expectTs(h[i], REF.hessian.indep[i], `indep[${i}]`);
    await expectT(await hessian(linear, xa), REF.hessian.linear, 'linear');
    await expect(hessian(linear, xa, { strict: true })).rejects.toThrow(REF.errors.hessian_strict_linear);
    await expect(hessian(indepS, [xa, y0], { strict: true })).rejects.toThrow(REF.errors.hessian_strict_indep);
  });
  it('a function that does not return a single one-element tensor: PyTorch\'s errors', async () => {
    await expect(hessian((x) => [x.sum()], xa)).rejects.toThrow(REF.errors.hessian_tuple_out);
    await expect(hessian((x) => x.mul(x), xa)).rejects.toThrow(REF.errors.hessian_nonscalar);
  });
});

describe('hvp and vhp', () => {
  for (const [name, fn] of [['hvp', hvp], ['vhp', vhp]] as const) {
    it(`${name}: one and two inputs, an independent input`, async () => {
      const R = REF[name];
      const [o1, r1] = await fn(s1, xa, vx);
      await expectT(o1, R.s1[0], 'output');
      await expectT(r1, R.s1[1], name);
      const [o2, r2] = await fn(s2, [xa, y0], [vx, vy]);
      await expectT(o2, R.s2[0], 'output');
      await expectTs(r2, R.s2[1], name);
      const [, r3] = await fn(indepS, [xa, y0], [vx, vy]);
      await expectTs(r3, R.indep[1], `${name} indep`);
    });
    it(`${name}: strict and argument errors as PyTorch's`, async () => {
      const e = REF.errors;
      await expect(fn(linear, xa, vx, { strict: true })).rejects.toThrow(e[`${name}_strict_linear`]);
      await expect(fn(indepS, [xa, y0], [vx, vy], { strict: true })).rejects.toThrow(e[`${name}_strict_indep`]);
      await expect(fn(s1, xa)).rejects.toThrow(e.hvp_v_none);
    });
  }
  it('hvp: tuple output; vhp: many-element output', async () => {
    await expect(hvp((x) => [x.sum()], xa, vx)).rejects.toThrow(REF.errors.hvp_tuple_out);
    await expect(vhp((x) => x.mul(x), xa, vx)).rejects.toThrow(REF.errors.vhp_nonscalar);
  });
});

describe('createGraph: results differentiated again (PyTorch 1.13\'s gradients)', () => {
  const req = (...ts: T[]) => ts.map((t) => t.clone().requiresGrad_());
  const C = REF.create_graph;
  it('vjp', async () => {
    const [x] = req(x0);
    const [o, r] = await vjp(f1, x, v4, { createGraph: true }) as [T, T];
    expect([o.requiresGrad, r.requiresGrad]).toEqual(C.vjp_f1.rg);
    const [g] = await torch.autograd.grad(r.pow(2).sum().add(o.sum()), x);
    await expectT(g, C.vjp_f1.g[0], 'd/dx');
  });
  it('jvp: with respect to x and v', async () => {
    const [x, v] = req(x0, vx23);
    const [o, r] = await jvp(f1, x, v, { createGraph: true }) as [T, T];
    expect([o.requiresGrad, r.requiresGrad]).toEqual(C.jvp_f1.rg);
    const g = await torch.autograd.grad(r.pow(2).sum(), [x, v]);
    await expectTs(g, C.jvp_f1.g, 'd/d(x, v)');
  });
  it('jacobian', async () => {
    const [x, y] = req(xa, y0);
    const j = await jacobian(f2, [x, y], { createGraph: true }) as T[][];
    expect(j.map((row) => row.map((t) => t.requiresGrad))).toEqual(C.jacobian_f2.rg);
    const total = j.flat().map((t) => t.pow(2).sum()).reduce((a, b) => a.add(b));
    await expectTs(await torch.autograd.grad(total, [x, y]), C.jacobian_f2.g, 'd/d(x, y)');
  });
  it('hessian (a third derivative)', async () => {
    const [x] = req(xa);
    const h = await hessian(s1, x, { createGraph: true }) as T;
    expect(h.requiresGrad).toBe(C.hessian_s1.rg);
    await expectTs(await torch.autograd.grad(h.pow(2).sum(), x), C.hessian_s1.g, 'd/dx');
  });
  for (const [name, fn] of [['hvp', hvp], ['vhp', vhp]] as const) {
    it(`${name}: with respect to the inputs and v`, async () => {
      const [x, y, a, b] = req(xa, y0, vx, vy);
      const [o, r] = await fn(s2, [x, y], [a, b], { createGraph: true }) as [T, T[]];
      expect([o.requiresGrad, r[0].requiresGrad, r[1].requiresGrad]).toEqual(C[`${name}_s2`].rg);
      const g = await torch.autograd.grad(r[0].pow(2).sum().add(r[1].sum()), [x, y, a, b]);
      await expectTs(g, C[`${name}_s2`].g, 'd/d(x, y, a, b)');
    });
  }
  it('without createGraph nothing requires grad, also for inputs that do', async () => {
    const [x] = req(xa);
    const [o, r] = await vjp(s1, x) as [T, T];
    const got = [o.requiresGrad, r.requiresGrad, (await jacobian(s1, x) as T).requiresGrad, (await hessian(s1, x) as T).requiresGrad];
    expect(got).toEqual(C.plain);
  });
});

describe('nn.utils.stateless.functionalCall (PyTorch 1.13\'s functional_call)', () => {
  const S = REF.stateless;
  const { functionalCall } = torch.nn.utils.stateless;
  const net = () => {
    const m = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.Tanh(), new torch.nn.BatchNorm1d(4), new torch.nn.Linear(4, 2)).double();
    const sd: Record<string, T> = Object.fromEntries(Object.entries(S.sd as Record<string, number[]>).map(([k, v]) => [k, torch.tensor(v, D)]));
    sd['2.num_batches_tracked'] = torch.tensor(0, { dtype: 'int64' });
    m.loadStateDict(sd);
    return m;
  };
  it('the given tensors in place of the net\'s: output, gradients with respect to them, the running mean updated in the given tensor only', async () => {
    const m = net();
    const rep: Record<string, T> = Object.fromEntries(Object.entries(S.rep as Record<string, number[]>).map(([k, v]) => [k, torch.tensor(v, D)]));
    rep['0.weight'].requiresGrad_(); rep['3.bias'].requiresGrad_();
    const w0 = rep['0.weight'], b3 = rep['3.bias'];
    const out = functionalCall(m, rep, [torch.tensor(S.x, D)]);
    await expectT(out, S.out, 'output');
    await expectTs(await torch.autograd.grad(out.pow(2).sum(), [w0, b3]), S.grads, 'grads');
    await expectT(rep['2.running_mean'], S.rep_running_mean_after, 'given running mean after');
    const after = m.stateDict();
    for (const [k, v] of Object.entries(S.net_after as Record<string, unknown>)) await expectT(after[k], v, `net's ${k} after`);
    // the net's own parameters are back (the same objects, in the same order)
    expect(m.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '3.weight', '3.bias']);
    expect(m.namedParameters().every(([, p]) => p instanceof torch.nn.Parameter)).toBe(true);
    await expectT(m(torch.tensor(S.x, D)), S.plain_out, 'the net after');
  });
  it('restored when forward throws; a bad path: PyTorch\'s error', () => {
    const m = net();
    const w = m.namedParameters()[0][1];
    expect(() => functionalCall(m, { '0.weight': torch.zeros([4, 3], D) }, [torch.zeros([2, 5], D)])).toThrow();
    expect(m.namedParameters()[0][1]).toBe(w);
    expect(() => functionalCall(m, { 'x.weight': torch.zeros([4, 3], D) }, [torch.zeros([2, 3], D)])).toThrow("'Sequential' object has no attribute 'x'");
  });
});
