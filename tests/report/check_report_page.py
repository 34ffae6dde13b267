#!/usr/bin/env python3
"""Checks a run report as Chromium rendered it: the screenshot and the page's text.

Usage: check_report_page.py REPORT.html DOM.html SCREENSHOT.png MODEL_DIR EVAL.json HISTORY.jsonl

- REPORT.html is the file written (raw): nothing in it may load anything (no src=, href=,
  url(, @import, <link, <script).
- DOM.html is Chromium's --dump-dom of it: every section in order, no section left empty,
  the figures of train.json and eval.json, titles, both workers, the server rank, the
  previous model, the history rows, and the map with one point per item of the head.
- SCREENSHOT.png: Chromium's screenshot: the first screen is a drawn page (not blank) with the
  charts' series colours (worker 0 blue, worker 1 orange) painted in quantity.
Exit 0 when every check passes; otherwise the failed checks on stderr and exit 1.
"""
import html.parser
import json
import re
import sys

from PIL import Image

SECTIONS = ["Loss and learning rate over the run", "Tokens per second per worker",
            "Where each worker's time went", "Peak memory per rank", "Next-item quality on the hold-out",
            "Example items and their nearest neighbours", "Map of the most frequent items",
            "What changed since the previous model", "History across nights"]


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.h2, self.svgs, self.circles, self.missing = [], [], 0, [], 0
        self.in_h2, self.section, self.in_missing = False, "", False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self.in_h2 = True
            self.h2.append("")
        if tag == "section":
            self.section = a.get("id", "")
        if tag == "svg":
            self.svgs += 1
        if tag == "circle":
            self.circles.append(self.section)
        if tag == "p" and "missing" in a.get("class", ""):
            self.missing += 1

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False

    def handle_data(self, data):
        self.text.append(data)
        if self.in_h2:
            self.h2[-1] += data


def main(report, dom_path, png, model_dir, eval_path, history_path):
    errors = []

    def check(ok, what):
        if not ok:
            errors.append(what)

    raw = open(report, encoding="utf-8").read()
    for pattern in (r"\bsrc\s*=", r"\bhref\s*=", r"url\(", r"@import", r"<link\b", r"<script\b"):
        check(not re.search(pattern, raw, re.I), "the page references something outside it: /%s/" % pattern)

    dom = Dom()
    dom.feed(open(dom_path, encoding="utf-8").read())
    text = " ".join(" ".join(dom.text).split())
    check(dom.h2 == SECTIONS, "sections %s, expected %s" % (dom.h2, SECTIONS))
    check(dom.missing == 0, "%d section(s) say their data is missing" % dom.missing)
    check(dom.svgs >= 11, "only %d charts drawn" % dom.svgs)

    train = json.load(open(model_dir + "/train.json"))
    ev = json.load(open(eval_path))
    head = min(train["vocab_size"], 2000)
    check(dom.circles.count("map") == head, "the map has %d points, expected %d" % (dom.circles.count("map"), head))
    check(("%d items in the model" % train["vocab_size"]) in text, "vocabulary size %d not shown" % train["vocab_size"])
    hr10 = "%.4f" % ev["results"]["model"]["hr"]["10"]
    pop10 = "%.4f" % ev["results"]["popularity"]["hr"]["10"]
    check(hr10 + " HR@10 (hold-out)" in text, "HR@10 %s not in the headline" % hr10)
    check(("popularity " + pop10) in text, "popularity HR@10 %s not shown" % pop10)
    check("%.4f final loss" % train["final_loss"] in text, "final loss not shown")
    check("Star Wars: Episode IV - A New Hope (1977) (260)" in text, "titles (--names) not shown")
    check("worker 0" in text and "worker 1" in text, "both workers not shown")
    check("rank 2 server" in text, "the server's memory not shown")
    check("Neighbour overlap@10 of the most frequent items" in text, "no neighbour overlap")
    check("2026-04-01" in text and "Previous model:" in text, "the previous model (2026-04-01) not named")
    history = [json.loads(l) for l in open(history_path) if l.strip()]
    for h in history:
        row = "%s %s %.4f" % (h["date"], h["decision"], h["new_hr"])
        check(row in text, "history row '%s' not in the table" % row)

    img = Image.open(png).convert("RGB")
    check(img.size[0] == 1200, "screenshot is %s wide" % (img.size,))
    first = img.crop((0, 0, img.size[0], min(img.size[1], 1400)))
    pixels = list(first.getdata())
    white = sum(1 for p in pixels if p[0] > 245 and p[1] > 245 and p[2] > 245)
    check(white < 0.95 * len(pixels), "the first screen is blank (%.1f%% white)" % (100.0 * white / len(pixels)))

    def near(p, c):
        return abs(p[0] - c[0]) + abs(p[1] - c[1]) + abs(p[2] - c[2]) < 40

    blue = sum(1 for p in pixels if near(p, (0x1f, 0x77, 0xb4)))
    orange = sum(1 for p in pixels if near(p, (0xff, 0x7f, 0x0e)))
    check(blue > 2000, "only %d pixels of worker 0's blue on the first screen" % blue)
    check(orange > 500, "only %d pixels of worker 1's orange on the first screen" % orange)
    for e in errors:
        sys.stderr.write("FAIL: %s\n" % e)
    if not errors:
        print("ok: %d sections, %d charts, %d map points, HR@10 %s, %d blue / %d orange pixels"
              % (len(dom.h2), dom.svgs, dom.circles.count("map"), hr10, blue, orange))
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
