#!/usr/bin/env bash
# Builds the WebAssembly kernels of src/backends/cpu/wasm/ with Debian's clang + lld
# (apt-get install -y clang lld). The .wasm files are committed, so installs need no clang.
#
#   rng.c -> rng.wasm   counter-based random fills (wasm.ts)
#   ew.c  -> ew.wasm    float32 and 64-bit (float64, int64) elementwise ops and block reductions (simd.ts)
#   mm.c  -> mm.wasm    float64 matmul micro-kernel over packed operands (matmul.ts)
#   conv.c -> conv.wasm 2-D convolution (forward, input and weight gradients) of float32 data (conv.ts)
#
# Each module imports a *shared* memory (env.memory, any size up to 4 GiB) so
# workers can run it directly on a SharedArrayBuffer. It must not use a
# linear-memory stack, data segments or mutable globals (several instances in
# different threads share one memory), which this script checks.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=src/backends/cpu/wasm
CLANG=${CLANG:-clang}

build() { # build NAME EXPORT...
  local name=$1; shift
  local src=$DIR/$name.c out=$DIR/$name.wasm
  "$CLANG" --target=wasm32-unknown-unknown -O3 -msimd128 -matomics -mbulk-memory \
    -ffp-contract=off -fno-builtin -nostdlib \
    -Wall -Wextra -Werror \
    -Wl,--no-entry -Wl,--export-dynamic -Wl,--import-memory -Wl,--shared-memory \
    -Wl,--initial-memory=65536 -Wl,--max-memory=4294967296 \
    -Wl,-z,stack-size=0 -Wl,--strip-all \
    -o "$out" "$src"

  # Sanity checks on the result (need node; wasm-objdump from wabt is optional).
  node --input-type=module -e "
import { readFileSync } from 'node:fs';
const bytes = readFileSync('$out');
const mod = new WebAssembly.Module(bytes);
const imports = WebAssembly.Module.imports(mod);
const exports = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
if (imports.length !== 1 || imports[0].kind !== 'memory') throw new Error('unexpected imports ' + JSON.stringify(imports));
for (const n of '$*'.split(' '))
  if (!exports.includes(n)) throw new Error('missing export ' + n);
console.log('$out: ' + bytes.length + ' bytes, exports ' + exports.join(', '));
"
  if command -v wasm-objdump >/dev/null; then
    if wasm-objdump -d "$out" | grep -Eq 'global\.(get|set)|memory\.init|data\.drop'; then
      echo "error: $name.wasm uses globals / data segments (a linear-memory stack?)" >&2
      exit 1
    fi
    # (lld always defines an unused __stack_pointer global; no code may touch it.)
    if wasm-objdump -h "$out" | grep -Eq '^ *(Data|DataCount) '; then
      echo "error: $name.wasm has a data section" >&2
      exit 1
    fi
  fi
}

build rng rng_uniform_f32 rng_uniform_f64 rng_normal_f32 rng_normal_f64
build ew ew_binary_vv ew_binary_vs ew_binary_sv ew_unary ew_fill ew_copy ew_block_sum ew_block_dot ew_compare ew_where ew_binary_bool ew_sum_cols ew_block_minmax ew64_binary ew64_compare ew64_convert ew64_where ew64_block_sum ew8_block_sum ew64_unary ew64_block_minmax ew64_sum_cols ew64_binary_rows ew64_binary_mixed ew_minmax_cols ew64_iota ew_transpose64
build mm mm_strip4
build conv conv_scratch_bytes conv_forward conv_input_grad conv_weight_grad pool_max_forward pool_max_grad
