#!/usr/bin/env bash
# Run a register script (README.md) on QEMU's -M virt and on emu's device
# models; the reads must print the same values, line for line.
# usage: compare.sh VIRT_REPLAY SCRIPT GIC_VERSION WORKDIR
set -euo pipefail
replay="$1" script="$2" gic="$3" work="$4"
here="$(cd "$(dirname "$0")" && pwd)"
name="$(basename "$script" .txt)"
mkdir -p "$work"
for tool in qemu-system-aarch64 clang ld.lld; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done
python3 "$here/script_to_asm.py" "$script" "$work/$name.S"
clang --target=aarch64-none-elf -c "$work/$name.S" -o "$work/$name.o"
ld.lld -N -Ttext=0x40080000 -e _start "$work/$name.o" -o "$work/$name.elf"
timeout 60 qemu-system-aarch64 -M "virt,gic-version=$gic" -cpu cortex-a57 -m 128M \
    -display none -monitor none -serial stdio -semihosting -kernel "$work/$name.elf" > "$work/$name.qemu"
"$replay" "$gic" "$script" > "$work/$name.emu"
# The script's read operations, to name each output line.
grep -vE '^\s*(#|$)' "$script" | grep -E '^\s*(r32|r8|mrs)' > "$work/$name.reads"
reads=$(wc -l < "$work/$name.reads")
if [ "$(wc -l < "$work/$name.qemu")" -ne "$reads" ]; then
  echo "$name: QEMU printed $(wc -l < "$work/$name.qemu") values for $reads reads" >&2
  exit 1
fi
if ! paste -d '|' "$work/$name.reads" "$work/$name.qemu" "$work/$name.emu" |
     awk -F'|' '$2 != $3 { printf "%s\n    QEMU %s  emu %s\n", $1, $2, $3; bad = 1 } END { exit bad }'; then
  echo "$name: emu's devices differ from QEMU's (above)" >&2
  exit 1
fi
echo "$name: $reads reads match QEMU"
