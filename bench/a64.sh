#!/usr/bin/env bash
# AArch64 on the virt machine, emu against QEMU TCG (bench/README.md):
# guest MIPS of the integer loop (a64_int.elf; emu --stats counts the
# instructions, and QEMU runs the same deterministic program), and SVC round
# trips per second (EL0 -> EL1 -> ERET, a64_svc.elf), start-up subtracted with
# the zero-iteration a64_svc0.elf. Both emulators must print the same lines.
#
# usage: bench/a64.sh [BUILD_DIR]     (default: build/release)
set -u

build_dir=${1:-build/release}
emu=$build_dir/emu
bench=$build_dir/bench
qemu=$(command -v qemu-system-aarch64)

die() {
    echo "a64 bench: $*" >&2
    exit 1
}

[ -n "$qemu" ] || die "qemu-system-aarch64 not found; run scripts/install-deps.sh"
[ -x "$emu" ] || die "no emu at $emu (build it, or pass the build directory)"
for f in a64_int a64_svc a64_svc0; do
    [ -f "$bench/$f.elf" ] || die "no $bench/$f.elf (build the firmware_aarch64_$f target)"
done

workdir=$(mktemp -d) || die "cannot create a temporary directory"
trap 'rm -rf "$workdir"' EXIT

now_ns() {
    date +%s%N
}

# run_one EMULATOR FIRMWARE: output to $workdir/EMULATOR-FIRMWARE.out, wall ns to .ns.
run_one() {
    local start status out=$workdir/$1-$2
    start=$(now_ns)
    case $1 in
    # Only the integer loop needs --stats (its instruction count); the SVC loops run as traps.sh's do,
    # recording on and no trap output or summary.
    emu) if [ "$2" = a64_int ]; then
             "$emu" --stats "$bench/$2.elf" </dev/null >"$out.out" 2>"$out.err"
         else
             "$emu" "$bench/$2.elf" </dev/null >"$out.out" 2>"$out.err"
         fi ;;
    qemu) "$qemu" -M virt -cpu cortex-a57 -accel tcg -kernel "$bench/$2.elf" -display none \
              -serial stdio -monitor none -no-reboot </dev/null >"$out.out" 2>"$out.err" ;;
    esac
    status=$?
    echo $(( $(now_ns) - start )) >"$out.ns"
    [ "$status" -eq 0 ] || { cat "$out.out" "$out.err" >&2; die "$1 $2 exited with status $status"; }
}

for f in a64_int a64_svc a64_svc0; do
    run_one emu $f
    run_one qemu $f
    cmp -s "$workdir/emu-$f.out" "$workdir/qemu-$f.out" || {
        diff -u --label QEMU --label emu "$workdir/qemu-$f.out" "$workdir/emu-$f.out" >&2
        die "emu and QEMU disagree on $f"
    }
done

insns=$(sed -n 's/^insns=\([0-9]*\) .*/\1/p' "$workdir/emu-a64_int.err")
[ -n "$insns" ] || die "no instruction count from emu --stats"
trips=$(sed -n 's/^a64bench svc: \([0-9]*\) round trips/\1/p' "$workdir/emu-a64_svc.out")
awk -v n="$insns" -v trips="$trips" \
    -v ei="$(cat "$workdir/emu-a64_int.ns")" -v qi="$(cat "$workdir/qemu-a64_int.ns")" \
    -v es="$(cat "$workdir/emu-a64_svc.ns")" -v qs="$(cat "$workdir/qemu-a64_svc.ns")" \
    -v e0="$(cat "$workdir/emu-a64_svc0.ns")" -v q0="$(cat "$workdir/qemu-a64_svc0.ns")" 'BEGIN {
    printf "%-22s %14s %12s %14s %12s %7s\n", "aarch64", "count", "emu s", "emu rate", "qemu-tcg s", "emu/qemu"
    printf "%-22s %14d %12.3f %10.1f MIPS %12.3f %7.3f\n", "integer loop", n, ei / 1e9, n / (ei / 1e3),
           qi / 1e9, qi / ei
    es_s = (es - e0) / 1e9; qs_s = (qs - q0) / 1e9
    if (es_s <= 0 || qs_s <= 0) { print "a64 bench: the SVC loop took no longer than start-up" > "/dev/stderr"; exit 1 }
    printf "%-22s %14d %12.3f %12.0f/s %12.3f %7.3f\n", "SVC round trips", trips, es_s, trips / es_s, qs_s,
           (trips / es_s) / (trips / qs_s)
}'
