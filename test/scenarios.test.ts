/**
 * The scenario runner, end to end: every scenario runs as a child process at a small size and its JSON
 * is checked; usage and environment errors are one line with exit code 2; --out writes JSON and SVG.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
/** An adapter-less environment: the Vulkan loader is pointed at a driver file that does not exist. */
const NO_GPU = { VK_DRIVER_FILES: '/nonexistent/troupe-no-driver.json' };

interface Out { code: number; stdout: string; stderr: string }
function scenario(args: string[], env: Record<string, string> = {}, timeoutMs = 100_000): Promise<Out> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scenarios/run.ts', ...args], {
      cwd: ROOT, env: { ...process.env, ...env, FORCE_COLOR: '0' }, timeout: timeoutMs, maxBuffer: 64 << 20,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs with --json and parses stdout, which must hold exactly one JSON document. */
async function json(args: string[], env: Record<string, string> = {}): Promise<Doc> {
  const r = await scenario([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout) as Doc;
}

interface Doc {
  scenario: string; ok: boolean; seconds: number; flags: Record<string, unknown>; machine: { cpus: number };
  gpu: { available: boolean; name: string | null } | null;
  tables: Array<{ title?: string; columns: Array<{ key: string }>; rows: Array<Record<string, unknown>> }>;
  notes: string[]; data: Record<string, unknown>; files: string[];
}

/** Checks the document's common fields; returns the first table's rows. */
function common(d: Doc, name: string): Array<Record<string, unknown>> {
  expect(d.scenario).toBe(name);
  expect(d.ok).toBe(true);
  expect(Number.isFinite(d.seconds)).toBe(true);
  expect(d.machine.cpus).toBeGreaterThan(0);
  expect(d.tables.length).toBeGreaterThan(0);
  for (const t of d.tables) {
    expect(t.columns.length).toBeGreaterThan(0);
    for (const r of t.rows) for (const c of t.columns) expect(c.key in r, `${name}: row lacks ${c.key}`).toBe(true);
  }
  return d.tables[0].rows;
}

const finite = (...xs: unknown[]) => { for (const x of xs) expect(Number.isFinite(x), `not a finite number: ${x}`).toBe(true); };

/** A usage or environment error: exit 2, one line on stderr, no stack trace, nothing on stdout. */
function oneLineError(r: Out, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^scenario: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('scenario runner: usage and environment errors', { concurrent: true }, () => {
  it('--list names every scenario with a description', async () => {
    const r = await scenario(['--list']);
    expect(r.code).toBe(0);
    for (const n of ['seed-walkthrough', 'speed-cpu', 'ops-cpu', 'speed-gpu', 'large-loop', 'sweep-workers', 'compare']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${n} +\\S`, 'm'));
    }
  });

  it('bad flags: exit 2 with one line saying what to do', async () => {
    oneLineError(await scenario(['large-loop', '--epochs', 'zero']), /--epochs must be an integer >= 1, got 'zero'/);
    oneLineError(await scenario(['large-loop', '--device', 'tpu']), /--device must be one of cpu, gpu/);
    oneLineError(await scenario(['speed-cpu', '--epochs', '3']), /speed-cpu does not use --epochs/);
    oneLineError(await scenario(['large-loop', '--frobnicate', '1']), /unknown flag --frobnicate/);
    oneLineError(await scenario(['large-loop', '--n']), /--n needs a value/);
  });

  it('unknown scenario: exit 2 with one line', async () => {
    oneLineError(await scenario(['no-such-scenario']), /unknown scenario 'no-such-scenario'.*--list/);
    oneLineError(await scenario(['./no/such/file.ts']), /no such scenario file/);
  });

  it('N too large for memory: exit 2 with one line naming a size that fits', async () => {
    oneLineError(await scenario(['large-loop', '--n', '1e13']), /needs about .* of memory .* use a smaller --n \(at most about \d+\)/);
  });

  it('a GPU request without an adapter: exit 2 with one line, no hang', async () => {
    oneLineError(await scenario(['speed-gpu', '--n', '1000'], NO_GPU), /speed-gpu needs a GPU but no adapter was found.*setup:gpu/);
    oneLineError(await scenario(['large-loop', '--device', 'gpu', '--n', '1000'], NO_GPU), /needs a GPU.*or use --device cpu/);
  });
});

describe('scenarios at small sizes (--json)', () => {
  it('seed-walkthrough prints the tour and a summary', async () => {
    const d = await json(['seed-walkthrough']);
    const rows = common(d, 'seed-walkthrough');
    finite(rows[0].seconds);
    expect((d.data.output as string[]).length).toBeGreaterThan(40);
  });

  it('speed-cpu: plain JS, in-process and sharded rows for both cells', async () => {
    const d = await json(['speed-cpu', '--n', '300000', '--repeat', '1', '--workers', '2']);
    const rows = common(d, 'speed-cpu');
    expect(rows).toHaveLength(6);
    for (const r of rows) finite(r.seconds, r.speedup);
    expect(rows.map((r) => r.impl)).toContain('troupe sharded, 2 workers');
  });

  it('ops-cpu: a row per op with its time', async () => {
    const d = await json(['ops-cpu', '--n', '64', '--repeat', '1', '--loop', '5']);
    const rows = common(d, 'ops-cpu');
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const r of rows) finite(r.troupe, r.troupeLoop);
    expect(rows.map((r) => r.op)).toContain('x + row');
  });

  it('speed-gpu: both cells on the GPU, or a one-line error when there is none', async () => {
    const r = await scenario(['speed-gpu', '--n', '300000', '--repeat', '1', '--json']);
    if (r.code === 2 && process.env.CI !== 'true') {
      oneLineError(r, /needs a GPU/);
      return;
    }
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Doc;
    const rows = common(d, 'speed-gpu');
    expect(rows).toHaveLength(2);
    for (const row of rows) finite(row.first, row.seconds, row.melems);
    expect(typeof d.data.adapter).toBe('string');
    finite((d.data.limits as Record<string, number>).maxStorageBufferBindingSize);
  });

  it('large-loop: one row, identical w over repeats', async () => {
    const d = await json(['large-loop', '--n', '300000', '--epochs', '3', '--repeat', '2', '--workers', '2']);
    const [row] = common(d, 'large-loop');
    finite(row.seconds, row.msPerEpoch, row.loss, row.b);
    expect(d.data.identicalAcrossRuns).toBe(true);
  });

  it('mlp: an nn classifier learns (loss falls, accuracy well above chance), per-step time', async () => {
    const d = await json(['mlp', '--n', '1024', '--hidden', '64', '--epochs', '3', '--workers', '2']);
    const [row] = common(d, 'mlp');
    finite(row.msPerStep, row.firstEpoch, row.loss, row.accuracy);
    const epochLoss = (d.data.troupe as { epochLoss: number[] }).epochLoss;
    expect(epochLoss).toHaveLength(3);
    expect(epochLoss[2]).toBeLessThan(epochLoss[0]);
    expect(row.accuracy as number).toBeGreaterThan(0.3); // 10 classes
    const c = await json(['mlp', '--model', 'cnn', '--n', '256', '--batch', '64', '--hidden', '32', '--epochs', '2', '--workers', '2']);
    const [crow] = common(c, 'mlp');
    finite(crow.msPerStep, crow.loss, crow.accuracy);
    expect(c.tables[0].title).toMatch(/^cnn: 16x16 images/);
  });

  it('sweep-workers: one row per W, speedup and efficiency, best W; --out writes JSON and SVG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-scn-'));
    const d = await json(['sweep-workers', '--n', '300000', '--epochs', '3', '--repeat', '1', '--out', dir]);
    const rows = common(d, 'sweep-workers');
    const ws = d.data.workerCounts as number[];
    expect(ws[0]).toBe(1);
    expect(ws[ws.length - 1]).toBe(2 * d.machine.cpus);
    expect(rows.map((r) => r.workers)).toEqual(ws);
    for (const r of rows) finite(r.seconds, r.speedup, r.efficiency);
    for (const r of rows) expect(r.sameResult).toBe(true);
    expect(ws).toContain(d.data.bestWorkers);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^sweep-workers-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(JSON.parse(readFileSync(join(dir, files[0]), 'utf8')).tables).toEqual(d.tables);
    expect(files[1]).toMatch(/\.svg$/);
    expect(readFileSync(join(dir, files[1]), 'utf8')).toMatch(/^<svg/);
  });

  it('sweep-workers --workload add', async () => {
    const d = await json(['sweep-workers', '--workload', 'add', '--n', '300000', '--epochs', '2', '--repeat', '1', '--workers', '2']);
    expect(common(d, 'sweep-workers').map((r) => r.workers)).toEqual([1, 2]);
  });

  it('compare: four workloads with CPU and GPU times and a ratio (GPU when there is one), chart with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-scn-'));
    const d = await json(['compare', '--n', '100000', '--matmul', '64', '--epochs', '1', '--repeat', '1', '--workers', '2', '--out', dir]);
    const rows = common(d, 'compare');
    expect(rows).toHaveLength(4);
    for (const r of rows) finite(r.cpu);
    if (d.gpu?.available) for (const r of rows) finite(r.gpu, r.ratio);
    expect(readdirSync(dir).filter((f) => f.endsWith('.svg'))).toHaveLength(1);
  });

  it('compare without a GPU says so and reports the CPU alone (W from a mini-sweep)', async () => {
    const d = await json(['compare', '--n', '100000', '--matmul', '32', '--epochs', '1', '--repeat', '1'], NO_GPU);
    const rows = common(d, 'compare');
    expect(rows).toHaveLength(4);
    for (const r of rows) { finite(r.cpu); expect(r.gpu).toBeNull(); expect(r.ratio).toBeNull(); }
    expect(d.notes.join('\n')).toMatch(/no GPU .*CPU alone/);
    expect((d.data.miniSweep as unknown[]).length).toBeGreaterThan(1);
  });

  it("runs a user's own module by path", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-scn-'));
    const file = join(dir, 'my-scenario.ts');
    writeFileSync(file, `
      export const name = 'mine';
      export const description = 'sum of ones';
      export const flags = { n: { type: 'int', default: 10, min: 1, help: 'elements' } };
      export async function run(ctx: any) {
        const s = await ctx.torch.ones([ctx.flags.n]).sum().item();
        return { tables: [{ columns: [{ key: 'n' }, { key: 'sum' }], rows: [{ n: ctx.flags.n, sum: s }] }] };
      }
    `);
    const d = await json([file, '--n', '1234']);
    expect(common(d, 'mine')).toEqual([{ n: 1234, sum: 1234 }]);
    oneLineError(await scenario([file, '--epochs', '2']), /mine does not use --epochs/);
  });

  it('bench:large --warmup runs whole untimed loops first; its JSON says NaN as "NaN" and gives the main thread\'s share', async () => {
    const r = await new Promise<Out>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'scenarios/bench-large.ts', '--device', 'cpu', '--workers', '1', '--n', '2000',
        '--epochs', '20', '--warmup', '30', '--lr', '1', '--json'], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, timeout: 100_000 },
      (err, stdout, stderr) => resolve({ code: err ? -1 : 0, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(d.warmupEpochs).toBe(40); // ceil(30 / 20) loops of 20 epochs
    finite(d.seconds, d.issuedSeconds, d.warmupSeconds);
    expect(d.issuedSeconds as number).toBeGreaterThan(0);
    expect(d.issuedSeconds as number).toBeLessThanOrEqual(d.seconds as number);
    // lr 1 on this problem overflows (as the tour's 10M loop does at lr 0.001): a string, not null.
    expect(d.loss).toMatch(/^(NaN|-?Infinity)$/);
    expect(typeof d.b === 'number' || /^(NaN|-?Infinity)$/.test(String(d.b))).toBe(true);
  });
});
