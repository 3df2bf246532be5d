#!/usr/bin/env bash
# Trap round trips per second under emu and under QEMU TCG, and their ratio,
# for the three loops of the traploop firmware: int, pf, syscall
# (bench/README.md).
#
# usage: bench/traps.sh [BUILD_DIR]     (default: build/release)
#
# Each loop is one process per emulator, timed whole; the time of a run with
# zero iterations (start-up and exit alone) is subtracted. The round-trip
# count is the one the firmware prints, and emu and QEMU must print the same.
set -u

build_dir=${1:-build/release}
emu=$build_dir/emu
firmware=$build_dir/bench/traploop.elf
qemu=$(command -v qemu-system-x86_64)
loops="int pf syscall"
# Exit status of isa-debug-exit with DEBUG_EXIT_SUCCESS (firmware/x86_64/boot/boot.h).
success_status=33

die() {
    echo "traps bench: $*" >&2
    exit 1
}

[ -n "$qemu" ] || die "qemu-system-x86_64 not found; run scripts/install-deps.sh"
[ -x "$emu" ] || die "no emu at $emu (build it, or pass the build directory)"
[ -f "$firmware" ] || die "no benchmark firmware at $firmware (build the traploop firmware target)"

workdir=$(mktemp -d) || die "cannot create a temporary directory"
trap 'rm -rf "$workdir"' EXIT

now_ns() {
    date +%s%N
}

# run_one EMULATOR ARGUMENT NAME: run traploop with boot argument ARGUMENT,
# output to $workdir/NAME.out, wall time in ns to $workdir/NAME.ns.
run_one() {
    local start status
    start=$(now_ns)
    case $1 in
    emu)
        "$emu" --append "$2" "$firmware" </dev/null >"$workdir/$3.out" 2>"$workdir/$3.err"
        ;;
    qemu)
        "$qemu" -accel tcg -kernel "$firmware" -append "$2" \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
            -serial stdio -display none -no-reboot </dev/null >"$workdir/$3.out" 2>"$workdir/$3.err"
        ;;
    esac
    status=$?
    echo $(( $(now_ns) - start )) >"$workdir/$3.ns"
    if [ "$status" -ne "$success_status" ]; then
        echo "traps bench: $1 with \"$2\" exited with status $status" >&2
        cat "$workdir/$3.out" "$workdir/$3.err" >&2
        exit 1
    fi
}

for e in emu qemu; do
    run_one "$e" "int 0" "$e-startup"
done

printf "traps: round trips per second, start-up subtracted (emu %.3f s, qemu-tcg %.3f s)\n" \
    "$(awk -v ns="$(cat "$workdir/emu-startup.ns")" 'BEGIN { print ns / 1e9 }')" \
    "$(awk -v ns="$(cat "$workdir/qemu-startup.ns")" 'BEGIN { print ns / 1e9 }')"
printf "%-8s %11s %9s %13s %9s %13s %7s\n" loop "round trips" "emu s" "emu /s" "qemu s" "qemu-tcg /s" ratio

for loop in $loops; do
    run_one emu "$loop" "emu-$loop"
    run_one qemu "$loop" "qemu-$loop"
    # Same deterministic program: a difference means one of them is wrong.
    cmp -s "$workdir/emu-$loop.out" "$workdir/qemu-$loop.out" || {
        echo "traps bench: emu and QEMU disagree on $loop" >&2
        diff -u --label QEMU --label emu "$workdir/qemu-$loop.out" "$workdir/emu-$loop.out" >&2
        exit 1
    }
    count=$(sed -n 's/^traploop [a-z]*: \([0-9][0-9]*\) round trips.*/\1/p' "$workdir/emu-$loop.out")
    [ -n "$count" ] || die "no round-trip count in: $(cat "$workdir/emu-$loop.out")"
    awk -v loop="$loop" -v n="$count" \
        -v emu_ns="$(cat "$workdir/emu-$loop.ns")" -v emu0="$(cat "$workdir/emu-startup.ns")" \
        -v qemu_ns="$(cat "$workdir/qemu-$loop.ns")" -v qemu0="$(cat "$workdir/qemu-startup.ns")" 'BEGIN {
        emu_s = (emu_ns - emu0) / 1e9
        qemu_s = (qemu_ns - qemu0) / 1e9
        if (emu_s <= 0 || qemu_s <= 0) {
            printf "traps bench: %s took no longer than start-up; raise its count\n", loop > "/dev/stderr"
            exit 1
        }
        printf "%-8s %11d %9.3f %13.0f %9.3f %13.0f %7.3f\n", loop, n,
               emu_s, n / emu_s, qemu_s, n / qemu_s, qemu_s / emu_s
    }' || exit 1
done
