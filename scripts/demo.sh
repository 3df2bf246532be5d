#!/usr/bin/env bash
# Quick start, step 1: install dependencies, build, and run the demo firmware.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
echo "--- emu build/default/firmware/x86_64/hello.elf"
exec build/default/emu build/default/firmware/x86_64/hello.elf
