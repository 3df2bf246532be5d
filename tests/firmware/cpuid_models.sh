#!/usr/bin/env bash
# CPUID of each CPU model, checked against the peer: the cpuid firmware runs
# under `qemu-system-x86_64 -cpu MODEL` and under `emu --cpu MODEL`. QEMU must
# still print what cpuid/MODEL.qemu recorded, and emu must print
# cpuid/MODEL.expected: the QEMU record with the documented differences
# (cpuid/README.md). Any other difference fails with a diff.
#
# usage: cpuid_models.sh EMU FIRMWARE GOLDEN_DIR WORKDIR
set -u
emu=$1
firmware=$2
golden=$3
workdir=$4
qemu=$(command -v qemu-system-x86_64)
if [ -z "$qemu" ]; then
    echo "FAIL: qemu-system-x86_64 not found; run scripts/install-deps.sh" >&2
    exit 1
fi
mkdir -p "$workdir" || exit 1
failures=0
passes=0
for record in "$golden"/*.qemu; do
    model=$(basename "$record" .qemu)
    timeout 60 "$qemu" -cpu "$model" -kernel "$firmware" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial stdio -display none -no-reboot </dev/null >"$workdir/$model.qemu" 2>/dev/null
    timeout 60 "$emu" --cpu "$model" "$firmware" </dev/null >"$workdir/$model.emu" 2>"$workdir/$model.err"
    if ! diff -u "$record" "$workdir/$model.qemu"; then
        echo "FAIL $model: QEMU no longer prints the recorded CPUID (update $record and the README)"
        failures=$((failures + 1))
    elif ! diff -u "$golden/$model.expected" "$workdir/$model.emu"; then
        echo "FAIL $model: emu's CPUID differs from $golden/$model.expected; stderr: $(cat "$workdir/$model.err")"
        failures=$((failures + 1))
    else
        passes=$((passes + 1))
    fi
done
echo "$passes passed, $failures failed"
[ "$failures" = 0 ] && [ "$passes" -gt 0 ]
