#!/usr/bin/env python3
"""Checks that the README tells the truth about the commands and the tests (issue 27).

- the README's commands table names exactly the commands `item2vec --help` lists;
- every command has a page docs/commands/NAME.md and a place in docs/architecture.md's picture;
- every ctest label (`ctest --print-labels` in the build directory) is in the README's labels
  table;
- the README stays short: at most 250 lines.

Usage: scripts/check_readme.py ITEM2VEC REPO BUILD_DIR   (exit 1 and one line per problem)
"""
import os
import re
import subprocess
import sys

MAX_README_LINES = 250


def help_commands(item2vec):
    out = subprocess.run([item2vec, "--help"], capture_output=True, text=True, check=True).stdout
    body = out.split("Commands:", 1)[1].split("\n\n", 1)[0]
    return {m.group(1) for m in re.finditer(r"(?m)^  ([a-z][\w-]*)  ", body)}


def section(text, heading):
    """The text of the `## heading` section, up to the next `## `."""
    m = re.search(r"(?ms)^## " + re.escape(heading) + r"\s*$(.*?)(?=^## |\Z)", text)
    return m.group(1) if m else ""


def table_commands(readme):
    names = set()
    for row in section(readme, "Commands").splitlines():
        cells = row.split("|")
        if len(cells) > 2:
            m = re.search(r"item2vec ([a-z][\w-]*)", cells[1])
            if m:
                names.add(m.group(1))
    return names


def table_labels(readme):
    return set(re.findall(r"(?m)^\| `([\w-]+)` \|", section(readme, "Tests")))


def ctest_labels(build_dir):
    out = subprocess.run(["ctest", "--print-labels"], cwd=build_dir, capture_output=True, text=True, check=True).stdout
    after = out.split("All Labels:", 1)[1] if "All Labels:" in out else ""
    return {line.strip() for line in after.splitlines() if line.strip()}


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    item2vec, repo, build_dir = sys.argv[1:]
    with open(os.path.join(repo, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    with open(os.path.join(repo, "docs", "architecture.md"), encoding="utf-8") as f:
        architecture = f.read()
    picture = architecture.split("```", 2)[1] if architecture.count("```") >= 2 else ""
    problems = []
    listed, tabled = help_commands(item2vec), table_commands(readme)
    if not listed:
        problems.append("item2vec --help lists no command")
    for name in sorted(listed - tabled):
        problems.append(f"README.md: the commands table lacks `{name}` (item2vec --help lists it)")
    for name in sorted(tabled - listed):
        problems.append(f"README.md: the commands table names `{name}`, which item2vec --help does not list")
    for name in sorted(listed):
        if not os.path.isfile(os.path.join(repo, "docs", "commands", name + ".md")):
            problems.append(f"docs/commands/{name}.md is missing")
        if not re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", picture):
            problems.append(f"docs/architecture.md: the picture does not show `{name}`")
    labels, documented = ctest_labels(build_dir), table_labels(readme)
    if not labels:
        problems.append("ctest --print-labels printed no label")
    for label in sorted(labels - documented):
        problems.append(f"README.md: the tests' labels table lacks `{label}`")
    lines = readme.count("\n")
    if lines > MAX_README_LINES:
        problems.append(f"README.md has {lines} lines, more than {MAX_README_LINES}: move detail to docs/")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"README: {len(listed)} commands, {len(labels)} labels, {lines} lines: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
