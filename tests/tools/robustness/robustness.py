#!/usr/bin/env python3
"""The robustness corpus of issue 15: bad inputs to every tc0flow subcommand, generated here.

Each case runs tc0flow with a timeout (a hang fails) and asserts:
  - the exit status (1 for bad input),
  - exactly one line on standard error, "tc0flow CMD: error: ...", matching a pattern that names the
    offending file, flag or field (not a generic "error"),
  - the outputs it was pointed at keep their bytes (each case that names an output points it at a
    file holding a sentinel), and no temporary file of the atomic writer is left anywhere.
Classes: outputs (atomic writing, output = input, unwritable places, full disk, file-size limit),
numbers (ranges, negatives into unsigned flags, junk, overflow), files (only regular files are
read), budget (early refusal of exports), external (Graphviz and solver I/O failures), flags
(conflicting or inapplicable flags), config (model config values outside the README's ranges),
gadget (format limits of `tc0flow gadget`), content (corrupt circuits, inputs, models).
Then a few good runs with paths holding spaces and non-ASCII names, and the check that every
numeric flag of every subcommand declares its range in --help.

  robustness.py --tc0flow BIN --repo DIR --work DIR [--list] [--timeout SECONDS]
"""
import argparse
import collections
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402

SENTINEL = b"previous output: must survive\n"
CLASSES = ["outputs", "numbers", "files", "budget", "external", "flags", "config", "gadget", "content"]


class Case:
    def __init__(self, cls, args, msg, status=1, outputs=(), preexec=None, note=""):
        self.cls, self.args, self.msg, self.status = cls, args, msg, status
        self.outputs, self.preexec, self.note = list(outputs), preexec, note

    @property
    def cmd(self):
        return self.args[0]

    def describe(self):
        return " ".join(self.args)


def file_size_limit(n):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))


def build_fixtures(tc0flow, repo, w):
    """Every file the cases read or write, under w."""
    if os.path.exists(w):
        shutil.rmtree(w)
    os.makedirs(w)
    f = {}

    def path(name):
        return os.path.join(w, name)

    def text(name, content, mode="w"):
        with open(path(name), mode) as fh:
            fh.write(content)
        return path(name)

    def gadget(args, name):
        st, out, err = fixtures.run(tc0flow, ["gadget"] + args + ["-o", path(name)])
        assert st == 0, err
        return path(name)

    f["good"] = gadget(["add", "--bits", "4"], "good.tc0c")
    f["mul8"] = gadget(["multiply", "--bits", "8"], "mul8.tc0c")
    with open(f["good"], "rb") as fh:
        good = fh.read()
    f["junk"] = text("junk.tc0c", "this is not a circuit\n")
    f["empty"] = text("empty.tc0c", "")
    f["truncated"] = text("truncated.tc0c", good[: len(good) // 2], "wb")
    f["badversion"] = text("badversion.tc0c", good[:8] + bytes([99]) + good[9:], "wb")
    f["badsum"] = text("badsum.tc0c", good[:-1] + bytes([good[-1] ^ 1]), "wb")
    f["dir"] = path("a_folder")
    os.makedirs(f["dir"])
    f["fifo"] = path("a_fifo")
    os.mkfifo(f["fifo"])
    f["link_zero"] = path("link_to_zero.tc0c")
    os.symlink("/dev/zero", f["link_zero"])
    f["dangling"] = path("dangling.tc0c")
    os.symlink(path("nowhere"), f["dangling"])
    f["a_file"] = text("a_plain_file", "x\n")  # a file used where a folder is expected
    # simulation inputs (circuit good: ports a, b of 4 bits)
    f["in_ok"] = text("in_ok.txt", "a b\n1 2\n")
    f["in_word"] = text("in_word.txt", "a b\n1 x\n")
    f["in_port"] = text("in_port.txt", "a q\n1 2\n")
    f["in_range"] = text("in_range.txt", "a b\n1 2\n100 0\n")
    f["in_short"] = text("in_short.txt", "a b\n1\n")
    f["in_long"] = text("in_long.txt", "a b\n1 2 3\n")
    f["in_empty"] = text("in_empty.txt", "# only a comment\n")
    f["in_dup"] = text("in_dup.txt", "a a\n1 2\n")
    f["in_missing_port"] = text("in_missing_port.txt", "a\n1\n")
    # sentinel outputs: a case that names one of these must leave its bytes alone
    os.makedirs(path("out"))
    for name in ["keep.tc0c", "keep.json", "keep.txt", "keep.svg", "keep.png", "keep.v", "keep2.json"]:
        text("out/" + name, SENTINEL, "wb")
    f["out"] = path("out")
    # models
    models = path("models")
    os.makedirs(models)
    tiny = fixtures.tiny_mlp(os.path.join(models, "tiny"), repo)
    f["tiny"] = tiny
    digits = os.path.join(repo, "sampler/models/digits_mf1")

    def model(name, src=tiny, edit=None):
        return fixtures.copy_model(src, os.path.join(models, name), edit)

    def set_field(dotted, value):
        def edit(cfg):
            node = cfg
            keys = dotted.split(".")
            for k in keys[:-1]:
                node = node[k]
            node[keys[-1]] = value
        return edit

    f["m_attn0"] = model("attn0", digits, set_field("dit.attn_scale", 0))
    f["m_cifar"] = model("cifar", tiny, set_field("data.kind", "cifar"))
    f["m_width0"] = model("width0", tiny, set_field("mlp.width", 0))
    f["m_steps"] = model("steps", tiny, set_field("sampler.steps", 2000))
    f["m_clip"] = model("clip", tiny, set_field("noise.clip", 100.0))
    f["m_semver"] = model("semver", tiny, set_field("semantics_version", 99))
    f["m_path"] = model("path", tiny, set_field("path", "cosine"))
    f["m_act"] = model("act", tiny, set_field("mlp.activation", "relu"))
    f["m_heads"] = model("heads", digits, set_field("dit.heads", 3))
    f["m_format"] = model("format", tiny, lambda cfg: cfg["formats"]["weights"].update({"layers.0.weight": "Q(99,0)"}))
    f["m_freqs"] = model("freqs", tiny, set_field("time_embedding.freqs", []))
    f["m_grid"] = model("grid", tiny, set_field("sampler.time_grid", [1.0, 0.5]))
    f["m_nodim"] = model("nodim", tiny, lambda cfg: cfg["data"].pop("dim"))
    f["m_badjson"] = model("badjson")
    text("models/badjson/config.json", "{ not json")
    f["m_zero"] = model("zero")
    os.remove(os.path.join(f["m_zero"], "weights.safetensors"))
    os.symlink("/dev/zero", os.path.join(f["m_zero"], "weights.safetensors"))
    f["m_fifo"] = model("fifo")
    os.remove(os.path.join(f["m_fifo"], "config.json"))
    os.mkfifo(os.path.join(f["m_fifo"], "config.json"))
    f["m_wdir"] = model("wdir")
    os.remove(os.path.join(f["m_wdir"], "weights.safetensors"))
    os.makedirs(os.path.join(f["m_wdir"], "weights.safetensors"))
    f["m_noweights"] = model("noweights")
    os.remove(os.path.join(f["m_noweights"], "weights.safetensors"))
    f["m_trunc"] = model("trunc")
    wpath = os.path.join(f["m_trunc"], "weights.safetensors")
    with open(wpath, "rb") as fh:
        wbytes = fh.read()
    text("models/trunc/weights.safetensors", wbytes[: len(wbytes) - 8], "wb")
    f["heldout_junk"] = text("heldout_junk.json", "[1, 2")
    # architecture files of tc0flow bounds (sampler/compile/architecture.hpp)
    with open(os.path.join(repo, "sampler/architectures/small_dit.json")) as fh:
        f["arch"] = text("arch.json", fh.read())
    f["arch_badjson"] = text("arch_badjson.json", '{"width": 8,\n')
    f["arch_unknown"] = text("arch_unknown.json", '{"width": 8, "colour": "blue"}')
    f["arch_range"] = text("arch_range.json", '{"width": 5000}')
    f["arch_heads"] = text("arch_heads.json", '{"width": 8, "heads": 3}')
    os.makedirs(path("bounds_out"))
    f["bounds_out"] = path("bounds_out")
    text("bounds_out/bounds.json", SENTINEL, "wb")  # a previous report a bad run must not touch
    # sites of tc0flow view: a folder that is not one (a file of the user's in it), and a previous
    # site holding a copy of its circuit
    os.makedirs(path("foreign"))
    f["foreign"] = path("foreign")
    text("foreign/keep.txt", SENTINEL, "wb")
    f["site"] = path("site")
    st, out, err = fixtures.run(tc0flow, ["view", f["good"], "-o", f["site"]])
    assert st == 0, err
    shutil.copyfile(f["good"], os.path.join(f["site"], "in.tc0c"))
    f["verify_noops"] = text("verify_noops.json", '{"checks": []}')
    # a place where the disk is full: a small tmpfs when this user may mount one
    f["full"] = None
    mnt = path("full_disk")
    os.makedirs(mnt)
    if os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt],
                                            capture_output=True).returncode == 0:
        with open(os.path.join(mnt, "keep.tc0c"), "wb") as fh:
            fh.write(SENTINEL)
        with open(os.path.join(mnt, "filler"), "wb") as fh:  # fill it up
            try:
                fh.write(b"\0" * (64 << 10))
            except OSError:
                pass
        f["full"] = mnt
    return f


def site_files(folder):
    """Every file of a site folder: a bad run must leave each of them (and no other) as it was."""
    return sorted(os.path.join(b, n) for b, _, names in os.walk(folder) for n in names)


def build_cases(f, repo):
    o = lambda name: os.path.join(f["out"], name)  # noqa: E731 (sentinel outputs)
    good, tiny = f["good"], f["tiny"]
    C = []

    def case(cls, args, msg, **kw):
        C.append(Case(cls, [str(a) for a in args], msg, **kw))

    # ---- outputs: atomic writing, output = input, unwritable places, full disk, size limit ----
    case("outputs", ["stats", good, "--json", good], r"--json '.*good.tc0c' names the same file as the input FILE")
    case("outputs", ["simulate", good, "--inputs", f["in_ok"], "-o", f["in_ok"]],
         r"-o '.*in_ok.txt' names the same file as the input --inputs")
    case("outputs", ["simulate", good, "--random", "4", "-o", o("keep.txt"), "--json", o("keep.txt")],
         r"-o '.*keep.txt' and --json '.*keep.txt' name the same file", outputs=[o("keep.txt")])
    case("outputs", ["export", good, "--format", "blif", "-o", good], r"-o '.*good.tc0c' names the same file as the input FILE")
    case("outputs", ["draw", good, "-o", o("keep.svg"), "--json", o("keep.svg")], r"name the same file", outputs=[o("keep.svg")])
    case("outputs", ["gadget", "add", "-o", o("keep.tc0c"), "--json", o("keep.tc0c")], r"-o '.*keep.tc0c' and --json",
         outputs=[o("keep.tc0c")])
    case("outputs", ["sample", "--model", tiny, "--count", "2", "-o", os.path.join(tiny, "config.json")],
         r"-o '.*tiny/config.json' names the same file as the input --model")
    case("outputs", ["compile", "--model", tiny, "-o", os.path.join(tiny, "weights.safetensors")],
         r"-o '.*weights.safetensors' names the same file as the input --model")
    case("outputs", ["fidelity", "--model", tiny, "--no-criterion", "--json", os.path.join(tiny, "config.json")],
         r"--json '.*config.json' names the same file as the input --model")
    case("outputs", ["identities", "--model", tiny, "--json", os.path.join(tiny, "weights.safetensors")],
         r"--json '.*weights.safetensors' names the same file as the input --model")
    case("outputs", ["check", good, "--model", tiny, "--json", good], r"--json '.*good.tc0c' names the same file as the input FILE")
    case("outputs", ["nowrap", "--model", tiny, "--json", os.path.join(tiny, "config.json")], r"names the same file as the input --model")
    case("outputs", ["calibrate", "--model", tiny, "--count", "2", "-o", tiny], r"-o .*tiny is the input model directory")
    case("outputs", ["calibrate", "--model", os.path.join(repo, "sampler/models/moons_mf2"), "-o", f["a_file"]],
         r"-o .*a_plain_file exists and is not a directory")
    case("outputs", ["demo", "--out", f["a_file"] + "/sub"], r"cannot create output directory '.*a_plain_file/sub'")
    case("outputs", ["stats", good, "--json", os.path.join(f["dir"], "no/such/folder/s.json")],
         r"cannot write JSON report '.*no/such/folder/s.json': folder '.*no/such/folder' does not exist")
    case("outputs", ["gadget", "add", "-o", f["dir"]], r"cannot write output '.*a_folder': it is a directory")
    case("outputs", ["export", good, "--format", "verilog", "-o", f["a_file"] + "/x.v"],
         r"cannot write output '.*a_plain_file/x.v': '.*a_plain_file' is not a folder")
    case("outputs", ["simulate", good, "--random", "10", "-o", "/dev/full"],
         r"cannot write simulation output '/dev/full': No space left on device")
    case("outputs", ["gadget", "multiply", "--bits", "16", "-o", o("keep.tc0c")],
         r"cannot write circuit file '.*keep.tc0c': File too large", outputs=[o("keep.tc0c")], preexec=file_size_limit(4096))
    case("outputs", ["export", f["mul8"], "--format", "verilog", "-o", o("keep.v")],
         r"cannot write verilog export '.*keep.v': File too large", outputs=[o("keep.v")], preexec=file_size_limit(8192))
    case("outputs", ["simulate", f["mul8"], "--random", "100000", "-o", o("keep.txt")],
         r"cannot write simulation output '.*keep.txt': File too large", outputs=[o("keep.txt")], preexec=file_size_limit(20000))
    # bounds: its outputs are -o FOLDER/bounds.json (and plots) and --json; inputs --arch or --model
    arch, site = f["arch"], f["site"]
    case("outputs", ["bounds", "--arch", arch, "--json", arch], r"--json '.*arch.json' names the same file as the input --arch '.*arch.json'")
    case("outputs", ["bounds", "--model", tiny, "--json", os.path.join(tiny, "config.json")],
         r"--json '.*tiny/config.json' names the same file as the input --model")
    case("outputs", ["bounds", "--arch", arch, "-o", f["bounds_out"], "--json", os.path.join(f["bounds_out"], "bounds.json")],
         r"-o '.*bounds_out/bounds.json' and --json '.*bounds_out/bounds.json' name the same file",
         outputs=[os.path.join(f["bounds_out"], "bounds.json")])
    case("outputs", ["bounds", "--arch", arch, "-o", f["a_file"]], r"-o '.*a_plain_file' exists and is not a folder; give a folder for bounds.json")
    case("outputs", ["bounds", "--arch", arch, "-o", f["a_file"] + "/sub"], r"cannot create the -o folder '.*a_plain_file/sub': Not a directory")
    case("outputs", ["bounds", "--arch", arch, "--json", os.path.join(f["dir"], "no/such/b.json")],
         r"cannot write JSON report '.*no/such/b.json': folder '.*no/such' does not exist")
    case("outputs", ["bounds", "--arch", arch, "--json", "/dev/full"], r"cannot write JSON report '/dev/full': No space left on device")
    # view: the site folder is replaced only as a whole, and only when it is a site
    case("outputs", ["view", good, "-o", o("keep.txt")],
         r"cannot write explorer site '.*keep.txt': it exists and is not a folder", outputs=[o("keep.txt")])
    case("outputs", ["view", good, "-o", f["foreign"]],
         r"cannot write explorer site '.*foreign': it is a folder that tc0flow did not write \(it has files and no tc0flow-view.json\)",
         outputs=[os.path.join(f["foreign"], "keep.txt")])
    case("outputs", ["view", good, "-o", f["out"] + "/."], r"cannot write explorer site '.*out/\.': name a folder of its own")
    case("outputs", ["view", good, "-o", os.path.join(f["dir"], "no/such/site")],
         r"cannot write explorer site '.*no/such/site': folder '.*no/such' does not exist")
    case("outputs", ["view", good, "-o", os.path.join(f["dir"], "new_site"), "--json", good],
         r"--json '.*good.tc0c' names the same file as the input FILE")
    case("outputs", ["view", good, "-o", os.path.join(f["dir"], "new_site"), "--json", os.path.join(f["dir"], "new_site")],
         r"--json '.*new_site' names the site folder -o '.*new_site'")
    case("outputs", ["view", os.path.join(site, "in.tc0c"), "-o", site],
         r"FILE '.*site/in.tc0c' lies in the site folder -o '.*site', which is replaced as a whole", outputs=site_files(site))
    case("outputs", ["view", os.path.join(site, "in.tc0c"), "-o", site + "/"],
         r"FILE '.*site/in.tc0c' lies in the site folder -o '.*site/', which is replaced as a whole", outputs=site_files(site))
    case("outputs", ["view", good, "-o", site, "--json", o("keep.json")],
         r"cannot write explorer site '.*site/data/[^']*': File too large", outputs=site_files(site) + [o("keep.json")],
         preexec=file_size_limit(512))
    if f["full"]:
        case("outputs", ["gadget", "multiply", "--bits", "12", "-o", os.path.join(f["full"], "keep.tc0c")],
             r"cannot write circuit file '.*full_disk/keep.tc0c': No space left on device",
             outputs=[os.path.join(f["full"], "keep.tc0c")])
        case("outputs", ["view", good, "-o", os.path.join(f["full"], "site")],
             r"cannot write explorer site '.*full_disk/site[^']*': No space left on device")

    # ---- numbers: declared ranges, negatives into unsigned flags, junk, overflow ----
    num = [
        (["simulate", good, "--random", "-5"], r"--random: -5 is negative; expected a whole number in \[1, 1000000000000\]"),
        (["simulate", good, "--random", "5", "--seed", "-1"], r"--seed: -1 is negative"),
        (["simulate", good, "--random", "0"], r"--random: 0 is out of range"),
        (["simulate", good, "--random", "10000000000000"], r"--random: 10000000000000 is out of range"),
        (["simulate", good, "--random", "1e3"], r"--random: '1e3' is not a whole number"),
        (["simulate", good, "--random", "5", "--seed", "99999999999999999999"], r"--seed: 99999999999999999999 is out of range"),
        (["simulate", good, "--random", "5", "--threads", "100000"], r"--threads: 100000 is out of range; expected a whole number in \[0, \d+\]"),
        (["simulate", good, "--random", "5", "--threads", "-1"], r"--threads: -1 is out of range"),
        (["simulate", good, "--random", "5", "--block-words", "-1"], r"--block-words: -1 is negative"),
        (["simulate", good, "--random", "5", "--block-words", "65"], r"--block-words: 65 is out of range"),
        (["gadget", "add", "--bits", "65", "-o", o("keep.tc0c")], r"--bits: 65 is out of range; expected a whole number in \[2, 64\]"),
        (["gadget", "add", "--bits", "1", "-o", o("keep.tc0c")], r"--bits: 1 is out of range"),
        (["gadget", "add", "--bits", "0x10", "-o", o("keep.tc0c")], r"--bits: '0x10' is not a whole number"),
        (["gadget", "add", "--bits", "8.5", "-o", o("keep.tc0c")], r"--bits: '8.5' is not a whole number"),
        (["gadget", "add", "--bits", "", "-o", o("keep.tc0c")], r"--bits"),
        (["gadget", "add", "--frac", "200", "-o", o("keep.tc0c")], r"--frac: 200 is out of range; expected a whole number in \[-128, 128\]"),
        (["gadget", "sum", "--terms", "0", "-o", o("keep.tc0c")], r"--terms: 0 is out of range"),
        (["gadget", "sum", "--terms", "5000", "-o", o("keep.tc0c")], r"--terms: 5000 is out of range"),
        (["gadget", "add", "--depth-budget", "4", "--group-size", "-1", "-o", o("keep.tc0c")], r"--group-size: -1 is negative"),
        (["gadget", "add", "--depth-budget", "1", "-o", o("keep.tc0c")], r"--depth-budget: 1 is out of range"),
        (["export", good, "--format", "dot", "--max-gates", "-1", "-o", o("keep.v")], r"--max-gates: -1 is negative"),
        (["export", good, "--format", "blif", "--table-fanin", "17", "-o", o("keep.v")], r"--table-fanin: 17 is out of range"),
        (["export", good, "--format", "verilog", "--max-output-gib", "0", "-o", o("keep.v")], r"--max-output-gib: 0 is out of range"),
        (["draw", good, "--max-depth", "-1", "-o", o("keep.svg")], r"--max-depth: -1 is out of range"),
        (["draw", good, "--modules", "0", "-o", o("keep.svg")], r"--modules: 0 is out of range"),
        (["sample", "--model", tiny, "--count", "-3"], r"--count: -3 is negative"),
        (["sample", "--model", tiny, "--count", "2000000"], r"--count: 2000000 is out of range; expected a whole number in \[1, 1000000\]"),
        (["sample", "--model", tiny, "--steps", "0"], r"--steps: 0 is out of range"),
        (["sample", "--model", tiny, "--type", "mpfr", "--precision", "8"], r"--precision: 8 is out of range"),
        (["sample", "--model", tiny, "--type", "float64", "--approx-attention", "1.5"], r"--approx-attention: 1.5 is out of range; expected a number in \(0, 1\)"),
        (["sample", "--model", tiny, "--type", "float64", "--approx-attention", "nan"], r"--approx-attention: nan is not finite; expected a number in \(0, 1\)"),
        (["sample", "--model", tiny, "--type", "float64", "--approx-attention", "0.1", "--approx-B", "-1"], r"--approx-B: -1 is out of range"),
        (["calibrate", "--model", tiny, "--bits-act", "17"], r"--bits-act: 17 is out of range; expected a whole number in \[2, 16\]"),
        (["calibrate", "--model", tiny, "--margin", "inf"], r"--margin: inf is not finite|--margin: 'inf' is not a number"),
        (["calibrate", "--model", tiny, "--count", "-1"], r"--count: -1 is negative"),
        (["compile", "--model", tiny, "-o", o("keep.tc0c"), "--max-memory", "-2"], r"--max-memory: -2 is out of range"),
        (["compile", "--model", tiny, "-o", o("keep.tc0c"), "--group-size", "1"], r"--group-size: 1 is out of range"),
        (["check", good, "--model", tiny, "--count", "0"], r"--count: 0 is out of range"),
        (["check", good, "--model", tiny, "--seed", "-7"], r"--seed: -7 is negative"),
        (["fidelity", "--model", tiny, "--mpfr-bits", "100000"], r"--mpfr-bits: 100000 is out of range"),
        (["identities", "--s", "0"], r"--s: 0 is out of range; expected a number in \(0, 1e\+06\]"),
        (["identities", "--mu", "1,nan"], r"--mu: nan is not finite"),
        (["identities", "--points", "0"], r"--points: 0 is out of range"),
        (["identities", "--precision", "-128"], r"--precision: -128 is negative"),
        (["nowrap", "--model", tiny, "--acc-bits", "1"], r"--acc-bits: 1 is out of range"),
        (["nowrap", "--model", tiny, "--timeout", "0"], r"--timeout: 0 is out of range"),
        (["prove", "--timeout", "-1", "gadget.add/2"], r"--timeout: -1 is out of range"),
        (["demo", "--inputs", "0"], r"--inputs: 0 is out of range"),
        (["demo", "--depth-budget", "13"], r"--depth-budget: 13 is out of range"),
    ]
    arch = f["arch"]
    num += [
        (["bounds", "--arch", arch, "--steps", "0"], r"--steps: 0 is out of range; expected a whole number in \[1, 64\]"),
        (["bounds", "--arch", arch, "--steps", "-2"], r"--steps: -2 is out of range"),
        (["bounds", "--arch", arch, "--depth-budget", "13"], r"--depth-budget: 13 is out of range; expected a whole number in \[2, 12\]"),
        (["bounds", "--arch", arch, "--group-size", "-1"], r"--group-size: -1 is negative"),
        (["bounds", "--arch", arch, "--group-size", "1"], r"--group-size: 1 is out of range; expected a whole number in \[2, 4096\]"),
        (["bounds", "--arch", arch, "--max-memory", "0"], r"--max-memory: 0 is out of range; expected a number in \(0, 4096\]"),
        (["bounds", "--arch", arch, "--max-memory", "nan"], r"--max-memory: nan is not finite"),
        (["bounds", "--arch", arch, "--sweep", "tokens=4,0"], r"--sweep 'tokens=4,0': value '0' is not an integer in \[1, 2\^20\]"),
    ]
    for args, msg in num:
        outs = [a for a in args if a.startswith(f["out"])]
        case("numbers", args, msg, outputs=outs)

    # ---- files: only regular files are read ----
    for target, kind in [(f["dir"], "a directory"), ("/dev/zero", "a character device"), (f["fifo"], r"a named pipe \(FIFO\)"),
                         (f["link_zero"], "a character device")]:
        case("files", ["stats", target], rf"cannot read circuit file '{re.escape(target)}': it is {kind}, not a regular file")
    case("files", ["stats", f["dangling"]], r"cannot read circuit file '.*dangling.tc0c': no such file")
    case("files", ["stats", os.path.join(f["dir"], "missing.tc0c")], r"cannot read circuit file '.*missing.tc0c': no such file")
    case("files", ["export", "/dev/zero", "--format", "blif", "-o", o("keep.v")], r"cannot read circuit file '/dev/zero': it is a character device",
         outputs=[o("keep.v")])
    case("files", ["draw", f["dir"], "-o", o("keep.svg")], r"cannot read circuit file '.*a_folder': it is a directory", outputs=[o("keep.svg")])
    case("files", ["simulate", f["fifo"], "--random", "3"], r"cannot read circuit file '.*a_fifo': it is a named pipe")
    case("files", ["simulate", good, "--inputs", f["dir"]], r"cannot read input file '.*a_folder': it is a directory")
    case("files", ["simulate", good, "--inputs", "/dev/zero"], r"cannot read input file '/dev/zero': it is a character device")
    case("files", ["simulate", good, "--inputs", f["fifo"]], r"cannot read input file '.*a_fifo': it is a named pipe")
    case("files", ["check", "/dev/zero", "--model", tiny], r"cannot read circuit file '/dev/zero'")
    case("files", ["sample", "--model", f["m_zero"], "--count", "2"], r"cannot read model weights '.*zero/weights.safetensors': it is a character device")
    case("files", ["compile", "--model", f["m_zero"], "-o", o("keep.tc0c")], r"cannot read model weights '.*zero/weights.safetensors': it is a character device",
         outputs=[o("keep.tc0c")])
    case("files", ["sample", "--model", f["m_fifo"]], r"cannot read model config '.*fifo/config.json': it is a named pipe")
    case("files", ["sample", "--model", f["m_wdir"]], r"cannot read model weights '.*wdir/weights.safetensors': it is a directory")
    case("files", ["sample", "--model", f["m_noweights"]], r"cannot read model weights '.*noweights/weights.safetensors': no such file")
    case("files", ["sample", "--model", f["good"]], r"'.*good.tc0c' is not a model directory")
    case("files", ["nowrap", "--model", os.path.join(f["dir"], "none")], r"model directory '.*a_folder/none' does not exist")
    case("files", ["fidelity", "--model", tiny, "--data", "/dev/zero"], r"cannot read held-out data '/dev/zero': it is a character device")
    case("files", ["fidelity", "--model", tiny, "--data", f["dir"]], r"cannot read held-out data '.*a_folder': it is a directory")
    case("files", ["identities", "--model", f["m_zero"]], r"cannot read model weights '.*zero/weights.safetensors'")
    case("files", ["calibrate", "--model", f["m_fifo"]], r"cannot read model config '.*fifo/config.json': it is a named pipe")
    case("files", ["bounds", "--arch", f["dir"]], r"cannot read architecture file '.*a_folder': it is a directory, not a regular file")
    case("files", ["bounds", "--arch", "/dev/zero"], r"cannot read architecture file '/dev/zero': it is a character device")
    case("files", ["bounds", "--arch", os.path.join(f["dir"], "none.json")], r"cannot read architecture file '.*none.json': no such file")
    case("files", ["view", os.path.join(f["dir"], "missing.tc0c"), "-o", os.path.join(f["dir"], "s")],
         r"cannot read circuit file '.*missing.tc0c': no such file")
    case("files", ["view", f["fifo"], "-o", os.path.join(f["dir"], "s")], r"cannot read circuit file '.*a_fifo': it is a named pipe")
    case("files", ["view", good, "-o", os.path.join(f["dir"], "s"), "--bounds", f["dir"]],
         r"cannot read bounds report '.*a_folder': it is a directory")

    # ---- budget: exports refused before the work, with the estimate and the flag ----
    for fmt_ in ["verilog", "aiger", "aag", "blif"]:
        case("budget", ["export", f["mul8"], "--format", fmt_, "--max-output-gib", "0.000001", "-o", o("keep.v")],
             rf"the {fmt_} export of '.*mul8.tc0c' is estimated at .* more than the --max-output-gib budget of 1e-06 GiB; .*pass --max-output-gib",
             outputs=[o("keep.v")])
    case("budget", ["export", f["mul8"], "--format", "dot", "--max-gates", "1000", "--max-output-gib", "0.000001", "-o", o("keep.v")],
         r"the DOT text of \d+ gates is estimated at .* more than the budget", outputs=[o("keep.v")])
    case("budget", ["bounds", "--arch", f["arch"], "--max-memory", "0.000001"],
         r"counting this sampler needs about [\d.]+ MiB, more than the --max-memory budget of 1.0 KiB; raise --max-memory")
    case("budget", ["bounds", "--arch", f["arch"], "--sweep", "tokens=4,16", "--max-memory", "0.00001", "-o", f["bounds_out"]],
         r"counting tokens = 4 needs about [\d.]+ MiB, more than the --max-memory budget of 10.5 KiB",
         outputs=[os.path.join(f["bounds_out"], "bounds.json")])
    case("budget", ["draw", f["mul8"], "--max-gates", "10", "-o", o("keep.svg")], r"gates to draw, more than the limit of 10; .*--max-gates",
         outputs=[o("keep.svg")])

    # ---- external: Graphviz and solver I/O failures are errors ----
    case("external", ["draw", good, "-o", os.path.join(f["dir"], "missing", "x.svg")],
         r"cannot write picture '.*missing/x.svg': folder '.*missing' does not exist|cannot write output '.*missing/x.svg': folder")
    case("external", ["draw", good, "-o", f["a_file"] + "/x.svg"], r"'.*a_plain_file' is not a folder")
    case("external", ["draw", good, "-o", o("keep.txt")], r"draw: unsupported picture format 'txt'; use svg or png", outputs=[o("keep.txt")])
    case("external", ["draw", good, "-o", os.path.join(f["out"], "noextension")], r"cannot tell the picture format of '.*noextension'")
    case("external", ["prove", "gadget.add/2", "--smt2", f["a_file"] + "/smt"], r"cannot create the --smt2 folder '.*a_plain_file/smt'")
    case("external", ["prove", "gadget.add/2", "--smt2", f["a_file"]], r"cannot create the --smt2 folder '.*a_plain_file': Not a directory")
    case("external", ["nowrap", "--model", tiny, "--smt2", f["a_file"] + "/smt"], r"cannot create the --smt2 folder '.*a_plain_file/smt'")

    # ---- flags: conflicting or inapplicable ----
    fl = [
        (["gadget", "add", "--terms", "5", "-o", o("keep.tc0c")], r"--terms does not apply to gadget 'add' \(it reads --bits"),
        (["gadget", "compare", "--out-bits", "4", "-o", o("keep.tc0c")], r"--out-bits does not apply to gadget 'compare'"),
        (["gadget", "max", "--depth-budget", "4", "-o", o("keep.tc0c")], r"--depth-budget does not apply to gadget 'max'"),
        (["gadget", "mux", "--out-frac", "2", "-o", o("keep.tc0c")], r"--out-frac does not apply to gadget 'mux'"),
        (["gadget", "multiply", "--depth-budget", "4", "-o", o("keep.tc0c")], r"--depth-budget applies to multiply only when it rounds"),
        (["gadget", "add", "--group-size", "4", "-o", o("keep.tc0c")], r"--group-size applies only to grouped linear forms"),
        (["gadget", "nosuch", "-o", o("keep.tc0c")], r"unknown gadget 'nosuch'; known gadgets"),
        (["sample", "--model", tiny, "--type", "fixed", "--precision", "64"], r"--precision applies to --type mpfr only"),
        (["sample", "--model", tiny, "--type", "fixed", "--quantised-weights"], r"--quantised-weights applies to --type float64 or mpfr"),
        (["sample", "--model", tiny, "--approx-degree", "3"], r"--approx-degree needs --approx-attention EPS"),
        (["sample", "--model", tiny, "--type", "fixed", "--approx-attention", "0.01"], r"--approx-attention is for --type float64 or mpfr"),
        (["sample", "--model", tiny, "--png", o("keep.png")], r"--png draws image models only"),
        (["draw", good, "--modules", "2", "--cone", "y", "-o", o("keep.svg")], r"--modules cannot be combined with --cone"),
        (["draw", good, "--modules", "2", "--max-gates", "9", "-o", o("keep.svg")], r"--modules cannot be combined with --max-gates"),
        (["draw", good, "--cone", "nosuch", "-o", o("keep.svg")], r"no output bus or bit named 'nosuch'"),
        (["export", good, "--format", "blif", "--cone", "y", "-o", o("keep.v")], r"--cone applies to --format dot only"),
        (["export", good, "--format", "aiger", "--table-fanin", "4", "-o", o("keep.v")], r"--table-fanin applies to --format blif only"),
        (["export", good, "--format", "dot", "--top", "x", "-o", o("keep.v")], r"--top names the model of blif and verilog exports only"),
        (["export", good, "--format", "vhdl", "-o", o("keep.v")], r"--format: vhdl not in \{"),
        (["simulate", good, "--inputs", f["in_ok"], "--seed", "3"], r"--seed applies to --random only"),
        (["simulate", good, "--inputs", f["in_ok"], "--random", "3"], r"--inputs excludes --random"),
        (["simulate", good, "--random", "3", "--quiet", "-o", o("keep.txt")], r"--quiet cannot be combined with --output"),
        (["simulate", good], r"give --inputs FILE or --random N"),
        (["calibrate", "--model", tiny, "--force"], r"--force applies only with -o"),
        (["fidelity", "--model", tiny, "--no-criterion", "--data", f["heldout_junk"]], r"--data is the held-out data of the quality criterion"),
        (["prove", "--list", "--smt2", os.path.join(f["out"], "smt")], r"--smt2 applies to proving, which --list does not do"),
        (["prove", "--list", "--timeout", "5"], r"--timeout applies to proving, which --list does not do"),
        (["prove", "no.such.obligation"], r"no proof obligation named or starting with 'no.such.obligation'"),
        (["identities", "--model", tiny, "--mu", "1"], r"--mu sets the Gaussian oracle, which --model replaces"),
        (["identities", "--model", tiny, "--s", "2"], r"--s sets the Gaussian oracle, which --model replaces"),
        (["compile", "--model", tiny, "-o", o("keep.tc0c"), "--sampler", "rk4"], r"--sampler: rk4 not in \{"),
        (["stats", good, "--bogus"], r"The following argument was not expected: --bogus"),
        # the list comes from `tc0flow --help`, so a new command changes both alike
        (["nosuchcommand"], r"^tc0flow: error: 'nosuchcommand' is not a tc0flow command; the commands are "
                            + re.escape(", ".join(COMMANDS)) + r" \(see tc0flow --help\)$"),
        (["bounds"], r"give exactly one of --model DIR and --arch FILE"),
        (["bounds", "--model", tiny, "--arch", f["arch"]], r"give exactly one of --model DIR and --arch FILE"),
        (["bounds", "--arch", f["arch"], "--no-plots"], r"--no-plots applies to a sweep written with -o"),
        (["bounds", "--arch", f["arch"], "--sweep", "colour=1,2"], r"--sweep 'colour=1,2': unknown axis 'colour'; axes: tokens"),
        (["bounds", "--arch", f["arch"], "--sampler", "rk4"], r"--sampler: rk4 not in \{"),
        (["view", good], r"--output is required"),
    ]
    for args, msg in fl:
        case("flags", args, msg, outputs=[a for a in args if a.startswith(f["out"]) and os.path.exists(a)])

    # ---- config: model config values outside the README's ranges (sampler/README.md) ----
    cf = [
        ("m_attn0", r"field 'dit.attn_scale' = 0 is outside \(0, 1000000\]"),
        ("m_cifar", r"field 'data.kind' is \"cifar\"; allowed: digits8x8, moons, random"),
        ("m_width0", r"field 'mlp.width' = 0 is outside \[1, 4096\]"),
        ("m_steps", r"field 'sampler.steps' = 2000 is outside \[1, 1024\]"),
        ("m_clip", r"field 'noise.clip' = 100 is outside \[0.125, 64\]"),
        ("m_semver", r"model made under semantics version 99, this tool implements version"),
        ("m_path", r"field 'path' is \"cosine\"; allowed: linear"),
        ("m_act", r"field 'mlp.activation' is \"relu\"; allowed: silu, gelu"),
        ("m_heads", r"dit.heads = 3 does not divide dit.width"),
        ("m_format", r"format 'formats.weights.layers.0.weight'"),
        ("m_freqs", r"field 'time_embedding.freqs' must be a list of 1 to 64 numbers"),
        ("m_grid", r"field 'sampler.time_grid' must start at 1 and end at 0"),
        ("m_nodim", r"missing field 'data.dim'"),
    ]
    for key, msg in cf:
        case("config", ["sample", "--model", f[key], "--count", "2"], rf"{re.escape(f[key])}/config.json: {msg}")
    case("config", ["compile", "--model", f["m_attn0"], "-o", o("keep.tc0c")], r"attn0/config.json: field 'dit.attn_scale'",
         outputs=[o("keep.tc0c")])
    case("config", ["calibrate", "--model", f["m_cifar"]], r"cifar/config.json: field 'data.kind'")
    case("config", ["check", good, "--model", f["m_steps"]], r"steps/config.json: field 'sampler.steps'")
    case("config", ["fidelity", "--model", f["m_width0"]], r"width0/config.json: field 'mlp.width'")
    case("config", ["bounds", "--arch", f["arch_unknown"]], r"arch_unknown.json: unknown field 'colour'")
    case("config", ["bounds", "--arch", f["arch_range"]], r"arch_range.json: field 'width' = 5000 is outside \[1, 1024\]")
    case("config", ["bounds", "--arch", f["arch_heads"]], r"arch_heads.json: heads = 3 does not divide width = 8")
    case("config", ["bounds", "--model", f["m_steps"]], r"steps/config.json: field 'sampler.steps'")

    # ---- gadget: format limits of tc0flow gadget, named by flag ----
    gd = [
        (["add", "--bits", "64"], r"--bits 64: add needs 65 bits \(the exact result\), more than the 64 of the widest format; give --out-bits"),
        (["sub", "--bits", "64"], r"--bits 64: sub needs 65 bits"),
        (["multiply", "--bits", "40"], r"--bits 40: multiply needs 80 bits \(the full product\)"),
        (["multiply", "--bits", "8", "--frac", "100"], r"--frac 100: multiply has 200 fraction bits \(the full product\), outside \[-128, 128\]"),
        (["multiply", "--bits", "40", "--out-frac", "3"], r"--bits 40: multiply needs 80 bits"),
        (["sum", "--bits", "62", "--terms", "9"], r"--bits 62: sum needs 66 bits \(the exact sum\)"),
        (["relu", "--bits", "20"], r"--bits 20: relu is a table over its input, which serves at most 16 bits"),
    ]
    for args, msg in gd:
        case("gadget", ["gadget"] + args + ["-o", o("keep.tc0c")], msg, outputs=[o("keep.tc0c")])

    # ---- content: corrupt circuits, inputs and models ----
    ct = [
        (["stats", f["junk"]], r"circuit file '.*junk.tc0c': not a tc0flow circuit file \(bad magic\)"),
        (["stats", f["empty"]], r"circuit file '.*empty.tc0c': not a tc0flow circuit file"),
        (["stats", f["truncated"]], r"circuit file '.*truncated.tc0c': body is \d+ bytes but the header says"),
        (["stats", f["badversion"]], r"circuit file '.*badversion.tc0c': file format version 99"),
        (["stats", f["badsum"]], r"circuit file '.*badsum.tc0c': checksum mismatch"),
        (["simulate", good, "--inputs", f["in_word"]], r"in_word.txt:2: 'x' is not an integer"),
        (["simulate", good, "--inputs", f["in_port"]], r"in_port.txt:1: 'q' is not an input port of the circuit"),
        (["simulate", good, "--inputs", f["in_range"]], r"in_range.txt:3: 100 does not fit port 'a'"),
        (["simulate", good, "--inputs", f["in_short"]], r"in_short.txt:2: expected 2 values, found 1"),
        (["simulate", good, "--inputs", f["in_long"]], r"in_long.txt:2: more than 2 values"),
        (["simulate", good, "--inputs", f["in_empty"]], r"input file '.*in_empty.txt' is empty"),
        (["simulate", good, "--inputs", f["in_dup"]], r"in_dup.txt:1: port 'a' named twice"),
        (["simulate", good, "--inputs", f["in_missing_port"]], r"in_missing_port.txt:1: the header names 1 of the 2 input ports"),
        (["simulate", good, "--inputs", f["in_word"], "-o", o("keep.txt")], r"in_word.txt:2: 'x' is not an integer"),
        (["sample", "--model", f["m_badjson"]], r"badjson/config.json: not valid JSON"),
        (["sample", "--model", f["m_trunc"]], r"trunc/weights.safetensors: .*exceeds the file|trunc/weights.safetensors"),
        (["fidelity", "--model", tiny, "--data", f["heldout_junk"]], r"held-out data '.*heldout_junk.json'"),
        (["check", f["mul8"], "--model", tiny, "--count", "2"], r"circuit|input bus|port|noise|bus"),
        (["bounds", "--arch", f["arch_badjson"]], r"arch_badjson.json: not valid JSON \(.*parse error at line 2"),
        (["view", f["junk"], "-o", os.path.join(f["dir"], "s")], r"circuit file '.*junk.tc0c': not a tc0flow circuit file \(bad magic\)"),
        (["view", f["badsum"], "-o", os.path.join(f["dir"], "s")], r"circuit file '.*badsum.tc0c': checksum mismatch"),
        (["view", good, "-o", os.path.join(f["dir"], "s"), "--bounds", f["heldout_junk"]],
         r"bounds report '.*heldout_junk.json' is not valid JSON"),
        (["view", good, "-o", os.path.join(f["dir"], "s"), "--verify", f["verify_noops"]],
         r"verification report '.*verify_noops.json' has no \"ops\" list"),
        (["view", good, "-o", os.path.join(f["dir"], "s"), "--model", f["m_badjson"]], r"model config '.*badjson/config.json' is not valid JSON"),
    ]
    for args, msg in ct:
        case("content", args, msg, outputs=[a for a in args if a.startswith(f["out"])])

    # ---- verify (issue 14): a circuit without an operation map, unreadable files, outputs, ranges ----
    case("content", ["verify", good, "--model", tiny],
         r"'.*good.tc0c' has no operation map \(it was not written by tc0flow compile\); regenerate it with `tc0flow compile --model")
    case("content", ["verify", f["badversion"], "--model", tiny], r"circuit file '.*badversion.tc0c': file format version 99")
    case("files", ["verify", f["fifo"], "--model", tiny], r"cannot read circuit file '.*a_fifo': it is a named pipe")
    case("files", ["verify", good, "--model", os.path.join(f["dir"], "none")], r"model directory '.*a_folder/none' does not exist")
    case("outputs", ["verify", good, "--model", tiny, "--json", good], r"--json '.*good.tc0c' names the same file as the input FILE")
    case("flags", ["verify", good, "--model", tiny, "--timeout", "0"], r"--timeout: 0 is out of range")
    case("external", ["verify", good, "--model", tiny, "--smt2", f["a_file"] + "/smt"], r"cannot create the --smt2 folder '.*a_plain_file/smt'")
    return C


def run_cases(tc0flow, work, cases, cwd, timeout):
    failures = []
    sentinels = {}
    for c in cases:
        t0 = time.monotonic()
        missing = [p for p in c.outputs if not os.path.exists(p)]
        if missing:
            failures.append((c, f"outputs {missing} were gone before the run (an earlier case removed them)"))
            continue
        for p in c.outputs:
            with open(p, "rb") as fh:
                sentinels[p] = fh.read()
        try:
            st, out, err = fixtures.run(tc0flow, c.args, timeout=timeout, cwd=cwd, preexec_fn=c.preexec)
        except subprocess.TimeoutExpired:
            failures.append((c, f"did not finish within {timeout} s (a hang)"))
            continue
        lines = [l for l in err.split("\n") if l.strip()]
        why = []
        if st != c.status:
            why.append(f"exit status {st}, expected {c.status}")
        if len(lines) != 1:
            why.append(f"{len(lines)} lines on standard error, expected one")
        prefix = "tc0flow: error: " if c.cmd not in {x for x in COMMANDS} else f"tc0flow {c.cmd}: error: "
        if lines and not lines[-1].startswith(prefix):
            why.append(f"the error line does not start with '{prefix}'")
        if not re.search(c.msg, err):
            why.append(f"message does not match /{c.msg}/")
        for p in c.outputs:
            if not os.path.exists(p):
                why.append(f"output {p} was removed")
                continue
            with open(p, "rb") as fh:
                if fh.read() != sentinels[p]:
                    why.append(f"output {p} was changed")
        left = fixtures.leftover_temporaries(work)
        if left:
            why.append(f"temporary files left: {left}")
            for p in left:
                os.remove(p)
        if why:
            failures.append((c, "; ".join(why) + "\n      stderr: " + err.strip()[:400]))
        c.seconds = time.monotonic() - t0
    return failures


COMMANDS = []


def help_ranges(tc0flow):
    """Every numeric flag of every subcommand states its range in --help (tools/cli/flags.hpp)."""
    problems, flags = [], 0
    for cmd in COMMANDS:
        st, out, err = fixtures.run(tc0flow, [cmd, "--help"])
        for line in out.split("\n"):
            m = re.match(r"\s+(-\S+(?:,\s*-\S+)*)\s+(INT|UINT|FLOAT)\b(.*)", line)
            if not m:
                continue
            flags += 1
            if not re.match(r":in [\[(]", m.group(3)):
                problems.append(f"{cmd} {m.group(1)}: numeric flag without a declared range in --help: {line.strip()}")
    return problems, flags


def good_paths(tc0flow, work):
    """Paths with spaces and non-ASCII names work end to end."""
    d = os.path.join(work, "dir with spaces", "ünïcødé ✓")
    os.makedirs(d)
    c = os.path.join(d, "my circuit é.tc0c")
    inputs = os.path.join(d, "in puts ü.txt")
    with open(inputs, "w") as fh:
        fh.write("a b\n3 -2\n")
    steps = [["gadget", "add", "--bits", "4", "-o", c, "--json", os.path.join(d, "gadget report ✓.json")],
             ["stats", c, "--json", os.path.join(d, "stats ü.json")],
             ["simulate", c, "--inputs", inputs, "-o", os.path.join(d, "out ü.txt")],
             ["export", c, "--format", "verilog", "-o", os.path.join(d, "é.v")],
             ["draw", c, "-o", os.path.join(d, "picture ✓.svg")]]
    problems = []
    for args in steps:
        st, out, err = fixtures.run(tc0flow, args)
        if st != 0:
            problems.append(f"{' '.join(args)}: exit {st}: {err.strip()}")
    out_file = os.path.join(d, "out ü.txt")
    if not problems and open(out_file, encoding="utf-8").read() != "y\n1\n":
        problems.append(f"{out_file}: wrong simulation output")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tc0flow", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per case; longer is a hang")
    a = ap.parse_args()
    tc0flow, repo, work = os.path.abspath(a.tc0flow), os.path.abspath(a.repo), os.path.abspath(a.work)
    st, out, err = fixtures.run(tc0flow, ["--help"])
    COMMANDS.extend(re.findall(r"^\s{2}(\w+)\s{2,}", out.split("Subcommands:")[-1], re.M))
    f = build_fixtures(tc0flow, repo, work)
    try:
        cases = build_cases(f, repo)
        if a.list:
            for c in cases:
                print(f"{c.cls:9} {c.describe()}")
            return 0
        failures = run_cases(tc0flow, work, cases, repo, a.timeout)
        problems, numeric_flags = help_ranges(tc0flow)
        problems += good_paths(tc0flow, work)
    finally:
        if f["full"]:
            subprocess.run(["umount", f["full"]], capture_output=True)
    per_class = collections.Counter(c.cls for c in cases)
    per_cmd = collections.Counter(c.cmd for c in cases)
    distinct = len({tuple(c.args) for c in cases})
    for c, why in failures:
        print(f"FAIL [{c.cls}] tc0flow {c.describe()}\n      {why}")
    for p in problems:
        print(f"FAIL {p}")
    missing_classes = [k for k in CLASSES if per_class[k] == 0]
    missing_cmds = [k for k in COMMANDS if per_cmd[k] == 0]
    print(f"corpus: {len(cases)} bad inputs ({distinct} distinct), {len(failures)} failed")
    print("per class: " + ", ".join(f"{k} {per_class[k]}" for k in CLASSES))
    print("per subcommand: " + ", ".join(f"{k} {per_cmd[k]}" for k in sorted(per_cmd)))
    slowest = sorted(cases, key=lambda c: -getattr(c, "seconds", 0))[:3]
    print("slowest: " + "; ".join(f"{getattr(c, 'seconds', 0):.2f} s {c.describe()[:60]}" for c in slowest))
    print(f"numeric flags with a declared range in --help: {numeric_flags}; full-disk case on tmpfs: "
          f"{'run' if f['full'] else 'not available (needs root and tmpfs)'}")
    ok = not failures and not problems and distinct >= 100 and not missing_classes and not missing_cmds and numeric_flags > 50
    if missing_classes:
        print(f"FAIL classes without a case: {missing_classes}")
    if missing_cmds:
        print(f"FAIL subcommands without a case: {missing_cmds}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
