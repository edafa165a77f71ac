#!/usr/bin/env python3
"""Every reference to the specification names a section of SPEC.md that exists.

A reference is the word SPEC (or SPEC.md) followed by section numbers: "SPEC 3.3", "SPEC.md section
2", "SPEC sections 2.2 and 3.5", "SPEC 3.3-3.5". The bare word SPEC without a number is refused (a
reader cannot tell where to look); "SPEC.md" alone names the whole document and is fine.

Scans the files git tracks (or, outside a git checkout, the source folders). Prints one line per
problem and exits 1 if there is any; --self-test checks the rules on made-up lines.
"""
import os
import re
import subprocess
import sys

HEADING = re.compile(r"^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s")
NUM = r"\d+(?:\.\d+)*"
# SPEC or SPEC.md, optional "'s", optional "section(s)"/"§", then a list of numbers.
REF = re.compile(r"\bSPEC(\.md)?(?:'s)?,?(?:\s+(?:sections?|§)\s*|\s+)(" + NUM + r"(?:\s*(?:,|and|-|–)\s*" + NUM + r")*)")
WORD = re.compile(r"\bSPEC(\.md)?\b")
SKIP_SUFFIXES = (".png", ".svg", ".safetensors", ".tc0c", ".bin", ".gz", ".npz", ".jpg", ".ico", ".woff2")


def sections(spec_text):
    found = set()
    for line in spec_text.splitlines():
        m = HEADING.match(line)
        if m:
            found.add(m.group(1))
    return found


def problems_in_line(line, known):
    """The problems of one line: unknown sections and bare references."""
    out = []
    covered = []
    for m in REF.finditer(line):
        covered.append((m.start(), m.end()))
        for number in re.findall(NUM, m.group(2)):
            if number.rstrip(".") not in known:
                out.append(f"SPEC section {number} does not exist")
    for m in WORD.finditer(line):
        if any(a <= m.start() < b for a, b in covered):
            continue
        if m.group(1):  # SPEC.md: the whole document
            continue
        out.append("a bare 'SPEC' reference: name the section (SPEC N.M)")
    return out


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files"], check=True, capture_output=True, text=True).stdout
        return [f for f in out.splitlines() if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for folder in ["circuits", "numerics", "sampler", "proofs", "tools", "tests", "fileio", "docs", "."]:
            base = os.path.join(root, folder)
            if not os.path.isdir(base):
                continue
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = [d for d in dirnames if not d.startswith(("build", ".", "node_modules"))]
                if folder == "." and dirpath != base:
                    dirnames[:] = []
                files += [os.path.relpath(os.path.join(dirpath, f), root) for f in filenames]
        return sorted(set(files))


def self_test():
    known = {"1", "2", "2.2", "3", "3.3", "3.5"}
    cases = {
        "see SPEC 3.3 for the recipe": 0,
        "SPEC.md section 2.2, exact then round": 0,
        "SPEC sections 2.2 and 3.5": 0,
        "SPEC 3.3-3.5": 0,
        "the project's SPEC.md": 0,
        "SPEC's 3.3": 0,
        "SPEC 3.4": 1,
        "SPEC reference sizes": 1,
        "SPEC sections 2.2 and 7": 1,
        "as SPEC says": 1,
    }
    bad = 0
    for line, want in cases.items():
        got = len(problems_in_line(line, known))
        if got != want:
            print(f"self-test: {line!r}: {got} problems, expected {want}")
            bad += 1
    return bad


def main():
    if "--self-test" in sys.argv:
        bad = self_test()
        print("self-test: " + ("FAIL" if bad else "ok"))
        return 1 if bad else 0
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    with open(os.path.join(root, "SPEC.md"), encoding="utf-8") as f:
        known = sections(f.read())
    if not known:
        print("SPEC.md has no numbered sections")
        return 1
    problems = 0
    refs = 0
    scanned = 0
    for rel in tracked_files(root):
        if rel == "SPEC.md" or rel.endswith(SKIP_SUFFIXES) or rel == "tests/tools/spec_references.py":
            continue
        path = os.path.join(root, rel)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        scanned += 1
        for i, line in enumerate(text.splitlines(), 1):
            refs += len(REF.findall(line))
            for p in problems_in_line(line, known):
                print(f"{rel}:{i}: {p}")
                problems += 1
    print(f"scanned {scanned} files: {refs} references to {len(known)} sections of SPEC.md, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
