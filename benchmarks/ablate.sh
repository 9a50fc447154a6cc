#!/usr/bin/env bash
# Switch answer rules off one at a time and measure each on question sets (docs/evaluation.md,
# "Rules earn their place").
#
#   benchmarks/ablate.sh OUT_DIR SET=DATA_DIR [SET=DATA_DIR ...]      # every patch
#   PATCHES="variants yes-no" benchmarks/ablate.sh OUT_DIR SET=DATA_DIR  # some
#
# Each benchmarks/ablations/NAME.patch is applied to a throwaway worktree of REV (default HEAD), and
# `newsbot eval SET` runs there against DATA_DIR (an archive already ingested), writing
# OUT_DIR/NAME-<set>.json and .txt. "none" (no patch) is the baseline. A patch that no
# longer applies to HEAD is reported and skipped: refresh it by editing and `git diff`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
python="${PYTHON:-$root/.venv/bin/python}"
rev="$(git -C "$root" rev-parse "${REV:-HEAD}")"
names="${PATCHES:-none $(cd "$root/benchmarks/ablations" && ls ./*.patch | sed 's|^\./||; s|\.patch$||' | tr '\n' ' ')}"
for name in $names; do
  tree="$(mktemp -d)/tree"
  git -C "$root" worktree add -q --detach "$tree" "$rev"
  if [ "$name" != none ] && ! git -C "$tree" apply "$root/benchmarks/ablations/$name.patch"; then
    echo "$name: patch does not apply to $rev, skipped" >&2
    git -C "$root" worktree remove --force "$tree"
    continue
  fi
  for pair in "$@"; do
    set_file="${pair%%=*}"
    data="${pair#*=}"
    label="$(basename "$set_file" .jsonl)"
    (cd "$tree" && "$python" -c 'import sys; from bot.cli import cli; sys.argv[0] = "newsbot"; cli()' \
      --data-dir "$data" eval "$root/$set_file" --json "$out/$name-$label.json") \
      > "$out/$name-$label.txt" 2> "$out/$name-$label.err"
    echo "$name $label: $(grep -E '^(answer accuracy|truthfulness)' "$out/$name-$label.txt" | tr -s ' ' | tr '\n' ' ')"
  done
  git -C "$root" worktree remove --force "$tree"
done
