/**
 * Opens the GPU in a child process and prints one JSON line: { available, name, limits, reason }.
 * The runner asks here first so that a machine without an adapter gets one clean line, not the Vulkan
 * loader's and Dawn's own messages on stderr.
 */
import * as torch from '../src/index.ts';

let out: { available: boolean; name: string | null; limits: Record<string, number> | null; reason: string | null };
try {
  const available = await torch.gpu.isAvailable();
  const info = torch.gpu.info();
  out = available && info
    ? { available: true, name: info.name, limits: info.limits, reason: null }
    : { available: false, name: null, limits: null, reason: await torch.gpu.getDeviceName(0).then(() => 'unknown', (e: Error) => e.message) };
} catch (e) {
  out = { available: false, name: null, limits: null, reason: e instanceof Error ? e.message : String(e) };
}
process.stdout.write(JSON.stringify(out) + '\n');
await torch.shutdown().catch(() => {});
