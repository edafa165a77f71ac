#!/usr/bin/env python3
"""No source outside the atomic writers of fileio/ (atomic_file.cpp, atomic_folder.cpp) writes a file.

Scans the C++ sources of the libraries and tools (tests/ may write fixtures), with comments and
string literals (raw strings included) removed, for every way of opening, creating, replacing or
copying a file: std::ofstream / std::fstream, fopen / freopen / fdopen, open() with a write flag,
creat, mkstemp, tmpfile, rename (qualified: ::rename, std::rename; a
function of one's own may be called rename), std::filesystem copy / rename, Graphviz's gvRenderFilename and
libpng's png_init_io. Reading goes through fileio/input_file.cpp too, so fopen is refused outright.

  no_direct_writes.py ROOT          exit 1 and list every hit under ROOT
  no_direct_writes.py --self-test   the negative control: every line of violations.cpp.txt marked
                                    "// expect" is found, nothing else, and allowed.cpp.txt is clean;
                                    the writers exempted exist, lie in fileio/ and are the only
                                    sources of the repository left out of the scan
"""
import os
import re
import sys

FOLDERS = ["fileio", "numerics", "circuits", "sampler", "proofs", "tools"]
EXTENSIONS = (".cpp", ".hpp", ".h", ".cc", ".cu", ".cuh")
# The writers themselves (fileio/README.md), and nothing else: the rest of fileio/ is scanned too.
WRITERS = {os.path.join("fileio", "atomic_file.cpp"), os.path.join("fileio", "atomic_folder.cpp")}

PATTERNS = [
    (r"\bofstream\b", "std::ofstream"),
    (r"\bfstream\b", "std::fstream"),
    (r"\bf(?:re|d)?open\s*\(", "fopen/freopen/fdopen"),
    (r"(?<![.>\w])open\s*\([^;]*\bO_(?:WRONLY|RDWR|CREAT|TRUNC|APPEND)\b", "open() for writing"),
    (r"\bcreat\s*\(", "creat()"),
    (r"\bmk[os]?temps?\s*\(", "mkstemp()"),
    (r"\btmpfile\s*\(", "tmpfile()"),
    (r"(?:\bstd)?::rename\s*\(|\brenameat2?\s*\(", "rename() (::rename, std::rename, renameat)"),
    (r"\bcopy_file\b", "std::filesystem::copy_file"),
    (r"\bfilesystem::(?:copy|rename|copy_symlink|resize_file)\b", "std::filesystem copy/rename"),
    (r"\bfs::(?:copy|rename|copy_symlink|resize_file)\b", "std::filesystem copy/rename"),
    (r"\bgvRenderFilename\b", "Graphviz gvRenderFilename"),
    (r"\bpng_init_io\b", "libpng png_init_io"),
]


def strip_code(text):
    """The text with comments and string/char literals blanked (newlines kept, so lines match)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        m = re.match(r'R"([^()\\ ]{0,16})\(', text[i:i + 20])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = text.find(")" + m.group(1) + '"', i)
            end = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j + 1, n) - i))
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def scan_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        code = strip_code(f.read())
    hits = []
    for lineno, line in enumerate(code.split("\n"), 1):
        if re.match(r"\s*#\s*include\b", line):
            continue
        for pattern, what in PATTERNS:
            if re.search(pattern, line):
                hits.append((path, lineno, what))
                break  # one report per line
    return hits


def all_sources(root):
    for folder in FOLDERS:
        for base, _, files in os.walk(os.path.join(root, folder)):
            for name in sorted(files):
                if name.endswith(EXTENSIONS):
                    yield os.path.join(base, name)


def sources(root):
    return (p for p in all_sources(root) if os.path.relpath(p, root) not in WRITERS)


def self_test():
    here = os.path.dirname(os.path.abspath(__file__))
    bad = os.path.join(here, "violations.cpp.txt")
    good = os.path.join(here, "allowed.cpp.txt")
    with open(bad) as f:
        expected = {i for i, line in enumerate(f.read().split("\n"), 1) if "// expect" in line}
    found = {lineno for _, lineno, _ in scan_file(bad)}
    ok = True
    if found != expected:
        print(f"self-test: expected hits on lines {sorted(expected)}, found {sorted(found)}")
        ok = False
    for path, lineno, what in scan_file(good):
        print(f"self-test: false positive {path}:{lineno}: {what}")
        ok = False
    if len(expected) < len(PATTERNS):
        print(f"self-test: only {len(expected)} violations for {len(PATTERNS)} patterns")
        ok = False
    # The exemption is exactly the writers: each exists (a stale name would exempt nothing and hide
    # a rename of the real file), lies in fileio/, does write (else why exempt it), and nothing else
    # of the repository is left out of the scan.
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    left_out = {os.path.relpath(p, root) for p in all_sources(root)} - {os.path.relpath(p, root) for p in sources(root)}
    if left_out != WRITERS:
        print(f"self-test: the scan leaves out {sorted(left_out)}, expected exactly {sorted(WRITERS)}")
        ok = False
    for w in sorted(WRITERS):
        if os.path.dirname(w) != "fileio":
            print(f"self-test: exempted writer {w} is outside fileio/")
            ok = False
        elif os.path.exists(os.path.join(root, w)) and not scan_file(os.path.join(root, w)):
            print(f"self-test: exempted writer {w} writes nothing; drop its exemption")
            ok = False
    print(f"self-test: {len(expected)} violations found, allowed.cpp.txt clean" if ok else "self-test FAILED")
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = sys.argv[1]
    files = list(sources(root))
    hits = [h for path in files for h in scan_file(path)]
    for path, lineno, what in hits:
        print(f"{os.path.relpath(path, root)}:{lineno}: {what}: write files through fileio/ (atomic_file.hpp, atomic_folder.hpp)")
    print(f"scanned {len(files)} sources: {len(hits)} direct writes")
    if len(files) < 100:
        print("too few sources: wrong ROOT?")
        return 1
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
