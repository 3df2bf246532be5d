#!/usr/bin/env bash
# Run one multiboot firmware image under QEMU and under emu with a CPU model
# and compare each with a recorded output: QEMU must still print
# GOLDEN_DIR/NAME.qemu and emu must print GOLDEN_DIR/NAME.expected (the QEMU
# record with the differences GOLDEN_DIR/README.md explains, each a place
# where QEMU departs from the SDM). Both must exit with EXPECTED_STATUS.
#
# usage: recorded_qemu_emu.sh EMU FIRMWARE CPU GOLDEN_DIR EXPECTED_STATUS WORKDIR
set -u

if [ $# -ne 6 ]; then
    echo "usage: $0 EMU FIRMWARE CPU GOLDEN_DIR EXPECTED_STATUS WORKDIR" >&2
    exit 2
fi
emu=$1
firmware=$2
cpu=$3
golden=$4
expected=$5
workdir=$6
timeout_s=60

qemu=$(command -v qemu-system-x86_64)
if [ -z "$qemu" ]; then
    echo "FAIL: qemu-system-x86_64 not found; run scripts/install-deps.sh" >&2
    exit 1
fi
mkdir -p "$workdir" || exit 1
name=$(basename "$firmware")
stem=${name%.elf}
cd "$(dirname "$firmware")" || exit 1

timeout "$timeout_s" "$qemu" -cpu "$cpu" -kernel "$name" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -serial stdio -display none -no-reboot </dev/null >"$workdir/$stem.qemu.out"
qemu_status=$?
timeout "$timeout_s" "$emu" --cpu "$cpu" "$name" </dev/null >"$workdir/$stem.emu.out" \
    2>"$workdir/$stem.emu.err"
emu_status=$?

failed=0
if [ "$qemu_status" -ne "$expected" ]; then
    echo "FAIL: QEMU exit status $qemu_status, want $expected" >&2
    failed=1
fi
if ! diff -u "$golden/$stem.qemu" "$workdir/$stem.qemu.out" >&2; then
    echo "FAIL: QEMU no longer prints $golden/$stem.qemu (update it and the README)" >&2
    failed=1
fi
if [ "$emu_status" -ne "$expected" ]; then
    echo "FAIL: emu exit status $emu_status, want $expected; stderr: $(cat "$workdir/$stem.emu.err")" >&2
    failed=1
fi
if ! diff -u "$golden/$stem.expected" "$workdir/$stem.emu.out" >&2; then
    echo "FAIL: emu's output differs from $golden/$stem.expected" >&2
    failed=1
fi
[ "$failed" -eq 0 ] && echo "PASS: $name under QEMU and emu (-cpu $cpu) prints the recorded outputs"
exit "$failed"
