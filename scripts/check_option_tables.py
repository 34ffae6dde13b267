#!/usr/bin/env python3
"""Checks that every option table (*.opt, common/option_table.h) is what the binary prints.

For each table and each command that uses it: `item2vec COMMAND --help` shows every option of
the table (--NAME, and -S where it has a short name) with its whole help text, and the table's
usage text (command tables) word for word; and `item2vec COMMAND` without a required option
fails naming it. White space is left out before comparing, since --help wraps the text
(cutting words longer than its column).

Usage: scripts/check_option_tables.py ITEM2VEC REPO   (exit 1 and one line per problem)
"""
import os
import re
import subprocess
import sys

# The tables that are not `command` tables, and the commands that print them.
USED_BY = {
    "common/train_options.opt": ["train"],
    "tools/prep/prep_options.opt": ["prep"],
    "tools/walk/walk_options.opt": ["walk"],
    "tools/tune/tune_options.opt": ["tune"],
    "model/name_options.opt": ["similar", "export", "report"],
}


def fold(text):
    return " ".join(text.split())


def read_table(path):
    """(command or None, usage, [(name, help)], [required option])."""
    command, usage, options, required = None, [], [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("command "):
            command = line.split()[1]
        elif line.startswith("required "):
            required.append(line.split()[1])
        elif line.startswith("option "):
            options.append([line.split()[1], ""])
        elif line.strip().startswith("|"):
            usage.append(line.strip()[2:])
        elif line.startswith(" ") and line.strip() and options:
            options[-1][1] += " " + line.strip()
    return command, "\n".join(usage), options, required


def check_command(item2vec, table, command, usage, options, required):
    problems = []
    out = subprocess.run([item2vec, command, "--help"], capture_output=True, text=True).stdout
    help_text = fold(out)
    if usage and fold(usage) not in help_text:
        problems.append(f"{table}: `item2vec {command} --help` does not start with the table's usage text")
    for name, text in options:
        long_name, _, short = name.partition(",")
        flags = f"-{short} [ --{long_name} ]" if short else f"--{long_name}"
        if flags not in help_text:
            problems.append(f"{table}: `item2vec {command} --help` lacks {flags}")
        if "".join(text.split()) not in "".join(out.split()):  # --help cuts long words too
            problems.append(f"{table}: `item2vec {command} --help` lacks the help text of --{long_name}")
    if required:  # the first required option is the one a bare command reports
        run = subprocess.run([item2vec, command], capture_output=True, text=True)
        if run.returncode != 2 or f"--{required[0]} is required" not in run.stderr:
            problems.append(f"{table}: `item2vec {command}` alone does not fail (exit 2) naming --{required[0]}")
    return problems


def main():
    item2vec, repo = sys.argv[1], sys.argv[2]
    tables = subprocess.run(["git", "-C", repo, "ls-files", "*.opt"], capture_output=True, text=True,
                            check=True).stdout.split()
    problems = []
    for table in tables:
        command, usage, options, required = read_table(os.path.join(repo, table))
        commands = [command] if command else USED_BY.get(table)
        if not commands:
            problems.append(f"{table}: a table without a `command` line must be listed in USED_BY")
            continue
        for c in commands:
            problems += check_command(item2vec, table, c, usage, options, required)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
