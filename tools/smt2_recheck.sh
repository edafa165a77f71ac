#!/usr/bin/env bash
# Re-checks the SMT-LIB2 queries tc0flow writes (`verify --smt2 DIR`, `prove --smt2 DIR`,
# `nowrap --smt2 DIR`) with a second solver, cvc5, against the answer Z3 gave, which each file
# records as (set-info :status sat|unsat|unknown).
#   tools/smt2_recheck.sh [--timeout S] FILE_OR_DIR...     (a folder: every *.smt2 in it)
# One line per query, `FILE: Z3 <status>, cvc5 <answer> (<seconds> s) ok|DIFFERS`, then a summary.
# Exit 0 when cvc5 gives every query the recorded answer; 2 when an answer differs, cvc5 answers
# unknown (past S seconds, default 60) or a file records no sat/unsat; 1 for bad input.
# cvc5 (1.0.3 in Debian 12) bit-blasts QF_BV queries eagerly into CaDiCaL: its default lazy mode
# (the Boolean structure and the bit-vector atoms in two SAT solvers) was 15x slower on the word
# lemmas and max liftings of `verify` (proofs/README.md, "Second solver").
set -uo pipefail
timeout=60
if [ "${1:-}" = "--timeout" ]; then
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "smt2_recheck: error: --timeout needs a whole number of seconds" >&2; exit 1; }
  timeout=$2
  shift 2
fi
[ $# -gt 0 ] || { echo "usage: tools/smt2_recheck.sh [--timeout S] FILE_OR_DIR..." >&2; exit 1; }
command -v cvc5 >/dev/null || { echo "smt2_recheck: error: cvc5 is not installed (tools/deps.sh installs it)" >&2; exit 1; }
files=()
for p in "$@"; do
  if [ -d "$p" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$p" -maxdepth 1 -name '*.smt2' -type f | sort)
  elif [ -f "$p" ]; then
    files+=("$p")
  else
    echo "smt2_recheck: error: '$p' is neither a file nor a folder" >&2
    exit 1
  fi
done
[ ${#files[@]} -gt 0 ] || { echo "smt2_recheck: error: no .smt2 file in $*" >&2; exit 1; }
agree=0 differ=0 total_ms=0
for f in "${files[@]}"; do
  status=$(sed -n 's/^(set-info :status \([a-z]*\))$/\1/p' "$f" | head -n 1)
  options=()  # eager bit-blasting applies to bit-vectors only (the no-wrap sums are QF_LIA)
  grep -q '^(set-logic QF_BV)$' "$f" && options=(--bitblast=eager --bv-sat-solver=cadical)
  t0=$(date +%s%N)
  # cvc5 gets the query without the recorded status: it would abort on a difference instead of answering
  answer=$(sed '/^(set-info :status /d' "$f" |
             timeout -k 5 $((timeout + 10)) cvc5 --lang smt2 "${options[@]}" --tlimit-per=$((timeout * 1000)) 2>&1 |
             tail -n 1)
  ms=$((($(date +%s%N) - t0) / 1000000))
  total_ms=$((total_ms + ms))
  verdict=DIFFERS
  if [[ "$status" =~ ^(sat|unsat)$ && "$answer" = "$status" ]]; then verdict=ok; agree=$((agree + 1)); else differ=$((differ + 1)); fi
  printf '%s: Z3 %s, cvc5 %s (%d.%03d s) %s\n' "$f" "${status:-none}" "${answer:-nothing}" $((ms / 1000)) $((ms % 1000)) "$verdict"
done
printf '%d queries: %d agree, %d differ; cvc5 %d.%03d s\n' ${#files[@]} $agree $differ $((total_ms / 1000)) $((total_ms % 1000))
[ $differ -eq 0 ] || exit 2
