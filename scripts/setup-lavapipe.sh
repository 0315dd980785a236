#!/usr/bin/env bash
# Project-local lavapipe (Mesa's CPU Vulkan driver) so WebGPU (Dawn, npm `webgpu`) has an adapter on a
# machine without a GPU.
#
# Debian 12's own lavapipe (Mesa 22.3) is refused by Dawn; Mesa 25.0.7 from bookworm-backports works.
# This script:
#   1. makes sure the Vulkan loader (libvulkan1) is installed system-wide (the only system change);
#   2. with a private APT configuration under .cache/apt (own sources list, lists and cache; /etc is left
#      untouched) downloads mesa-vulkan-drivers from bookworm-backports plus whatever it needs at
#      runtime that this system lacks or has too old (asked from apt itself by a simulated install);
#   3. extracts them with `dpkg-deb -x` into .cache/lavapipe/;
#   4. gives the extracted libraries an $ORIGIN-relative RPATH (patchelf, itself fetched project-locally
#      when missing), so the driver finds its own newer libdrm etc. inside any process, including a worker
#      thread of an already running Node process (LD_LIBRARY_PATH is read only when a process starts);
#   5. writes .cache/lavapipe/lvp_icd.json whose library_path is the absolute path of libvulkan_lvp.so.
# src/backends/gpu/env.ts points VK_DRIVER_FILES at that file when no system driver exists.
#
# Idempotent and fast once done. Always exits 0: when the setup is impossible (no network, not
# Debian 12, no root) it prints one line saying why, and the GPU tests skip themselves.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="$ROOT/.cache"
DEST="$CACHE/lavapipe"
ICD="$DEST/lvp_icd.json"
APTDIR="$CACHE/apt"
TOOLS="$CACHE/lavapipe-tools"

say() { echo "setup-lavapipe: $*"; }
give_up() { say "$* (WebGPU tests will skip without an adapter)"; exit 0; }

# ---- fast path ------------------------------------------------------------------------------------
have_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; }
icd_lib() { sed -n 's/.*"library_path"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$ICD" 2>/dev/null; }
if [ -f "$ICD" ] && [ -f "$(icd_lib)" ] && have_loader; then
  say "ready: $ICD"
  exit 0
fi

[ "$(uname -s)" = Linux ] || give_up "not Linux; install a Vulkan driver for your platform"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || give_up "no apt-get/dpkg-deb on this system"
. /etc/os-release 2>/dev/null || true
[ "${VERSION_CODENAME:-}" = bookworm ] ||
  give_up "recipe is for Debian 12 (bookworm), this is '${VERSION_CODENAME:-unknown}'; install mesa-vulkan-drivers >= 24 from your distribution"
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi

# ---- 1. Vulkan loader (system) ----------------------------------------------------------------------
if ! have_loader; then
  if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    give_up "libvulkan1 (the Vulkan loader) is missing and installing it needs root: apt-get install libvulkan1"
  fi
  export DEBIAN_FRONTEND=noninteractive
  LOCK="-o DPkg::Lock::Timeout=600"
  $SUDO apt-get $LOCK install -y --no-install-recommends libvulkan1 >/dev/null 2>&1 ||
    { $SUDO apt-get $LOCK update >/dev/null 2>&1 &&
      $SUDO apt-get $LOCK install -y --no-install-recommends libvulkan1 >/dev/null 2>&1; } ||
    give_up "could not apt-get install libvulkan1 (no network?)"
  have_loader || give_up "libvulkan1 installed but libvulkan.so.1 not found by ldconfig"
fi

# ---- 2. private APT configuration ------------------------------------------------------------------
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/sources.list.d" "$APTDIR/debs"
cat > "$APTDIR/sources.list" <<EOF
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-backports main
EOF
APT_OPTS=(
  -o "Dir::Etc::sourcelist=$APTDIR/sources.list"
  -o "Dir::Etc::sourceparts=$APTDIR/sources.list.d"
  -o "Dir::State::Lists=$APTDIR/lists"
  -o "Dir::Cache=$APTDIR/cache"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)
apt-get "${APT_OPTS[@]}" update >/dev/null 2>&1
ls "$APTDIR/lists/"*bookworm-backports*Packages* >/dev/null 2>&1 ||
  give_up "cannot fetch the bookworm-backports index from deb.debian.org (no network?)"

# What would `apt-get install mesa-vulkan-drivers/bookworm-backports` bring in on this system? Those are
# exactly the packages missing here or too old (libdrm2 >= 2.4.121 for instance). Nothing is installed:
# -s only simulates against the system's dpkg status.
PKGS=$(apt-get "${APT_OPTS[@]}" -s install --no-install-recommends mesa-vulkan-drivers/bookworm-backports 2>/dev/null |
  sed -n 's/^Inst \([^ ]*\) .*(\([^ ]*\) .*/\1=\2/p' | grep -v '^libvulkan1=' || true)
if ! echo "$PKGS" | grep -q '^mesa-vulkan-drivers='; then
  # The simulation can fail on a system with broken packages: fall back to the known set.
  PKGS="mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports libdrm-common/bookworm-backports"
fi

# ---- 3. download and extract -----------------------------------------------------------------------
rm -rf "$APTDIR/debs" && mkdir -p "$APTDIR/debs"
# shellcheck disable=SC2086
(cd "$APTDIR/debs" && apt-get "${APT_OPTS[@]}" download $PKGS >/dev/null 2>&1) ||
  give_up "apt-get download failed for: $(echo $PKGS | tr '\n' ' ')"
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
for deb in "$APTDIR/debs"/*.deb; do
  dpkg-deb -x "$deb" "$DEST.tmp" || give_up "dpkg-deb -x failed on $deb"
done
LVP="$DEST.tmp/usr/lib/$MULTIARCH/libvulkan_lvp.so"
[ -f "$LVP" ] || give_up "libvulkan_lvp.so not found in the downloaded mesa-vulkan-drivers"

# ---- 4. RPATH so the driver loads its own libraries --------------------------------------------------
PATCHELF=$(command -v patchelf || true)
if [ -z "$PATCHELF" ]; then
  if [ ! -x "$TOOLS/usr/bin/patchelf" ]; then
    mkdir -p "$APTDIR/tools" && rm -f "$APTDIR/tools"/*.deb
    (cd "$APTDIR/tools" && apt-get "${APT_OPTS[@]}" download patchelf/bookworm >/dev/null 2>&1) ||
      give_up "could not download patchelf"
    dpkg-deb -x "$APTDIR/tools"/patchelf_*.deb "$TOOLS"
  fi
  PATCHELF="$TOOLS/usr/bin/patchelf"
fi
for dir in "$DEST.tmp/usr/lib/$MULTIARCH" "$DEST.tmp/lib/$MULTIARCH"; do
  [ -d "$dir" ] || continue
  case "$dir" in
    */usr/lib/*) rp="\$ORIGIN:\$ORIGIN/../../../lib/$MULTIARCH" ;;
    *) rp="\$ORIGIN:\$ORIGIN/../../usr/lib/$MULTIARCH" ;;
  esac
  # DT_RPATH (not RUNPATH) is also searched for the dependencies of dependencies.
  find "$dir" -maxdepth 1 -type f -name '*.so*' -exec "$PATCHELF" --force-rpath --set-rpath "$rp" {} \; ||
    give_up "patchelf failed"
done

# Every library the driver needs must now resolve, from the system or from the extracted packages.
MISSING=$(ldd "$LVP" 2>/dev/null | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
[ -z "$MISSING" ] || give_up "libvulkan_lvp.so still misses: $MISSING"

# ---- 5. install atomically and write the ICD -------------------------------------------------------
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
LIB="$DEST/usr/lib/$MULTIARCH/libvulkan_lvp.so"
API=$(sed -n 's/.*"api_version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$DEST/usr/share/vulkan/icd.d/lvp_icd.json" 2>/dev/null)
cat > "$ICD.tmp" <<EOF
{
    "file_format_version": "1.0.0",
    "ICD": {
        "library_path": "$LIB",
        "api_version": "${API:-1.3.0}"
    }
}
EOF
mv "$ICD.tmp" "$ICD"
say "installed Mesa lavapipe $(ls "$APTDIR/debs" | sed -n 's/^mesa-vulkan-drivers_\([^_]*\)_.*/\1/p') -> $ICD"
exit 0
