#!/usr/bin/env bash
# The trap front ends against the JSON trace of the same run: --trace-traps
# (and its alias --log-traps) prints one line per record, --explain one
# narration per record naming every step in order, --summary and --stats
# count what jq counts in the trace. Also: every option that takes a value
# accepts --option=VALUE as well as --option VALUE.
# usage: trap_front_ends.sh EMU TRAPS_ELF HELLO_ELF WORKDIR
set -u
emu=$1
traps=$2
hello=$3
work=$4
command -v jq >/dev/null || { echo "FAIL: jq not found; run scripts/install-deps.sh"; exit 1; }
rm -rf "$work" && mkdir -p "$work" || exit 1
failures=0
passes=0
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }

# run NAME ARGS...: emu with stdout to $work/NAME.out, stderr to $work/NAME.err, status in $status.
run() {
  local name=$1
  shift
  "$emu" "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null
  status=$?
}

run trace --trace "$work/trace.jsonl" "$traps"
[ "$status" = 33 ] || fail "traps.elf --trace: status $status, want 33: $(cat "$work/trace.err")"
records=$(wc -l <"$work/trace.jsonl")
[ "$records" -ge 10 ] || fail "traps.elf --trace: only $records records"

# --trace=FILE writes the same bytes as --trace FILE.
run trace_eq "--trace=$work/trace_eq.jsonl" "$traps"
if [ "$status" = 33 ] && cmp -s "$work/trace.jsonl" "$work/trace_eq.jsonl"; then pass
else fail "--trace=FILE: status $status, or the trace differs from --trace FILE's"; fi

# Each option that takes a value, joined with '=': the value must reach the option.
expect_eq() {
  local name=$1 want_status=$2 pattern=$3
  shift 3
  run "$name" "$@"
  if [ "$status" != "$want_status" ]; then
    fail "$name: status $status, want $want_status; stderr: $(cat "$work/$name.err")"
  elif ! grep -Eq -- "$pattern" "$work/$name.out" "$work/$name.err"; then
    fail "$name: output does not match /$pattern/; stderr: $(cat "$work/$name.err")"
  else
    pass
  fi
}
expect_eq memory-eq 2 "--memory 'lots'" --memory=lots "$hello"
# The guest prints its memory size: --memory=256M and -m256M must print what --memory 256M prints.
run memory_sp --memory 256M "$hello"
run memory_default "$hello"
want_mem=$(grep '^memory:' "$work/memory_sp.out")
if [ -z "$want_mem" ] || [ "$want_mem" = "$(grep '^memory:' "$work/memory_default.out")" ]; then
  fail "--memory 256M: hello.elf's memory line '$want_mem' is missing or the default's"
fi
expect_eq memory-eq 33 "^$want_mem\$" --memory=256M "$hello"
expect_eq m-joined 33 "^$want_mem\$" -m256M "$hello"
expect_eq cpu-eq 2 "unknown CPU model 'pentium9000'" --cpu=pentium9000 "$hello"
expect_eq append-eq 33 'cmdline: ".* joined=yes"' --append=joined=yes "$hello"
expect_eq initrd-eq 2 "cannot open '$work/no-module'" "--initrd=$work/no-module" "$hello"
expect_eq boot-eq 2 "--boot 'sideways'" --boot=sideways "$hello"
expect_eq max-insns-eq 8 "after 1000 instructions" --max-insns=1000 "$hello"
expect_eq inject-eq 35 "^trap 1: nmi vector 2 .* from injected$" --trace-traps --inject=nmi@case_ud "$traps"
expect_eq trace-eq-empty 2 "--trace '': cannot create" --trace= "$hello"
expect_eq flag-with-value 2 "option '--stats' takes no value" --stats=yes "$hello"

# --trace-traps: one line per record; --log-traps is the same option.
run text --trace-traps "$traps"
lines=$(grep -c '^trap [0-9]*: ' "$work/text.err")
if [ "$lines" = "$records" ]; then pass
else fail "--trace-traps: $lines lines, the trace has $records records"; fi
run text_alias --log-traps "$traps"
if cmp -s "$work/text.err" "$work/text_alias.err"; then pass
else fail "--log-traps prints something other than --trace-traps"; fi
want_kinds=$(jq -r '"trap \(.seq): \(.kind)"' "$work/trace.jsonl")
got_kinds=$(sed -n 's/^\(trap [0-9]*: [a-z]*\) .*/\1/p' "$work/text.err")
if [ "$want_kinds" = "$got_kinds" ]; then pass
else fail "--trace-traps: seq/kind differ from the trace's"; fi

# --explain: one narration per record ("Trap N: " then "  K. NAME: ..." per step, in order).
run explain --explain "$traps"
[ "$status" = 33 ] || fail "--explain: status $status"
narrations=$(grep -c '^Trap [0-9]*: ' "$work/explain.err")
if [ "$narrations" = "$records" ]; then pass
else fail "--explain: $narrations narrations, the trace has $records records"; fi
jq -r '.seq as $s | .steps | to_entries[] | "\($s) \(.key + 1). \(.value.name)"' "$work/trace.jsonl" \
  >"$work/steps.want"
awk '/^Trap [0-9]+: / { seq = $2; sub(":", "", seq) }
     /^  [0-9]+\. / { line = $0; sub(/^  /, "", line); sub(/: .*/, "", line); print seq " " line }' \
  "$work/explain.err" >"$work/steps.got"
if cmp -s "$work/steps.want" "$work/steps.got"; then pass
else fail "--explain: the numbered steps differ from the trace's: $(diff "$work/steps.want" "$work/steps.got" | head -5)"; fi
if grep -q 'does not describe' "$work/explain.err"; then
  fail "--explain: a step got the generic sentence: $(grep 'does not describe' "$work/explain.err" | head -3)"
else pass; fi
closing=$(grep -Ec '^  (The handler.s first instruction is at|Execution resumes at) ' "$work/explain.err")
if [ "$closing" = "$records" ]; then pass
else fail "--explain: $closing closing lines for $records records"; fi

# --summary: the counts and cycles per kind and per vector that jq finds in the trace.
run summary --summary "$traps"
jq -r -s 'group_by(.kind) | .[] | "\(.[0].kind) \(length) \(map(.cycles) | add)"' "$work/trace.jsonl" \
  | sort >"$work/kinds.want"
awk '/^[a-z]/ && $1 != "kind" && $1 != "total" { print $1, $2, $3 }' "$work/summary.err" | sort >"$work/kinds.got"
if [ -s "$work/kinds.want" ] && cmp -s "$work/kinds.want" "$work/kinds.got"; then pass
else fail "--summary: per-kind rows differ from jq's: $(diff "$work/kinds.want" "$work/kinds.got" | head -5)"; fi
jq -r -s 'map(select(.vector >= 0)) | group_by([.kind, .vector]) | .[] |
          "\(.[0].kind) \(.[0].vector) \(length) \(map(.cycles) | add)"' "$work/trace.jsonl" | sort >"$work/vectors.want"
awk '/^[a-z]/ { kind = $1 } /^ +[0-9]+ / { print kind, $1, $(NF - 1), $NF }' "$work/summary.err" \
  | sort >"$work/vectors.got"
if [ -s "$work/vectors.want" ] && cmp -s "$work/vectors.want" "$work/vectors.got"; then pass
else fail "--summary: per-vector rows differ from jq's: $(diff "$work/vectors.want" "$work/vectors.got" | head -5)"; fi
want_total="$records $(jq -s 'map(.cycles) | add' "$work/trace.jsonl")"
got_total=$(awk '$1 == "total" { print $2, $3 }' "$work/summary.err")
if [ "$want_total" = "$got_total" ]; then pass
else fail "--summary: total '$got_total', want '$want_total'"; fi

# --stats: the insns=N cycles=M line, then the same table.
run stats --stats "$traps"
if head -1 "$work/stats.err" | grep -Eq '^insns=[0-9]+ cycles=[0-9]+$' &&
   [ "$(tail -n +2 "$work/stats.err")" = "$(cat "$work/summary.err")" ]; then pass
else fail "--stats: want insns=N cycles=M and then --summary's table, got: $(cat "$work/stats.err")"; fi

# Same run, same bytes.
run explain2 --explain "$traps"
if cmp -s "$work/explain.err" "$work/explain2.err"; then pass
else fail "--explain differs between two runs of the same firmware"; fi

# --help names every option this script relies on.
run help --help
for opt in --trace-traps --log-traps --trace --explain --summary --stats; do
  if grep -q -- "$opt" "$work/help.out"; then pass; else fail "--help does not mention $opt"; fi
done

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
