#!/usr/bin/env bash
# Run the integer-loop benchmark firmware once under emu and once under QEMU
# TCG, and print each one's guest MIPS and their ratio; then the trap
# round-trip rates of bench/traps.sh and the AArch64 rates of bench/a64.sh
# (bench/README.md).
#
# usage: bench/run.sh [BUILD_DIR]     (default: build/release)
#
# The guest instruction count comes from `emu --stats` (stderr line
# "insns=N cycles=M"); QEMU retires the same count, since the firmware is the
# same deterministic program. Wall time covers the whole process, start-up
# included.
set -u

build_dir=${1:-build/release}
emu=$build_dir/emu
firmware=$build_dir/bench/intloop.elf
qemu=$(command -v qemu-system-x86_64)

die() {
    echo "bench: $*" >&2
    exit 1
}

[ -n "$qemu" ] || die "qemu-system-x86_64 not found; run scripts/install-deps.sh"
[ -x "$emu" ] || die "no emu at $emu (build it, or pass the build directory)"
[ -f "$firmware" ] || die "no benchmark firmware at $firmware (build the intloop firmware target)"

workdir=$(mktemp -d) || die "cannot create a temporary directory"
trap 'rm -rf "$workdir"' EXIT

now_ns() {
    date +%s%N
}

start=$(now_ns)
"$emu" --stats "$firmware" </dev/null >"$workdir/emu.out" 2>"$workdir/emu.err"
emu_status=$?
emu_ns=$(( $(now_ns) - start ))

start=$(now_ns)
"$qemu" -accel tcg -kernel "$firmware" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -serial stdio -display none -no-reboot </dev/null >"$workdir/qemu.out"
qemu_status=$?
qemu_ns=$(( $(now_ns) - start ))

# A run that did not finish the same way measures nothing.
if [ "$emu_status" -ne "$qemu_status" ] || ! cmp -s "$workdir/qemu.out" "$workdir/emu.out"; then
    echo "bench: emu and QEMU disagree (exit status emu $emu_status, QEMU $qemu_status)" >&2
    diff -u --label QEMU --label emu "$workdir/qemu.out" "$workdir/emu.out" >&2
    cat "$workdir/emu.err" >&2
    exit 1
fi

insns=$(sed -n 's/.*insns=\([0-9][0-9]*\).*/\1/p' "$workdir/emu.err" | tail -n 1)
[ -n "$insns" ] || die "emu --stats printed no insns=N line: $(cat "$workdir/emu.err")"

awk -v insns="$insns" -v emu_ns="$emu_ns" -v qemu_ns="$qemu_ns" 'BEGIN {
    emu_mips = insns / (emu_ns / 1e3)
    qemu_mips = insns / (qemu_ns / 1e3)
    printf "intloop: %d guest instructions (emu --stats)\n", insns
    printf "%-12s %9.3f s %10.1f MIPS\n", "emu", emu_ns / 1e9, emu_mips
    printf "%-12s %9.3f s %10.1f MIPS\n", "qemu-tcg", qemu_ns / 1e9, qemu_mips
    printf "ratio emu/qemu-tcg: %.3f\n", emu_mips / qemu_mips
}'

echo
"$(dirname "$0")/traps.sh" "$build_dir" || exit 1
echo
exec "$(dirname "$0")/a64.sh" "$build_dir"
