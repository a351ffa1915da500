#!/usr/bin/env python3
"""Checks every relative link and image in README.md and docs/*.md: the file exists, and an anchor (#…) names a
heading of the target as GitHub spells it. Prints each broken link and exits 1 if any; run from the repository root:
    python3 scripts/check_doc_links.py
"""
import pathlib
import re
import sys

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found, in_code = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and re.match(r"#{1,6} ", line):
            found.add(slug(line.lstrip("#")))
    return found


def main():
    root = pathlib.Path(".")
    pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    broken = 0
    for page in pages:
        in_code = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                in_code = not in_code
            if in_code:
                continue
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target):
                    continue  # http(s), mailto: not checked offline
                file_part, _, anchor = target.partition("#")
                resolved = (page.parent / file_part) if file_part else page
                problem = None
                if not resolved.exists():
                    problem = "no such file"
                elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                    problem = "no such heading"
                if problem:
                    broken += 1
                    print(f"{page}:{number}: {target}: {problem}")
    print(f"{len(pages)} pages checked, {broken} broken links")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
