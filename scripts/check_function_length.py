#!/usr/bin/env python3
"""Checks the length of every C++ function body (issue 27).

No function in ps/, worker/ or job/ may be longer than 80 lines, and none in the other source
folders (common/, model/, tools/, scripts/) longer than 120; tests/ are not checked. A function's length
counts its lines from the line of its name to its closing brace; lambdas and local classes
count as part of the function around them. A declarative table may be longer: mark its
function with a comment `// function-length: table` on the line before it.

Usage: scripts/check_function_length.py [REPO]   (exit 1 and one line per long function)
"""
import os
import re
import sys

STRICT = {"ps": 80, "worker": 80, "job": 80}
OTHER = ("common", "model", "tools", "scripts")
OTHER_LIMIT = 120
NOT_FUNCTIONS = re.compile(r"^\s*(if|for|while|switch|catch|do|else|return|namespace|class|struct|union|enum)\b")


def strip(text):
    """The text with comments, string and character literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """(name, first line, last line) of every outermost function body in C++ source."""
    code = re.sub(r"(?m)^[ \t]*#.*(?:\\\n.*)*$", lambda m: re.sub(r"[^\n]", " ", m.group(0)), strip(text))
    found = []
    scopes = []  # for each open brace: True when it opens a function body
    in_function = 0
    start = 0  # offset where the current statement/declaration began
    body_open = None
    for i, c in enumerate(code):
        if c == "{":
            header = code[start:i]
            is_function = False
            if in_function == 0:
                flat = " ".join(header.split())
                if ")" in flat and not NOT_FUNCTIONS.match(flat) and "=" not in flat.split("(")[0]:
                    is_function = True
            scopes.append(is_function)
            if is_function:
                in_function += 1
                name = re.findall(r"([~\w:]+(?:operator\S*)?)\s*\(", header)
                first = code.count("\n", 0, start + len(header) - len(header.lstrip())) + 1
                body_open = (name[0] if name else "?", first)
            start = i + 1
        elif c == "}":
            if scopes:
                was_function = scopes.pop()
                if was_function:
                    in_function -= 1
                    last = code.count("\n", 0, i) + 1
                    found.append((body_open[0], body_open[1], last))
            start = i + 1
        elif c == ";":
            start = i + 1
        elif c == ":" and in_function == 0 and re.search(r"\b(public|private|protected)\s*$", code[start:i]):
            start = i + 1
    return found


def limit_for(path):
    top = path.split(os.sep)[0]
    if top in STRICT:
        return STRICT[top]
    if top in OTHER:
        return OTHER_LIMIT
    return None


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    long_ones = []
    for top in list(STRICT) + list(OTHER):
        for dirpath, _, files in os.walk(os.path.join(repo, top)):
            for f in sorted(files):
                if not f.endswith((".cc", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, repo)
                limit = limit_for(rel)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                source_lines = text.split("\n")
                for name, first, last in functions(text):
                    length = last - first + 1
                    marked = first >= 2 and "function-length: table" in source_lines[first - 2]
                    if length > limit and not marked:
                        long_ones.append(f"{rel}:{first}: {name} is {length} lines (limit {limit})")
    for line in long_ones:
        print(line)
    if long_ones:
        print(f"{len(long_ones)} function(s) over the limit: split them into named steps", file=sys.stderr)
        return 1
    print("function lengths: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
