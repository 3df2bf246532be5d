#!/usr/bin/env bash
# Run one multiboot firmware image under QEMU and under emu and require the
# same serial output, byte for byte, and the same exit status, which must be
# the one the firmware reports on success.
#
# usage: compare_qemu_emu.sh EMU FIRMWARE EXPECTED_STATUS WORKDIR
#
# Both run from the firmware's directory with its bare file name, because
# QEMU passes the kernel path as given (then a space and -append's string)
# as the multiboot command line, which the firmware prints.
set -u

if [ $# -ne 4 ]; then
    echo "usage: $0 EMU FIRMWARE EXPECTED_STATUS WORKDIR" >&2
    exit 2
fi
emu=$1
firmware=$2
expected=$3
workdir=$4
timeout_s=60

qemu=$(command -v qemu-system-x86_64)
if [ -z "$qemu" ]; then
    echo "FAIL: qemu-system-x86_64 not found; run scripts/install-deps.sh" >&2
    exit 1
fi
if [ ! -x "$emu" ]; then
    echo "FAIL: emu not found at $emu (build the emu target first)" >&2
    exit 1
fi
if [ ! -f "$firmware" ]; then
    echo "FAIL: firmware not found at $firmware (build the firmware first)" >&2
    exit 1
fi

mkdir -p "$workdir" || exit 1
name=$(basename "$firmware")
stem=${name%.elf}
qemu_out=$workdir/$stem.qemu.out
emu_out=$workdir/$stem.emu.out
emu_err=$workdir/$stem.emu.err
cd "$(dirname "$firmware")" || exit 1

timeout "$timeout_s" "$qemu" -kernel "$name" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -serial stdio -display none -no-reboot </dev/null >"$qemu_out"
qemu_status=$?

timeout "$timeout_s" "$emu" "$name" </dev/null >"$emu_out" 2>"$emu_err"
emu_status=$?

failed=0
if [ "$qemu_status" -eq 124 ]; then
    echo "FAIL: QEMU did not finish within ${timeout_s}s" >&2
    failed=1
elif [ "$qemu_status" -ne "$expected" ]; then
    echo "FAIL: QEMU exit status $qemu_status, the firmware's success status is $expected" >&2
    failed=1
fi
if [ "$emu_status" -eq 124 ]; then
    echo "FAIL: emu did not finish within ${timeout_s}s" >&2
    failed=1
elif [ "$emu_status" -ne "$qemu_status" ]; then
    echo "FAIL: exit status: emu $emu_status, QEMU $qemu_status" >&2
    failed=1
fi
if ! cmp -s "$qemu_out" "$emu_out"; then
    echo "FAIL: serial output differs (--- QEMU, +++ emu):" >&2
    diff -u --label "QEMU: $qemu_out" --label "emu: $emu_out" \
        "$qemu_out" "$emu_out" >&2
    failed=1
fi
if [ "$failed" -ne 0 ]; then
    if [ -s "$emu_err" ]; then
        echo "emu's stderr:" >&2
        cat "$emu_err" >&2
    fi
    exit 1
fi
echo "PASS: $name: identical serial output ($(wc -c <"$qemu_out") bytes), exit status $qemu_status"
