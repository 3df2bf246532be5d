#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each for SECONDS (default 60).
# Seeds come from fuzz/corpus/<target>/ plus the firmware the default build made.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
for target in fuzz_x86_decode fuzz_x86_exec fuzz_loader fuzz_a64_decode fuzz_a64_exec fuzz_arm64_boot fuzz_virt_devices; do
  work="build/fuzz/corpus/$target"
  mkdir -p "$work"
  if [ -d "fuzz/corpus/$target" ]; then cp -n fuzz/corpus/$target/* "$work"/ 2>/dev/null || true; fi
  if [ "$target" = fuzz_loader ]; then
    find build/default/firmware build/default/bench -name '*.elf' -exec cp -n {} "$work"/ \; 2>/dev/null || true
  fi
  echo "fuzz: $target for ${seconds}s"
  "build/fuzz/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/$target-" "$work" 2>&1 | tail -n 12
  # libFuzzer exits non-zero on a finding; pipefail carries it here.
done
