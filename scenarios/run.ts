/**
 * The scenario runner.
 *
 *   npm run scenario -- --list
 *   npm run scenario -- NAME [--workers W] [--device cpu|gpu] [--n N] [--epochs E] [--repeat R] [--seed S] [--json] [--out DIR]
 *   npm run scenario -- ./my-scenario.ts [flags]      (a module of your own, see scenarios/README.md)
 *   npm run scenario -- NAME --help                   (the flags NAME takes, with their defaults)
 *
 * Every run ends with a summary table; --json prints one JSON document on stdout instead; --out DIR also
 * writes DIR/<scenario>-<timestamp>.json and, when the scenario draws one, DIR/<scenario>-<timestamp>.svg.
 * Usage and environment errors (bad flags, unknown scenario, no GPU adapter, N too large for memory) are
 * one line on stderr and exit code 2; a scenario that fails while running exits with code 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import * as torch from '../src/index.ts';
import { progressBar } from './progress.ts';
import {
  COMMON_FLAGS, DEFAULT_FLAGS, cores, fmtBytes, formatTable, isScenarioResult, keepNonFinite, parseNumber, renderSvg,
  type Flag, type FlagSpecs, type GpuInfo, type ScenarioContext, type ScenarioResult,
} from './scenario.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The scenarios shipped in this folder, in the order --list shows them (file = scenarios/<name>.ts). */
export const SCENARIOS = ['seed-walkthrough', 'speed-cpu', 'ops-cpu', 'speed-gpu', 'large-loop', 'mlp', 'sweep-workers', 'compare'] as const;

const USAGE = 'usage: npm run scenario -- --list | NAME|./file.ts [--workers W] [--device cpu|gpu] [--n N] [--epochs E] [--repeat R] [--seed S] [--json] [--out DIR] [--help]';

class UsageError extends Error {}
/** A one-line error and exit code 2. */
function fail(msg: string): never { throw new UsageError(msg.replace(/\s*\n\s*/g, ' ')); }

interface ScenarioModule {
  name?: string;
  description?: string;
  flags?: FlagSpecs;
  gpu?: 'required' | 'optional';
  estimateBytes?: (flags: Record<string, unknown>) => number;
  estimateGpuBytes?: (flags: Record<string, unknown>) => number;
  run: (ctx: ScenarioContext) => Promise<unknown> | unknown;
}

// ───────────────────────────── loading ─────────────────────────────

const looksLikePath = (s: string) => /[\\/]/.test(s) || /\.(c|m)?(t|j)s$/.test(s);

async function load(spec: string): Promise<{ mod: ScenarioModule; name: string; file: string }> {
  let file: string;
  if (looksLikePath(spec)) {
    // `npm run` changes into the package folder; INIT_CWD is where the user typed the command.
    file = resolve(process.env.INIT_CWD ?? process.cwd(), spec);
    if (!existsSync(file)) fail(`no such scenario file: ${file} (give a path to a .ts module exporting run(ctx))`);
  } else {
    if (!(SCENARIOS as readonly string[]).includes(spec)) {
      fail(`unknown scenario '${spec}': run \`npm run scenario -- --list\` to see the scenarios (${SCENARIOS.join(', ')}), or give a path like ./my-scenario.ts`);
    }
    file = join(HERE, `${spec}.ts`);
  }
  let mod: ScenarioModule;
  try {
    mod = (await import(pathToFileURL(file).href)) as ScenarioModule;
  } catch (e) {
    fail(`cannot load ${spec}: ${firstLine(e)}`);
  }
  if (typeof mod.run !== 'function') fail(`${spec} is not a scenario: it must export run(ctx) (see scenarios/README.md)`);
  const name = typeof mod.name === 'string' && mod.name ? mod.name : basename(file, extname(file));
  return { mod, name, file };
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n').map((s) => s.trim()).filter(Boolean)[0] ?? 'unknown error';
}

// ───────────────────────────── flags ─────────────────────────────

/** The scenario's token: the first argument that is neither a flag nor a flag's value. */
function findScenarioToken(args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) return i;
    if (a === '--') return i + 1 < args.length ? i + 1 : -1;
    const bare = a.replace(/^--?/, '');
    if (bare.includes('=') || ['json', 'list', 'help', 'h'].includes(bare)) continue;
    i++; // skip the flag's value
  }
  return -1;
}

interface Parsed { values: Record<string, number | string | null>; json: boolean; out: string | null; help: boolean }

function parseFlags(args: string[], specs: FlagSpecs, scenario: string): Parsed {
  const raw = new Map<string, string>();
  let json = false, help = false, out: string | null = null;
  const own = Object.keys(specs);
  const list = own.map((k) => `--${k}`).concat('--json', '--out').join(', ');
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h') { help = true; continue; }
    if (!a.startsWith('--') || a === '--') fail(`unexpected argument '${a}' (${scenario} takes: ${list})`);
    const eq = a.indexOf('=');
    const key = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    if (key === 'json' || key === 'help') {
      if (inline !== undefined) fail(`--${key} takes no value`);
      if (key === 'json') json = true; else help = true;
      continue;
    }
    if (key === 'list') fail(`--list takes no scenario: run \`npm run scenario -- --list\``);
    if (key !== 'out' && !own.includes(key)) {
      if ((COMMON_FLAGS as readonly string[]).includes(key)) fail(`${scenario} does not use --${key} (it takes: ${list})`);
      fail(`unknown flag --${key} (${scenario} takes: ${list})`);
    }
    let value = inline;
    if (value === undefined) {
      value = args[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) fail(`--${key} needs a value`);
      i++;
    }
    if (key === 'out') { if (!value) fail('--out needs a folder'); out = value; } else raw.set(key, value);
  }
  const values: Record<string, number | string | null> = {};
  for (const [k, spec] of Object.entries(specs)) values[k] = check(k, spec, raw.get(k));
  return { values, json, out, help };
}

function check(key: string, spec: Flag, s: string | undefined): number | string | null {
  if (spec.type === 'int') {
    if (s === undefined) return typeof spec.default === 'function' ? spec.default() : spec.default;
    const x = parseNumber(s);
    const range = spec.max !== undefined ? `between ${spec.min} and ${spec.max}` : `>= ${spec.min}`;
    if (!Number.isSafeInteger(x) || x < spec.min || (spec.max !== undefined && x > spec.max)) {
      fail(`--${key} must be an integer ${range}, got '${s}'`);
    }
    return x;
  }
  if (spec.type === 'choice') {
    if (s === undefined) return spec.default;
    if (!spec.choices.includes(s)) fail(`--${key} must be one of ${spec.choices.join(', ')}, got '${s}'`);
    return s;
  }
  return s ?? spec.default;
}

function helpText(name: string, mod: ScenarioModule, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([k, f]) => {
    const d = f.type === 'int' ? (f.defaultText ?? (typeof f.default === 'function' ? String(f.default()) : String(f.default)))
      : f.type === 'choice' ? `${f.default} (${f.choices.join('|')})` : String(f.default ?? '');
    return { flag: `--${k}`, default: d, help: f.help };
  });
  rows.push({ flag: '--json', default: '', help: 'print one JSON document instead of the table' });
  rows.push({ flag: '--out DIR', default: '', help: 'also write DIR/<scenario>-<timestamp>.json (and .svg when charted)' });
  const w1 = Math.max(...rows.map((r) => r.flag.length)), w2 = Math.max(...rows.map((r) => r.default.length));
  return [`${name} — ${mod.description ?? ''}`, `usage: npm run scenario -- ${name} [flags]`, '',
    ...rows.map((r) => `  ${r.flag.padEnd(w1)}  ${r.default.padEnd(w2)}  ${r.help}`)].join('\n');
}

// ───────────────────────────── environment checks ─────────────────────────────

/** Opens the GPU in a child process (so a missing adapter costs one clean line, not Dawn's stderr). */
function probeGpu(): GpuInfo {
  const r = spawnSync(process.execPath, [...process.execArgv, join(HERE, 'gpu-probe.ts')], {
    encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as GpuInfo;
  } catch {
    const why = r.error ? r.error.message : r.signal ? `probe killed by ${r.signal}` : firstLine(r.stderr || `probe exited with ${r.status}`);
    return { available: false, name: null, limits: null, reason: why };
  }
}

function checkMemory(name: string, mod: ScenarioModule, flags: Record<string, unknown>, gpu: GpuInfo | null): void {
  const n = typeof flags.n === 'number' ? flags.n : null;
  const shrink = (need: number, have: number) => (n === null ? '' : `: use a smaller --n (at most about ${roundDown(n * have / need)})`);
  if (mod.estimateBytes) {
    const need = mod.estimateBytes(flags);
    const total = os.totalmem(), free = os.freemem();
    const have = Math.min(free, total * 0.9);
    if (need > have) {
      fail(`${name} with these flags needs about ${fmtBytes(need)} of memory but this machine has ${fmtBytes(total)} (${fmtBytes(free)} free)${shrink(need, have) || ': use smaller sizes'}`);
    }
  }
  if (gpu?.available && gpu.limits && mod.estimateGpuBytes) {
    const need = mod.estimateGpuBytes(flags);
    const bind = Math.min(gpu.limits.maxStorageBufferBindingSize ?? Infinity, gpu.limits.maxBufferSize ?? Infinity);
    if (need > bind) {
      fail(`${name} with these flags needs GPU buffers of ${fmtBytes(need)} but ${gpu.name} binds at most ${fmtBytes(bind)}${shrink(need, bind) || ': use smaller sizes'}`);
    }
  }
}

/** 33554432 → 33000000: a round number no larger than x. */
function roundDown(x: number): number {
  if (x < 100) return Math.max(1, Math.floor(x));
  const p = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.floor(x / p) * p;
}

// ───────────────────────────── main ─────────────────────────────

async function list(json: boolean): Promise<void> {
  const rows: Array<{ name: string; description: string }> = [];
  for (const s of SCENARIOS) {
    const { mod, name } = await load(s);
    rows.push({ name, description: mod.description ?? '' });
  }
  if (json) { console.log(JSON.stringify({ scenarios: rows }, keepNonFinite, 2)); return; }
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log('scenarios (npm run scenario -- NAME [flags]; NAME --help shows its flags and defaults):');
  for (const r of rows) console.log(`  ${r.name.padEnd(w)}  ${r.description}`);
  console.log(`  ${'./file.ts'.padEnd(w)}  a module of your own (see scenarios/README.md)`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const at = findScenarioToken(args);
  if (at < 0) {
    if (args.includes('--list')) { await list(args.includes('--json')); return 0; }
    if (args.includes('--help') || args.includes('-h')) { console.log(USAGE); return 0; }
    fail(args.length ? `no scenario named in '${args.join(' ')}'` : 'no scenario named: run `npm run scenario -- --list`');
  }
  if (args.includes('--list')) fail('--list takes no scenario: run `npm run scenario -- --list`');
  const spec = args[at];
  const rest = args.filter((_, i) => i !== at && !(args[i] === '--' && i === at - 1));
  const { mod, name } = await load(spec);
  const specs = mod.flags ?? DEFAULT_FLAGS;
  const p = parseFlags(rest, specs, name);
  if (p.help) { console.log(helpText(name, mod, specs)); return 0; }
  const flags: Record<string, number | string | boolean | null> = { ...p.values, json: p.json, out: p.out };

  const needGpu = mod.gpu === 'required' || flags.device === 'gpu' ? 'required' : mod.gpu === 'optional' ? 'optional' : null;
  let gpu: GpuInfo | null = null;
  if (needGpu) {
    gpu = probeGpu();
    if (!gpu.available && needGpu === 'required') {
      const why = (gpu.reason ?? 'unknown reason').replace(/^no GPU adapter:\s*/, '').replace(/\.\s*GPU tensors need.*$/, '');
      fail(`${name} needs a GPU but no adapter was found (${why}): install a Vulkan driver (NVIDIA's, or \`npm run setup:gpu\` for Mesa's lavapipe)${'device' in specs ? ', or use --device cpu' : ', or run speed-cpu / compare instead'}`);
    }
  }
  checkMemory(name, mod, flags, gpu);
  if (p.out) {
    try { mkdirSync(resolve(process.env.INIT_CWD ?? process.cwd(), p.out), { recursive: true }); } catch (e) { fail(`--out ${p.out}: ${firstLine(e)}`); }
  }

  const ctx: ScenarioContext = {
    scenario: name, flags: flags as ScenarioContext['flags'], torch,
    progress: (label, total) => progressBar(!p.json, label, total),
    log: (line) => { if (!p.json) process.stderr.write(line + '\n'); },
    gpu, cores: cores(),
  };

  // With --json, stdout carries the JSON document only: what a scenario prints goes to stderr.
  const saved = { log: console.log, info: console.info };
  if (p.json) console.log = console.info = (...xs: unknown[]) => { process.stderr.write(format(...xs) + '\n'); };
  const startedAt = new Date();
  const t0 = performance.now();
  let raw: unknown;
  try {
    raw = await mod.run(ctx);
  } finally {
    Object.assign(console, saved);
    await torch.shutdown().catch(() => {});
  }
  const seconds = (performance.now() - t0) / 1000;

  const result: ScenarioResult = isScenarioResult(raw) ? raw : {
    tables: [{ columns: [{ key: 'scenario' }, { key: 'seconds', digits: 3 }, { key: 'lines', label: 'lines printed' }],
      rows: [{ scenario: name, seconds, lines: Array.isArray(raw) ? raw.length : null }] }],
    data: raw === undefined ? undefined : { output: raw },
  };
  const doc = {
    scenario: name, description: mod.description ?? '', ok: true, startedAt: startedAt.toISOString(), seconds,
    flags: Object.fromEntries(Object.entries(flags).filter(([k]) => k !== 'json' && k !== 'out')),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${process.platform}-${process.arch}` },
    gpu, tables: result.tables, notes: result.notes ?? [], data: result.data ?? {}, files: [] as string[],
  };

  if (p.out) {
    const dir = resolve(process.env.INIT_CWD ?? process.cwd(), p.out);
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const base = join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}`);
    if (result.chart) {
      const svg = await renderSvg(result.chart);
      writeFileSync(`${base}.svg`, svg);
      doc.files.push(`${base}.svg`);
    }
    doc.files.unshift(`${base}.json`);
    writeFileSync(`${base}.json`, JSON.stringify(doc, keepNonFinite, 2) + '\n');
  }

  if (p.json) {
    console.log(JSON.stringify(doc, keepNonFinite, 2));
  } else {
    const parts = [`\n${name} — ${doc.description}`];
    for (const t of result.tables) parts.push('', formatTable(t));
    if (result.notes?.length) parts.push('', ...result.notes);
    parts.push('', `${doc.machine.cpus} cores (${doc.machine.cpuModel ?? '?'}), ${doc.machine.memoryGiB} GiB, Node ${process.version}${gpu?.name ? `, GPU ${gpu.name}` : ''}; total ${seconds.toFixed(1)} s`);
    for (const f of doc.files) parts.push(`wrote ${f}`);
    console.log(parts.join('\n'));
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Anything thrown outside main()'s promise (a timer, a finalizer in the engine): one line, exit 1.
  process.on('uncaughtException', (e) => {
    process.stderr.write(`scenario failed: ${firstLine(e)}${process.env.TROUPE_DEBUG ? `\n${(e as Error).stack}` : ''}\n`);
    process.exit(1);
  });
  let code: number;
  try {
    code = await main();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`scenario: ${e.message}\n`);
      code = 2;
    } else {
      process.stderr.write(`scenario failed: ${firstLine(e)}${process.env.TROUPE_DEBUG ? `\n${(e as Error).stack}` : ' (TROUPE_DEBUG=1 shows the stack)'}\n`);
      code = 1;
    }
    await torch.shutdown().catch(() => {});
  }
  process.exit(code);
}
