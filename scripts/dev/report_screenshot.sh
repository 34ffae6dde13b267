#!/usr/bin/env bash
# Makes docs/report.png, the README's screenshot of the run report: runs the report's
# Chromium test (tests/report/report_chromium_test.sh: two nightly refreshes on MovieLens,
# the second night's report.html rendered by headless Chromium), keeps its screenshot, and
# writes the top of the page (headline, loss and learning rate, tokens/s per worker, time
# split, memory, the eval table) scaled to 900 pixels wide in 256 colours.
# Usage: scripts/dev/report_screenshot.sh [OUTPUT_PNG]   (build first: scripts/build.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/docs/report.png}
shot=$(mktemp "${TMPDIR:-/tmp}/item2vec-report.XXXXXX.png")
trap 'rm -f "$shot"' EXIT
ITEM2VEC_REPORT_SCREENSHOT=$shot MPIRUN=${MPIRUN:-mpirun} \
  bash "$repo/tests/report/report_chromium_test.sh" "$repo/build/bin/item2vec" "$repo"
/usr/bin/python3 - "$shot" "$out" <<'PY'
import sys
from PIL import Image
page = Image.open(sys.argv[1]).convert("RGB")
top = page.crop((0, 0, 1200, 1720))
small = top.resize((900, 1290), Image.LANCZOS).quantize(colors=256, method=Image.MEDIANCUT)
small.save(sys.argv[2], optimize=True)
print("wrote %s (%dx%d)" % (sys.argv[2], small.size[0], small.size[1]))
PY
