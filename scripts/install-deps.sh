#!/usr/bin/env bash
# Install every Debian package ringside's build, tests and benchmarks need.
# Safe to re-run. Needs root (or sudo) on Debian 12 or later.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config   # build
  clang libclang-rt-14-dev lld                   # libFuzzer, sanitizers with clang
  check                                          # unit tests
  libcapstone-dev                                # disassembly, decoder cross-check
  libelf-dev                                     # ELF loading
  libfdt-dev                                     # device trees (AArch64 virt)
  libncurses-dev                                 # debugger TUI
  libunicorn-dev                                 # differential test oracle (GPL: tests only)
  qemu-system-x86                                # golden/peer runs and benchmarks (tests only)
  qemu-system-arm device-tree-compiler           # virt reference DTB and peer runs (tests only)
  binutils jq python3                            # firmware conversion, trace checks, test helpers
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
