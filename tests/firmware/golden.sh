#!/usr/bin/env bash
# Run one multiboot firmware image under emu (or under QEMU with --qemu) and
# require its serial output and exit status to equal a checked-in file: the
# output, then a last line "[exit N]".
#
# usage: golden.sh EMU FIRMWARE EXPECTED WORKDIR [--qemu] [--append STRING] [--inject SPEC]...
#
# The firmware runs from its own directory under its bare file name (QEMU
# passes the kernel path as given, then a space and -append's string, as the
# multiboot command line). With RECORD=1 the output is written to EXPECTED
# instead of compared: how the QEMU recordings are made; the files emu must
# match are then read against the SDM and edited by hand (README.md).
set -u

if [ $# -lt 4 ]; then
    echo "usage: $0 EMU FIRMWARE EXPECTED WORKDIR [--qemu] [--append STRING] [--inject SPEC]..." >&2
    exit 2
fi
emu=$1
firmware=$2
expected=$3
workdir=$4
shift 4
timeout_s=60
runner=emu
append=
injects=()
while [ $# -gt 0 ]; do
    case $1 in
    --qemu) runner=qemu; shift ;;
    --append) append=$2; shift 2 ;;
    --inject) injects+=(--inject "$2"); shift 2 ;;
    *) echo "$0: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [ ! -f "$firmware" ]; then
    echo "FAIL: firmware not found at $firmware (build the firmware first)" >&2
    exit 1
fi
mkdir -p "$workdir" || exit 1
name=$(basename "$firmware")
out=$workdir/$(basename "$expected").$runner.out
err=$workdir/$(basename "$expected").$runner.err
cd "$(dirname "$firmware")" || exit 1

if [ "$runner" = qemu ]; then
    qemu=$(command -v qemu-system-x86_64)
    if [ -z "$qemu" ]; then
        echo "FAIL: qemu-system-x86_64 not found; run scripts/install-deps.sh" >&2
        exit 1
    fi
    if [ ${#injects[@]} -ne 0 ]; then
        echo "$0: QEMU cannot inject an interrupt at an instruction" >&2
        exit 2
    fi
    timeout "$timeout_s" "$qemu" -kernel "$name" -append "$append" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial stdio -display none -no-reboot </dev/null >"$out" 2>"$err"
    status=$?
else
    if [ ! -x "$emu" ]; then
        echo "FAIL: emu not found at $emu (build the emu target first)" >&2
        exit 1
    fi
    timeout "$timeout_s" "$emu" --append "$append" "${injects[@]}" "$name" \
        </dev/null >"$out" 2>"$err"
    status=$?
fi
if [ "$status" -eq 124 ]; then
    echo "FAIL: $runner did not finish within ${timeout_s}s" >&2
    exit 1
fi
echo "[exit $status]" >>"$out"

if [ "${RECORD:-0}" = 1 ]; then
    cp "$out" "$expected" && echo "recorded $expected"
    exit
fi
if ! cmp -s "$expected" "$out"; then
    echo "FAIL: $runner's output differs from $expected (--- expected, +++ $runner):" >&2
    diff -u --label "expected: $expected" --label "$runner: $out" "$expected" "$out" >&2
    if [ -s "$err" ]; then
        echo "$runner's stderr:" >&2
        cat "$err" >&2
    fi
    exit 1
fi
echo "PASS: $name under $runner: $(wc -l <"$out") lines as $(basename "$expected")"
