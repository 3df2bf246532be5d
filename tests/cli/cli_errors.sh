#!/usr/bin/env bash
# Checks that emu refuses bad input with one line on stderr and status 2,
# and that --help/--version work. Usage: cli_errors.sh path/to/emu
set -u
emu="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

# expect NAME STATUS STDERR_PATTERN -- ARGS...
expect() {
  local name="$1" want_status="$2" pattern="$3"
  shift 4
  "$emu" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local status=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$status" != "$want_status" ]; then
    echo "FAIL $name: status $status, want $want_status; stderr: $(cat "$tmp/err")"
    failures=$((failures + 1))
  elif ! grep -Eq -- "$pattern" "$tmp/err" "$tmp/out"; then
    echo "FAIL $name: output does not match /$pattern/; stderr: $(cat "$tmp/err")"
    failures=$((failures + 1))
  elif [ "$want_status" = 2 ] && [ "$lines" != 1 ] && [ "$name" != "no-args" ]; then
    echo "FAIL $name: want exactly one line on stderr, got $lines: $(cat "$tmp/err")"
    failures=$((failures + 1))
  else
    passes=$((passes + 1))
  fi
}

printf 'hello, not an ELF\n' >"$tmp/text.bin"
: >"$tmp/empty.elf"
printf '\x7fELF\x02\x01\x01' >"$tmp/truncated.elf"
# A valid ELF64 header for AArch64 (e_machine 183) with no program headers.
python3 - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
def ehdr(cls, machine, etype=2):
    ident = b'\x7fELF' + bytes([cls, 1, 1, 0]) + bytes(8)
    if cls == 2:
        return ident + struct.pack('<HHIQQQIHHHHHH', etype, machine, 1, 0x100000, 0, 0, 0, 64, 56, 0, 64, 0, 0)
    return ident + struct.pack('<HHIIIIIHHHHHH', etype, machine, 1, 0x100000, 0, 0, 0, 52, 32, 0, 40, 0, 0)
open(f'{d}/riscv.elf', 'wb').write(ehdr(2, 243))
open(f'{d}/aarch64.elf', 'wb').write(ehdr(2, 183))
open(f'{d}/nosegs.elf', 'wb').write(ehdr(2, 62))
open(f'{d}/i386-plain.elf', 'wb').write(ehdr(1, 3))
open(f'{d}/dyn.elf', 'wb').write(ehdr(2, 62, etype=3))
def exe64(code, entry=0x100000):
    ident = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, entry, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    off = 0x1000
    ph = struct.pack('<IIQQQQQQ', 1, 5, off, entry, entry, len(code), len(code), 0x1000)
    img = eh + ph
    return img + bytes(off - len(img)) + code
open(f'{d}/halt.elf', 'wb').write(exe64(b'\xfa\xf4'))          # cli; hlt
open(f'{d}/spin.elf', 'wb').write(exe64(b'\xeb\xfe'))          # jmp .
open(f'{d}/badport.elf', 'wb').write(exe64(b'\xe6\x42'))       # out 0x42, al
PY
mkdir "$tmp/dir.elf"
touch "$tmp/unreadable.elf"; chmod 000 "$tmp/unreadable.elf"

expect help 0 'usage: emu' -- --help
expect version 0 '^emu \(ringside\) [0-9]' -- --version
expect no-args 2 'no firmware file' --
expect two-files 2 'expected one firmware file' -- a b
expect unknown-option 2 "unknown option '--frobnicate'" -- --frobnicate x.elf
expect missing-value 2 "needs a value" -- x.elf --memory
expect bad-memory 2 "--memory 'lots'" -- --memory lots x.elf
expect bad-max-insns 2 "--max-insns '-5'" -- --max-insns -5 x.elf
expect bad-gic 2 "--gic '4': expected 2 or 3" -- --gic 4 x.elf
expect bad-el 2 "--el '3': expected 1 or 2" -- --el 3 x.elf
expect bad-arch 2 "--arch 'riscv': expected x86_64 or aarch64" -- --arch riscv x.elf
expect missing-file 2 "cannot open '.*/nope.elf': No such file" -- "$tmp/nope.elf"
expect directory 2 "is not a regular file" -- "$tmp/dir.elf"
expect not-elf 2 "not an ELF file" -- "$tmp/text.bin"
expect empty 2 "not an ELF file" -- "$tmp/empty.elf"
expect device-file 2 "is not a regular file" -- /dev/null
expect truncated 2 "(truncated|malformed)" -- "$tmp/truncated.elf"
expect wrong-arch 2 "RISC-V" -- "$tmp/riscv.elf"
expect aarch64 2 "no loadable segments" -- "$tmp/aarch64.elf"
expect no-segments 2 "no loadable segments" -- "$tmp/nosegs.elf"
expect i386-no-multiboot 2 "without a multiboot header|no loadable segments" -- "$tmp/i386-plain.elf"
expect not-executable 2 "not an executable" -- "$tmp/dyn.elf"
expect bad-cpu 2 "pentium9000" -- --cpu pentium9000 "$tmp/halt.elf"
expect halt 0 "halt: .*interrupts disabled" -- "$tmp/halt.elf"
expect insn-limit 8 "instruction limit reached after 1000 instructions" -- --max-insns 1000 "$tmp/spin.elf"
expect stats 8 "^insns=1000 cycles=[0-9]+" -- --stats --max-insns 1000 "$tmp/spin.elf"
expect unlisted-port 10 "I/O port 0x42" -- "$tmp/badport.elf"
expect too-much-memory 2 "memory size" -- --memory 64G "$tmp/halt.elf"
expect cpu-help 0 "qemu64" -- --cpu help
expect cpu-help-aarch64 0 "cortex-a72 *MIDR_EL1 0x410fd083" -- --cpu help
if [ "$(id -u)" != 0 ]; then
  expect unreadable 2 "Permission denied" -- "$tmp/unreadable.elf"
fi

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
