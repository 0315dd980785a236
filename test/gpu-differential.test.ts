/**
 * Differential programs: the same random program run on 'cpu' and on 'gpu', every result compared.
 * The GPU path fuses lazily (values are expressions until something needs their bytes), so what can go
 * wrong there is order: an in-place update of a view while a lazy reader holds the old values, a read
 * in the middle of a chain, a reduction of a value that is still an expression. The programs mix
 * exactly those: views (slices, transposes, unsqueeze, reshape), in-place ops on tensors and on views,
 * broadcasting, reductions, matmul, where, clones and reads at random points; and training-like loops
 * (random expression chains over leaves, backward, SGD in noGrad) at lengths on both sides of the
 * fuser's size thresholds. Seeds are fixed; a failure prints the program.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests } from './helpers.ts';

type T = torch.Tensor;
const available = await gpuForTests('gpu-differential');

/** mulberry32: a small seeded generator for the programs themselves (not the tensors' values). */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <X>(a: readonly X[]): X => a[int(a.length)] };
}

/** The shape a and b broadcast to, or null. */
function bshape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length), out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}
const sameAs = (a: readonly number[], b: readonly number[]) => bshape(a, b)?.join() === a.join();

async function expectClose(tag: string, c: T, g: T, tol: number, program: () => string) {
  expect(g.device, tag).toBe('gpu');
  expect(g.shape, tag).toEqual(c.shape);
  const x = await c.toTypedArray(), y = await g.toTypedArray();
  for (let i = 0; i < x.length; i++) {
    const a = Number(x[i]), b = Number(y[i]);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a)))) {
      throw new Error(`${tag} [${c.shape}] differs at ${i}: cpu ${a}, gpu ${b}\nprogram:\n${program()}`);
    }
  }
}

/** Random ops over a pool of cpu/gpu twins; returns the program's text. */
async function viewsProgram(seed: number, steps: number): Promise<string> {
  const r = rng(seed);
  const SHAPES = [[3, 4], [4], [1, 4], [3, 1], [4, 3], [2, 3, 4], [2, 1, 4], [5], [1]];
  interface Twin { c: T; g: T; name: string }
  const live: Twin[] = [];
  const log: string[] = [];
  const program = () => log.join('\n');
  let names = 0;
  const add = (c: T, g: T, what: string) => {
    const t = { c, g, name: `t${names++}` };
    log.push(`${t.name} = ${what}   # [${c.shape}]`);
    live.push(t);
    if (live.length > 14) live.splice(r.int(live.length - 1), 1);
  };
  const compareAll = async (tag: string) => { for (const t of live) await expectClose(`${tag}: ${t.name}`, t.c, t.g, 1e-4, program); };
  for (let i = 0; i < 4; i++) {
    const shape = r.pick(SHAPES);
    const n = shape.reduce((a, b) => a * b, 1);
    const c = torch.tensor(Array.from({ length: n }, () => Math.round((r.next() * 4 - 2) * 8) / 8), { dtype: 'float32' }).reshape(shape);
    add(c, c.to('gpu'), `tensor(…)`);
  }
  for (let step = 0; step < steps; step++) {
    const a = r.pick(live), b = r.pick(live), u = r.next();
    if (u < 0.2) {
      const fn = r.pick(['add', 'sub', 'mul', 'maximum', 'minimum'] as const);
      if (fn !== 'maximum' && fn !== 'minimum' && r.next() < 0.3) {
        const k = Math.round(r.next() * 8) / 4;
        add(a.c[fn](k), a.g[fn](k), `${a.name}.${fn}(${k})`);
      } else if (bshape(a.c.shape, b.c.shape)) add(a.c[fn](b.c), a.g[fn](b.g), `${a.name}.${fn}(${b.name})`);
    } else if (u < 0.3) {
      const fn = r.pick(['neg', 'abs', 'relu', 'tanh', 'sin', 'sigmoid'] as const);
      add(a.c[fn](), a.g[fn](), `${a.name}.${fn}()`);
    } else if (u < 0.45) {
      const nd = a.c.ndim, k = r.int(5);
      if (k === 0 && nd >= 2) {
        const d0 = r.int(nd), d1 = r.int(nd);
        add(a.c.transpose(d0, d1), a.g.transpose(d0, d1), `${a.name}.transpose(${d0}, ${d1})`);
      } else if (k === 1 && nd >= 1 && a.c.shape[0] > 1) {
        const st = r.int(a.c.shape[0] - 1), sl = `${st}:${st + 1 + r.int(a.c.shape[0] - st)}:${1 + r.int(2)}`;
        add(a.c.index(sl), a.g.index(sl), `${a.name}.index('${sl}')`);
      } else if (k === 2) {
        const d = r.int(nd + 1);
        add(a.c.unsqueeze(d), a.g.unsqueeze(d), `${a.name}.unsqueeze(${d})`);
      } else if (k === 3 && nd >= 1) {
        const idx: (string | number)[] = [...Array<string>(nd - 1).fill(':'), r.int(a.c.shape[nd - 1])];
        add(a.c.index(...idx), a.g.index(...idx), `${a.name}.index(${JSON.stringify(idx).slice(1, -1)})`);
      } else if (k === 4 && a.c.isContiguous()) add(a.c.reshape(-1), a.g.reshape(-1), `${a.name}.reshape(-1)`);
    } else if (u < 0.65) {
      // In place, on a tensor or a view (never on an expanded one: its elements overlap).
      if (a.c.strides.some((s, i) => s === 0 && a.c.shape[i] > 1)) continue;
      const k = r.int(5), v = Math.round(r.next() * 8) / 4;
      if (k === 0) { a.c.add_(v); a.g.add_(v); log.push(`${a.name}.add_(${v})`); }
      else if (k === 3) { a.c.fill_(v); a.g.fill_(v); log.push(`${a.name}.fill_(${v})`); }
      else if (sameAs(a.c.shape, b.c.shape)) {
        if (k === 1) { a.c.mul_(b.c); a.g.mul_(b.g); log.push(`${a.name}.mul_(${b.name})`); }
        else if (k === 2) { a.c.sub_(b.c); a.g.sub_(b.g); log.push(`${a.name}.sub_(${b.name})`); }
        else { a.c.copy_(b.c); a.g.copy_(b.g); log.push(`${a.name}.copy_(${b.name})`); }
      }
    } else if (u < 0.78) {
      const k = r.int(4), nd = a.c.ndim;
      if (k === 0) add(a.c.sum(), a.g.sum(), `${a.name}.sum()`);
      else if (k === 1 && nd >= 1) { const d = r.int(nd), kd = r.next() < 0.5; add(a.c.sum(d, kd), a.g.sum(d, kd), `${a.name}.sum(${d}, ${kd})`); }
      else if (k === 2 && nd >= 1) { const d = r.int(nd); add(a.c.mean(d, true), a.g.mean(d, true), `${a.name}.mean(${d}, true)`); }
      else add(a.c.max(), a.g.max(), `${a.name}.max()`);
    } else if (u < 0.86) {
      if (a.c.ndim === 2 && b.c.ndim === 2 && a.c.shape[1] === b.c.shape[0]) add(a.c.matmul(b.c), a.g.matmul(b.g), `${a.name}.matmul(${b.name})`);
      else if (a.c.ndim === 1 && b.c.ndim === 1 && a.c.shape[0] === b.c.shape[0]) add(a.c.dot(b.c), a.g.dot(b.g), `${a.name}.dot(${b.name})`);
    } else if (u < 0.92) {
      if (bshape(a.c.shape, b.c.shape)) {
        add(torch.where(a.c.gt(b.c), a.c, b.c), torch.where(a.g.gt(b.g), a.g, b.g), `where(${a.name} > ${b.name}, ${a.name}, ${b.name})`);
      }
    } else if (u < 0.96) add(a.c.clone(), a.g.clone(), `${a.name}.clone()`);
    else { await compareAll(`step ${step}`); log.push('# compared'); }
  }
  await compareAll('end');
  return program();
}

/** A training-like loop: a random expression over leaves to a scalar, backward, SGD; several epochs. */
async function trainingProgram(seed: number): Promise<void> {
  const r = rng(seed);
  const N = r.pick([5, 64, 65, 1000, 70_000, 200_000]); // both sides of the slab (64) and stash (65536) sizes
  const nLeaves = 1 + r.int(3);
  const leaves = { cpu: [] as T[], gpu: [] as T[] };
  for (let i = 0; i < nLeaves; i++) {
    const shape = r.pick([[N], [1]]);
    for (const dev of ['cpu', 'gpu'] as const) {
      torch.manualSeed(seed * 10 + i);
      leaves[dev].push(torch.rand(shape, { requiresGrad: true, device: dev }));
    }
  }
  const OPS = ['randn', 'ones', 'leaf', 'leaf', 'add', 'mul', 'sub', 'pow2', 'tanh', 'sigmoid', 'scale', 'dot', 'sum', 'exp', 'relu'] as const;
  const prog = Array.from({ length: 3 + r.int(8) }, () => r.pick(OPS));
  const epochs = 1 + r.int(5);
  const describeIt = () => `seed ${seed}: N = ${N}, ${nLeaves} leaves, ${epochs} epochs, ${prog.join(' ')}`;
  const step = (dev: 'cpu' | 'gpu', ws: T[], ep: number): T => {
    const st: T[] = [];
    const pop = () => st.pop() ?? ws[0];
    prog.forEach((op, k) => {
      switch (op) {
        case 'randn': torch.manualSeed(seed * 1000 + ep * 50 + k); st.push(torch.randn([N], { device: dev })); break;
        case 'ones': st.push(torch.ones([N], { device: dev }).mul(3)); break;
        case 'leaf': st.push(ws[k % ws.length]); break;
        case 'add': st.push(pop().add(pop())); break;
        case 'mul': st.push(pop().mul(pop())); break;
        case 'sub': { const a = pop(), b = pop(); st.push(a.sub(b)); break; }
        case 'pow2': st.push(pop().pow(2)); break;
        case 'tanh': st.push(pop().tanh()); break;
        case 'sigmoid': st.push(pop().sigmoid()); break;
        case 'exp': st.push(pop().mul(0.1).exp()); break;
        case 'relu': st.push(pop().sub(0.3).relu()); break;
        case 'scale': st.push(pop().mul(0.5).add(0.25)); break;
        case 'dot': {
          const a = pop(), b = pop();
          st.push(a.ndim === 1 && b.ndim === 1 && a.shape[0] === b.shape[0] ? torch.dot(a, b).div(N) : a.add(b));
          break;
        }
        case 'sum': st.push(pop().sum().div(N)); break;
      }
    });
    let out = st.pop() ?? ws[0];
    while (st.length) out = out.add(st.pop()!.sum().div(N));
    return out.sum();
  };
  const losses = { cpu: [] as T[], gpu: [] as T[] };
  for (let ep = 0; ep < epochs; ep++) {
    for (const dev of ['cpu', 'gpu'] as const) {
      const loss = step(dev, leaves[dev], ep);
      losses[dev].push(loss.detach());
      if (!loss.requiresGrad) continue;
      await loss.backward();
      torch.noGrad(() => {
        for (const w of leaves[dev]) if (w.grad) { w.sub_(w.grad.mul(0.01)); w.grad.zero_(); }
      });
    }
  }
  // Sums of N terms in different orders (CPU blocks, GPU trees): the tolerance grows with sqrt(N).
  const tol = 2e-4 * Math.sqrt(N);
  for (let i = 0; i < epochs; i++) await expectClose(`loss ${i}`, losses.cpu[i], losses.gpu[i], tol, describeIt);
  for (let i = 0; i < nLeaves; i++) await expectClose(`leaf ${i}`, leaves.cpu[i], leaves.gpu[i], 2e-4, describeIt);
}

describe.runIf(available)('the same random program on cpu and gpu', () => {
  it.each([1, 2, 3, 5, 8, 13])('views, in-place ops, reductions and reads, program %i', async (seed) => {
    await viewsProgram(seed, 60);
  });
  it.each([1, 2, 3, 4, 5, 17, 20, 30])('a training loop over random expressions, program %i', async (seed) => {
    await trainingProgram(seed);
  });
});
