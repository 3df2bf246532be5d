#!/usr/bin/env bash
# Run a firmware with --trace and check every JSON line against docs/trace.md:
# the fields and their types (x86_64 or aarch64), and that the steps' cycles add up to the record's.
# usage: check_trace.sh EMU FIRMWARE WORKDIR [EMU OPTION]...
set -u
emu=$1
firmware=$2
workdir=$3
shift 3
command -v jq >/dev/null || { echo "FAIL: jq not found; run scripts/install-deps.sh"; exit 1; }
mkdir -p "$workdir" || exit 1
trace=$workdir/trace.jsonl
"$emu" --trace "$trace" "$@" "$firmware" >"$workdir/out" 2>"$workdir/err" </dev/null
lines=$(wc -l <"$trace")
if [ "$lines" -lt 3 ]; then
    echo "FAIL: expected several trap records, got $lines; stderr: $(cat "$workdir/err")"
    exit 1
fi
hex='^0x[0-9a-f]+$'
bad=$(jq -c --arg hex "$hex" '
  select(
    (.seq | type) != "number" or (.arch != "x86_64" and .arch != "aarch64") or
    ([.kind] | inside(["fault","trap","abort","software","syscall","interrupt","nmi","call gate","return"]) | not) or
    (.vector | type) != "number" or
    (if .arch == "aarch64" then
       ((.esr | type) != "string" and .esr != null) or ((.far | type) != "string" and .far != null) or
       (.spsr | test($hex) | not) or (.vbar | test($hex) | not) or
       .el.from != .from.priv or .el.to != .to.priv
     else
       ((.error_code | type) != "number" and .error_code != null) or (.cr2 | test($hex) | not) or
       (.gs_base | test($hex) | not) or (.kernel_gs_base | test($hex) | not)
     end) or
    (.cycle_start | type) != "number" or (.cycles | type) != "number" or
    (.from.pc | test($hex) | not) or (.from.sp | test($hex) | not) or (.from.priv | type) != "number" or
    (.to.pc | test($hex) | not) or (.to.sp | test($hex) | not) or (.to.priv | type) != "number" or
    (.to.stack | type) != "string" or (.escalation | type) != "string" or
    (.source | type) != "string" or
    (.steps | type) != "array" or (.steps | length) == 0 or
    ([.steps[] | select((.name | type) != "string" or (.addr | test($hex) | not) or
                        (.value | test($hex) | not) or (.cycles | type) != "number")] | length) != 0 or
    ([.steps[].cycles] | add) != .cycles
  )' "$trace")
if [ -n "$bad" ]; then
    echo "FAIL: records that do not match docs/trace.md:"
    echo "$bad" | head -5
    exit 1
fi
seqs=$(jq -r .seq "$trace" | tr '\n' ' ')
want=$(seq 1 "$lines" | tr '\n' ' ')
if [ "$seqs" != "$want" ]; then
    echo "FAIL: seq is not 1..$lines in order: $seqs"
    exit 1
fi
echo "$lines passed, 0 failed"
