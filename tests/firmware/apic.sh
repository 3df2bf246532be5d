#!/usr/bin/env bash
# The APIC lesson (firmware/x86_64/apic) three ways:
#  1. under QEMU (-cpu qemu64, pc-testdev) and under emu --cpu qemu64: the same
#     serial bytes and exit status (QEMU 7.2's TCG has no x2APIC, so both
#     print the xAPIC half and "x2APIC: not advertised");
#  2. under emu --cpu Skylake-Client (x2APIC and TSC-deadline advertised):
#     the serial output must equal apic/x2apic.expected, whose x2APIC lines
#     were read against the SDM (apic/README.md), not produced by QEMU.
#
# usage: apic.sh EMU FIRMWARE EXPECTED_STATUS EXPECTED_DIR WORKDIR
set -u

if [ $# -ne 5 ]; then
    echo "usage: $0 EMU FIRMWARE EXPECTED_STATUS EXPECTED_DIR WORKDIR" >&2
    exit 2
fi
emu=$1
firmware=$2
expected=$3
expected_dir=$4
workdir=$5
timeout_s=60

qemu=$(command -v qemu-system-x86_64)
if [ -z "$qemu" ]; then
    echo "FAIL: qemu-system-x86_64 not found; run scripts/install-deps.sh" >&2
    exit 1
fi
for f in "$emu" "$firmware"; do
    if [ ! -e "$f" ]; then
        echo "FAIL: $f not found (build the default target first)" >&2
        exit 1
    fi
done
mkdir -p "$workdir" || exit 1
name=$(basename "$firmware")
cd "$(dirname "$firmware")" || exit 1

failed=0
check_status() {   # who status
    if [ "$2" -ne "$expected" ]; then
        echo "FAIL: $1 exit status $2, the firmware's success status is $expected" >&2
        failed=1
    fi
}

timeout "$timeout_s" "$qemu" -cpu qemu64 -kernel "$name" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -device pc-testdev \
    -serial stdio -display none -no-reboot </dev/null >"$workdir/apic.qemu.out"
check_status QEMU $?
timeout "$timeout_s" "$emu" --cpu qemu64 "$name" </dev/null >"$workdir/apic.emu.out" 2>"$workdir/apic.emu.err"
check_status "emu --cpu qemu64" $?
if ! cmp -s "$workdir/apic.qemu.out" "$workdir/apic.emu.out"; then
    echo "FAIL: xAPIC half differs (--- QEMU, +++ emu):" >&2
    diff -u "$workdir/apic.qemu.out" "$workdir/apic.emu.out" >&2
    failed=1
fi

timeout "$timeout_s" "$emu" --cpu Skylake-Client "$name" </dev/null >"$workdir/apic.x2apic.out" \
    2>"$workdir/apic.x2apic.err"
check_status "emu --cpu Skylake-Client" $?
if ! cmp -s "$expected_dir/x2apic.expected" "$workdir/apic.x2apic.out"; then
    echo "FAIL: x2APIC run differs from x2apic.expected (--- expected, +++ emu):" >&2
    diff -u "$expected_dir/x2apic.expected" "$workdir/apic.x2apic.out" >&2
    failed=1
fi
if [ "$failed" -ne 0 ]; then
    cat "$workdir"/apic.emu.err "$workdir"/apic.x2apic.err >&2
    exit 1
fi
echo "PASS: $name: xAPIC half identical to QEMU, x2APIC half as expected"
