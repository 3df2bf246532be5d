#!/usr/bin/env bash
# Run one AArch64 firmware image under `qemu-system-aarch64 -M virt -cpu
# cortex-a57 -kernel` and under emu and compare each with a recorded output:
# QEMU must still print GOLDEN_DIR/NAME.qemu and emu must print
# GOLDEN_DIR/NAME.expected (the QEMU record with the differences
# GOLDEN_DIR/README.md explains, each a place where QEMU departs from the Arm
# ARM). Both must exit with status 0 (PSCI SYSTEM_OFF). GIC is the GIC
# version both machines get (QEMU -M virt,gic-version=GIC, emu --gic GIC),
# 2 unless given; EL is the entry EL, 1 unless given (2: QEMU
# virtualization=on, emu --el 2).
#
# usage: recorded_qemu_emu_aarch64.sh EMU FIRMWARE GOLDEN_DIR WORKDIR [GIC [EL]]
set -u

if [ $# -lt 4 ] || [ $# -gt 6 ]; then
    echo "usage: $0 EMU FIRMWARE GOLDEN_DIR WORKDIR [GIC [EL]]" >&2
    exit 2
fi
emu=$1
firmware=$2
golden=$3
workdir=$4
gic=${5:-2}
el=${6:-1}
machine="virt,gic-version=$gic"
[ "$el" = 2 ] && machine="$machine,virtualization=on"
timeout_s=60

qemu=$(command -v qemu-system-aarch64)
if [ -z "$qemu" ]; then
    echo "FAIL: qemu-system-aarch64 not found; run scripts/install-deps.sh" >&2
    exit 1
fi
if [ ! -f "$firmware" ]; then
    echo "FAIL: firmware not found at $firmware (build it first)" >&2
    exit 1
fi
mkdir -p "$workdir" || exit 1
stem=$(basename "$firmware" .elf)

timeout "$timeout_s" "$qemu" -M "$machine" -cpu cortex-a57 -kernel "$firmware" -display none \
    -serial stdio -monitor none -no-reboot </dev/null >"$workdir/$stem.qemu.out"
qemu_status=$?
timeout "$timeout_s" "$emu" --gic "$gic" --el "$el" "$firmware" </dev/null >"$workdir/$stem.emu.out" 2>"$workdir/$stem.emu.err"
emu_status=$?

failed=0
for run in qemu:$qemu_status emu:$emu_status; do
    who=${run%%:*}
    status=${run#*:}
    if [ "$status" -ne 0 ]; then
        echo "FAIL: $who exit status $status, want 0 (PSCI SYSTEM_OFF)" >&2
        failed=1
    fi
done
if ! cmp -s "$golden/$stem.qemu" "$workdir/$stem.qemu.out"; then
    echo "FAIL: QEMU no longer prints the recorded $stem.qemu (--- record, +++ QEMU):" >&2
    diff -u "$golden/$stem.qemu" "$workdir/$stem.qemu.out" >&2
    failed=1
fi
if ! cmp -s "$golden/$stem.expected" "$workdir/$stem.emu.out"; then
    echo "FAIL: emu's output differs from $stem.expected (--- expected, +++ emu):" >&2
    diff -u "$golden/$stem.expected" "$workdir/$stem.emu.out" >&2
    cat "$workdir/$stem.emu.err" >&2
    failed=1
fi
[ "$failed" -eq 0 ] || exit 1
echo "PASS: $stem: emu matches $stem.expected ($(wc -l <"$golden/$stem.expected") lines); QEMU matches its record"
