/**
 * Which Vulkan driver Dawn (npm `webgpu`) should load, decided the way a user expects with no variables
 * set:
 *   1. VK_DRIVER_FILES / VK_ICD_FILENAMES already set: respected as they are.
 *   2. A system driver that is not lavapipe (NVIDIA, AMD, Intel…) in the loader's search folders: the
 *      environment is left alone and the loader finds it. An NVIDIA manifest that only exists outside
 *      those folders (/usr/local/nvidia/…, as some containers mount it) is named in VK_DRIVER_FILES.
 *   3. The project-local lavapipe built by scripts/setup-lavapipe.sh (.cache/lavapipe/lvp_icd.json).
 *   4. A system lavapipe (Debian 12's Mesa 22.3 one is refused by Dawn, so it only comes after 3).
 *
 * The Vulkan loader reads these variables with getenv() when Dawn creates its instance, so they must be
 * in the real process environment, not only in a worker's private copy of process.env: the GPU worker
 * runs with `env: SHARE_ENV` and calls applyVulkanEnv() before it imports 'webgpu'.
 *
 * The project-local driver finds its own newer libraries (libdrm…) through an $ORIGIN RPATH written by
 * the setup script, so no LD_LIBRARY_PATH is needed inside this process (the dynamic linker reads that
 * variable only when a process starts). `libraryPath` is still given for tools started as child
 * processes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type VulkanSource = 'env' | 'system' | 'lavapipe' | 'system-lavapipe' | 'none';

export interface VulkanEnv {
  source: VulkanSource;
  /** Variables to set (empty when the environment is to be left alone). */
  vars: Record<string, string>;
  /** One line saying what was chosen and why. */
  detail: string;
  /** The project-local lavapipe manifest when it exists (used as a fallback when a system driver
   * gives no adapter). */
  localIcd: string | null;
}

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const LOCAL_ICD = join(PROJECT_ROOT, '.cache/lavapipe/lvp_icd.json');

/** The folders the Vulkan loader searches for driver manifests when no variable is set. */
function loaderIcdDirs(env: NodeJS.ProcessEnv): string[] {
  const cfg = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const data = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const home = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local/share');
  return [
    ...cfg.map((d) => join(d, 'vulkan/icd.d')), '/etc/vulkan/icd.d',
    ...data.map((d) => join(d, 'vulkan/icd.d')), join(home, 'vulkan/icd.d'),
  ].filter((d) => d && d !== 'vulkan/icd.d');
}

/** NVIDIA manifests some container runtimes mount outside the loader's folders. */
const EXTRA_NVIDIA = [
  '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json',
  '/usr/local/nvidia/vulkan/icd.d/nvidia_icd.json',
];

function manifests(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function isLavapipe(manifest: string): boolean {
  if (/lvp/i.test(manifest)) return true;
  try {
    return /libvulkan_lvp/.test(readFileSync(manifest, 'utf8'));
  } catch {
    return false;
  }
}

function localIcdIfUsable(path: string): string | null {
  try {
    const lib = JSON.parse(readFileSync(path, 'utf8'))?.ICD?.library_path;
    return typeof lib === 'string' && existsSync(lib) ? path : null;
  } catch {
    return null;
  }
}

export function findVulkanEnv(env: NodeJS.ProcessEnv = process.env, localIcd = LOCAL_ICD): VulkanEnv {
  const local = localIcdIfUsable(localIcd);
  for (const k of ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES']) {
    if (env[k]) return { source: 'env', vars: {}, detail: `${k}=${env[k]} (set by the user)`, localIcd: local };
  }
  const system = loaderIcdDirs(env).flatMap(manifests);
  const hardware = system.filter((m) => !isLavapipe(m));
  if (hardware.length) {
    return { source: 'system', vars: {}, detail: `system Vulkan drivers: ${hardware.join(', ')}`, localIcd: local };
  }
  const extra = EXTRA_NVIDIA.find((p) => existsSync(p));
  if (extra) {
    return { source: 'system', vars: { VK_DRIVER_FILES: extra }, detail: `system NVIDIA driver ${extra}`, localIcd: local };
  }
  if (local) {
    return {
      source: 'lavapipe', vars: { VK_DRIVER_FILES: local },
      detail: `project-local lavapipe ${local}`, localIcd: local,
    };
  }
  if (system.length) {
    return {
      source: 'system-lavapipe', vars: {},
      detail: `system lavapipe only (${system.join(', ')}); Dawn needs Mesa >= 24: run scripts/setup-lavapipe.sh`,
      localIcd: null,
    };
  }
  return {
    source: 'none', vars: {},
    detail: 'no Vulkan driver found: install one, or run scripts/setup-lavapipe.sh for a CPU (lavapipe) adapter',
    localIcd: null,
  };
}

/** Sets the chosen variables in process.env (in the real environment on the main thread or in a
 * worker started with SHARE_ENV) and returns the decision. */
export function applyVulkanEnv(): VulkanEnv {
  const chosen = findVulkanEnv();
  for (const [k, v] of Object.entries(chosen.vars)) process.env[k] = v;
  return chosen;
}

/** Folders of the project-local driver's own libraries, for an LD_LIBRARY_PATH of a child process. */
export function lavapipeLibraryPath(): string[] {
  const base = join(PROJECT_ROOT, '.cache/lavapipe');
  return ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu', 'usr/lib/aarch64-linux-gnu']
    .map((d) => join(base, d)).filter((d) => existsSync(d));
}
