#!/usr/bin/env bash
# Prints the file map of docs/architecture.md: every header of the code folders with the
# first line of its contract comment, grouped by folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
for dir in common ps worker job model tools; do
  echo "**${dir}/**"
  echo
  git ls-files "$dir/*.h" | sort | while read -r f; do
    echo "- \`$f\`: $(head -1 "$f" | sed 's#^// *##')"
  done
  echo
done
