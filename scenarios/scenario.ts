/**
 * What a scenario is, and the small helpers scenarios share: flag declarations, the context the runner
 * hands to `run(ctx)`, timing, an aligned-table printer and a Vega-Lite → SVG renderer.
 *
 * A scenario is a module exporting
 *   name: string                  the name `npm run scenario -- NAME` uses
 *   description: string           one line, shown by --list
 *   flags: Record<string, Flag>   the flags it uses, with defaults (F.n(1e7), F.epochs(20), F.int(...), …)
 *   run(ctx): Promise<ScenarioResult | unknown>
 * and optionally
 *   gpu: 'required' | 'optional'  the runner probes the adapter first (--device gpu implies 'required')
 *   estimateBytes(flags): number  host memory it needs; the runner refuses runs that do not fit
 *   estimateGpuBytes(flags): number  the largest single GPU buffer it allocates (checked against the adapter)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import type * as Torch from '../src/index.ts';
import type { Progress } from './progress.ts';

// ───────────────────────────── flags ─────────────────────────────

export interface IntFlag {
  type: 'int';
  /** A number, or a function of the machine (e.g. the core count). */
  default: number | (() => number);
  /** How --help and --list show the default when it is computed ('cores'). */
  defaultText?: string;
  min: number;
  max?: number;
  help: string;
}
export interface ChoiceFlag { type: 'choice'; choices: readonly string[]; default: string; help: string }
export interface StringFlag { type: 'string'; default: string | null; help: string }
export type Flag = IntFlag | ChoiceFlag | StringFlag;
export type FlagSpecs = Record<string, Flag>;

export type FlagValue<F extends Flag> = F extends IntFlag ? number : F extends ChoiceFlag ? string : string | null;
/** The parsed flags a scenario receives: its own, plus the runner's --json and --out. */
export type FlagValues<S extends FlagSpecs> = { [K in keyof S]: FlagValue<S[K]> } & { json: boolean; out: string | null };

/** Declarations of the runner's common flags (a scenario lists the ones it uses, with its defaults). */
export const F = {
  workers: (dflt: number | (() => number) = cores, help = 'CPU worker threads', defaultText = 'cores'): IntFlag =>
    ({ type: 'int', default: dflt, defaultText: typeof dflt === 'function' ? defaultText : undefined, min: 1, max: 256, help }),
  device: (dflt: 'cpu' | 'gpu' = 'cpu', help = 'where tensors live'): ChoiceFlag => ({ type: 'choice', choices: ['cpu', 'gpu'], default: dflt, help }),
  n: (dflt: number, help = 'elements per tensor'): IntFlag => ({ type: 'int', default: dflt, min: 1, help }),
  epochs: (dflt: number, help = 'training epochs'): IntFlag => ({ type: 'int', default: dflt, min: 1, help }),
  repeat: (dflt: number, help = 'timed repeats per row (the median is reported)'): IntFlag => ({ type: 'int', default: dflt, min: 1, max: 1000, help }),
  seed: (dflt = 0, help = 'random seed'): IntFlag => ({ type: 'int', default: dflt, min: 0, max: 2 ** 32 - 1, help }),
  int: (dflt: number, min: number, help: string, max?: number): IntFlag => ({ type: 'int', default: dflt, min, max, help }),
  choice: (choices: readonly string[], dflt: string, help: string): ChoiceFlag => ({ type: 'choice', choices, default: dflt, help }),
};

/** The flags every scenario may take (the runner validates them the same way for all). */
export const COMMON_FLAGS = ['workers', 'device', 'n', 'epochs', 'repeat', 'seed'] as const;

/** Used for a user's module that exports no `flags`: every common flag, with these defaults. */
export const DEFAULT_FLAGS: FlagSpecs = {
  workers: F.workers(), device: F.device(), n: F.n(1_000_000), epochs: F.epochs(10), repeat: F.repeat(3), seed: F.seed(),
};

export function cores(): number {
  const env = process.env.TROUPE_WORKERS;
  if (env && Number.isInteger(Number(env)) && Number(env) > 0) return Number(env);
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Parses '300000', '1e7', '10_000_000'; NaN when not a number. */
export function parseNumber(s: string): number {
  const t = s.trim().replace(/_/g, '');
  return t === '' ? NaN : Number(t);
}

// ───────────────────────────── context and results ─────────────────────────────

export interface GpuInfo { available: boolean; name: string | null; limits: Record<string, number> | null; reason: string | null }

export interface ScenarioContext<S extends FlagSpecs = FlagSpecs> {
  /** The scenario's name (a user's file: its `name` export or its file name). */
  scenario: string;
  flags: FlagValues<S>;
  /** The engine (`import * as torch from 'troupe'`); use this one, not another copy. */
  torch: typeof Torch;
  /** A progress bar on a terminal; silent when stderr is not a TTY or with --json. Call stop() when done. */
  progress(label: string, total: number): Progress;
  /** A line for a person (stderr; silent with --json). */
  log(line: string): void;
  /** The GPU as probed by the runner (null when the scenario did not ask for one). */
  gpu: GpuInfo | null;
  /** The machine's core count (or TROUPE_WORKERS). */
  cores: number;
}

export type Cell = number | string | boolean | null;
export interface Column {
  key: string;
  label?: string;
  /** Digits after the point for numbers (default: 3 significant-ish, see fmtNumber). */
  digits?: number;
  /** Appended to numbers in the printed table (e.g. '×'). */
  unit?: string;
}
export interface Table { title?: string; columns: Column[]; rows: Array<Record<string, Cell>> }

export interface ScenarioResult {
  /** Printed as aligned tables; in JSON as { title, columns, rows } with raw numbers. */
  tables: Table[];
  /** Lines printed under the tables (and kept in the JSON). */
  notes?: string[];
  /** Anything else machine-readable. */
  data?: Record<string, unknown>;
  /** A Vega-Lite spec: rendered to SVG next to the JSON when --out is given. */
  chart?: Record<string, unknown>;
}

export function isScenarioResult(x: unknown): x is ScenarioResult {
  return typeof x === 'object' && x !== null && Array.isArray((x as ScenarioResult).tables);
}

// ───────────────────────────── timing ─────────────────────────────

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seconds one call of f takes. */
export async function seconds(f: () => unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

/**
 * Lets V8 finish the main-thread work that earlier code left pending before a timed region starts, as a
 * CUDA benchmark synchronizes first: `ms` of event-loop turns. A large read (a loop's checksum of w, 4N
 * bytes) starts an incremental collection that only a task can finish, and a training loop whose awaits
 * are all microtasks runs no task: the next loop ran with marking on, ~1.6x slower for its whole length
 * (stand-in GPU backend, 20 loops: median 24 -> 15 ms with 5 ms here, 10 ms with 20 ms).
 */
export async function quiesce(ms = 20): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) await new Promise((r) => setTimeout(r, 1));
}

/** Runs f `repeat` times; returns every time and the median (seconds). */
export async function timeRepeats(repeat: number, f: () => unknown, onEach?: () => void): Promise<{ median: number; times: number[] }> {
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    times.push(await seconds(f));
    onEach?.();
  }
  return { median: median(times), times };
}

// ───────────────────────────── printing ─────────────────────────────

/** Numbers as a person reads them: 0.0123, 1.23, 123.4, 12345; integers as they are. */
export function fmtNumber(v: number, digits?: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return v.toExponential(3);
  if (digits !== undefined) return v.toFixed(digits);
  if (Number.isInteger(v)) return String(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a >= 0.001) return v.toPrecision(3);
  return v.toExponential(2);
}

function cellText(v: Cell, c: Column): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return fmtNumber(v, c.digits) + (c.unit ?? '');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return v;
}

/** An aligned plain-text table: numbers right-aligned, text left-aligned, a rule under the header. */
export function formatTable(t: Table): string {
  const cols = t.columns;
  const head = cols.map((c) => c.label ?? c.key);
  const body = t.rows.map((r) => cols.map((c) => cellText(r[c.key] ?? null, c)));
  const right = cols.map((c) => t.rows.some((r) => typeof r[c.key] === 'number'));
  const width = cols.map((_, j) => Math.max(head[j].length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => cells.map((s, j) => (right[j] ? s.padStart(width[j]) : s.padEnd(width[j]))).join('  ').trimEnd();
  const out: string[] = [];
  if (t.title) out.push(t.title);
  out.push(line(head), width.map((w) => '─'.repeat(w)).join('  '));
  for (const b of body) out.push(line(b));
  return out.join('\n');
}

// ───────────────────────────── charts ─────────────────────────────

/** Renders a Vega-Lite spec to an SVG string in Node (no browser, no canvas). */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// ───────────────────────────── sizes ─────────────────────────────

export const GiB = 2 ** 30;
export function fmtBytes(b: number): string {
  if (b >= GiB) return `${(b / GiB).toFixed(1)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(0)} MiB`;
  return `${Math.ceil(b / 1024)} KiB`;
}
/** plural(1, 'epoch') → '1 epoch', plural(3, 'epoch') → '3 epochs'. */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** Seconds for a chart label: '24 ms', '1.23 s'. */
export const fmtSeconds = (s: number) => (s < 1 ? `${(s * 1000).toPrecision(3).replace(/\.?0+$/, '')} ms` : `${s.toFixed(2)} s`);
/** '10000000' → '1e7', '300000' → '300000' (for labels). */
export function fmtCount(n: number): string {
  if (n >= 1e6 && /^[1-9]0+$/.test(String(n))) return `1e${String(n).length - 1}`;
  return String(n);
}

/** A JSON.stringify replacer that keeps NaN and ±Infinity as the strings 'NaN', 'Infinity', '-Infinity' (JSON
 * itself would write null, which reads as "no value" — the tour's 10M loop ends with a NaN loss, in PyTorch too). */
export const keepNonFinite = (_key: string, x: unknown): unknown => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x);

/**
 * Runs one of scripts/*.py with Debian's python3-torch (/usr/bin/python3) and parses the JSON line it
 * prints last; or says why not (with the apt package to install when PyTorch is missing).
 */
export function runTorchScript<T>(script: string, args: Array<string | number>): T | { error: string } {
  const path = fileURLToPath(new URL(`../scripts/${script}`, import.meta.url));
  const py = spawnSync('/usr/bin/python3', [path, ...args.map(String)], { encoding: 'utf8' });
  if (py.status !== 0) {
    const why = (py.stderr || py.error?.message || 'python3 failed').trim().split('\n').pop()!;
    return { error: /No module named 'torch'|ENOENT/.test(why) ? `${why} (apt-get install python3-torch)` : why };
  }
  try { return JSON.parse(py.stdout.trim().split('\n').pop()!) as T; } catch { return { error: `unreadable output from ${script}: ${py.stdout.slice(0, 200)}` }; }
}
