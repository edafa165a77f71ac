#!/usr/bin/env python3
"""Interrupting a command that writes never loses the previous output (issue 15).

For every command that writes (compile, simulate -o, export, draw, sample, calibrate, prove --smt2,
view):
its outputs first hold "previous" bytes; one uninterrupted run gives the complete new bytes and the
run time T; then the command is started again from the previous bytes and sent SIGINT (SIGTERM for
one moment) at several moments: fixed fractions of T, and the moment a temporary file of the atomic
writer appears next to an output (so that the signal lands while a file is being written). After
each run every output must hold exactly its previous bytes or exactly its complete new bytes (JSON
reports compared without their timing fields), no temporary file may be left, and no other file may
appear. A folder written as a whole (the site of `tc0flow view`) starts as a previous site and must
hold, as a whole, exactly the previous site or exactly the complete new one. (A writer that writes in
place is caught by the write-aimed moment: it fires when an output first changes, and the signal
then leaves a partial file.)

  interrupt.py --tc0flow BIN --repo DIR --work DIR
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402

PREVIOUS = b"previous output of an earlier run\n"
FRACTIONS = [0.2, 0.7]


def normalise(path, data):
    """JSON reports carry timings; compare them without those."""
    if not path.endswith(".json"):
        return data
    try:
        j = json.loads(data)
    except ValueError:
        return data

    def timing(parent, k):
        # a site's size counts its marker file, which holds the run's timings (their digits vary)
        return "second" in k or k == "peak_rss_bytes" or (parent == "site" and k == "bytes")

    def strip(x, parent=None):
        if isinstance(x, dict):
            return {k: strip(v, k) for k, v in x.items() if not timing(parent, k)}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return json.dumps(strip(j), sort_keys=True).encode()


def snapshot(folder):
    out = {}
    for base, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(base, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = fh.read()
    return out


class Job:
    def __init__(self, name, args, folder, outputs, sites):
        self.name, self.args, self.folder, self.outputs = name, args, folder, outputs
        self.sites = sites  # folder name -> a previous folder of the same kind, copied there first


def prepare(job):
    """The folder holds exactly the previous bytes under every output name, and the previous sites."""
    if os.path.exists(job.folder):
        shutil.rmtree(job.folder)
    os.makedirs(job.folder)
    for n in job.outputs:
        p = os.path.join(job.folder, n)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as fh:
            fh.write(PREVIOUS)
    for name, src in job.sites.items():
        shutil.copytree(src, os.path.join(job.folder, name))


def part(files, site):
    """The files of a snapshot under the folder `site`, normalised."""
    return {n: normalise(n, b) for n, b in files.items() if n.startswith(site + "/")}


def start(tc0flow, args, cwd):
    return subprocess.Popen([tc0flow] + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def wait_for_writing(p, folder, outputs, limit):
    """Returns once a file is being written: a temporary of the atomic writer exists, or an output
    no longer holds its previous bytes (what a writer that writes in place does first)."""
    t0 = time.monotonic()
    paths = [os.path.join(folder, n) for n in outputs]
    while p.poll() is None and time.monotonic() - t0 < limit:
        for base, _, files in os.walk(folder):
            if any(fixtures.TEMP_MARKER in f for f in files):
                return "temporary"
        for q in paths:
            try:
                if os.stat(q).st_size != len(PREVIOUS):
                    return "output"
            except FileNotFoundError:
                return "output"
        time.sleep(0.0005)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tc0flow", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    tc0flow, repo, work = os.path.abspath(a.tc0flow), os.path.abspath(a.repo), os.path.abspath(a.work)
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    inputs = os.path.join(work, "inputs")
    os.makedirs(inputs)
    tiny64 = fixtures.tiny_mlp(os.path.join(inputs, "tiny64"), repo, width=64)
    for w in (8, 32):
        m = fixtures.tiny_mlp(os.path.join(inputs, f"tiny{w}"), repo, width=w)
        st, _, err = fixtures.run(tc0flow, ["compile", "--model", m, "-o", os.path.join(inputs, f"tiny{w}.tc0c")])
        assert st == 0, err
    st, _, err = fixtures.run(tc0flow, ["gadget", "multiply", "--bits", "7", "-o", os.path.join(inputs, "mul7.tc0c")])
    assert st == 0, err
    previous_site = os.path.join(inputs, "previous_site")  # the site of another circuit
    st, _, err = fixtures.run(tc0flow, ["view", os.path.join(inputs, "mul7.tc0c"), "-o", previous_site])
    assert st == 0, err

    def job(name, args, outputs, sites=None):
        folder = os.path.join(work, name)
        full = [x.replace("OUT/", folder + "/") for x in args]
        return Job(name, full, folder, outputs, sites or {})

    jobs = [
        job("compile", ["compile", "--model", tiny64, "-o", "OUT/sampler.tc0c", "--json", "OUT/report.json"],
            ["sampler.tc0c", "report.json"]),
        job("simulate", ["simulate", os.path.join(inputs, "tiny8.tc0c"), "--random", "100000", "--threads", "1",
                         "-o", "OUT/outputs.txt", "--json", "OUT/report.json"], ["outputs.txt", "report.json"]),
        job("export", ["export", os.path.join(inputs, "tiny32.tc0c"), "--format", "aag", "-o", "OUT/circuit.aag"],
            ["circuit.aag"]),
        job("draw", ["draw", os.path.join(inputs, "mul7.tc0c"), "-o", "OUT/picture.svg"], ["picture.svg"]),
        job("sample", ["sample", "--model", os.path.join(repo, "sampler/models/digits_mf2"), "--count", "64",
                       "--png", "OUT/grid.png", "-o", "OUT/samples.json"], ["grid.png", "samples.json"]),
        job("calibrate", ["calibrate", "--model", os.path.join(repo, "sampler/models/moons_mf2"), "--count", "1000",
                          "--force", "-o", "OUT/model"],
            ["model/config.json", "model/weights.safetensors", "model/heldout.json"]),
        job("prove", ["prove", "gadget.add", "--bits", "2-8", "--smt2", "OUT/smt2"], []),
        job("view", ["view", os.path.join(inputs, "tiny32.tc0c"), "-o", "OUT/site", "--json", "OUT/report.json"],
            ["report.json"], sites={"site": previous_site}),
    ]
    failures, runs, hit_temporary = [], 0, 0
    for j in jobs:
        # the complete new bytes, from an uninterrupted run
        prepare(j)
        old = snapshot(j.folder)
        t0 = time.monotonic()
        st, _, err = fixtures.run(tc0flow, j.args, cwd=repo, timeout=600)
        duration = time.monotonic() - t0
        if st != 0:
            failures.append(f"{j.name}: the uninterrupted run failed: {err.strip()}")
            continue
        new = snapshot(j.folder)
        if j.name == "prove":  # its outputs are the queries it writes; give each previous bytes
            j.outputs = sorted(new)
        previous = {n: PREVIOUS for n in j.outputs}
        previous.update({n: b for n, b in old.items() if any(n.startswith(site + "/") for site in j.sites)})
        moments = [("SIGINT", f * duration) for f in FRACTIONS] + [("SIGINT", "writing"), ("SIGTERM", 0.5 * duration)]
        for sig_name, when in moments:
            prepare(j)
            p = start(tc0flow, j.args, repo)
            if when == "writing":
                hit = wait_for_writing(p, j.folder, j.outputs, 10 * duration + 5)
                hit_temporary += hit == "temporary"
                when = f"writing ({hit})"
            else:
                time.sleep(when)
            if p.poll() is None:
                os.killpg(p.pid, getattr(signal, sig_name))
            try:
                _, err = p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                failures.append(f"{j.name}: did not stop within 60 s of {sig_name}")
                continue
            runs += 1
            what = f"{j.name} ({sig_name} at {when if isinstance(when, str) else f'{when:.2f} s'}, exit {p.returncode})"
            if p.returncode not in (0, -getattr(signal, sig_name)):
                failures.append(f"{what}: unexpected exit: {err.decode(errors='replace').strip()}")
            after = snapshot(j.folder)
            left = fixtures.leftover_temporaries(j.folder)
            if left:
                failures.append(f"{what}: temporary files left: {left}")
            extra = sorted(set(after) - set(new) - set(previous) - {os.path.relpath(x, j.folder) for x in left})
            if extra:
                failures.append(f"{what}: unexpected files: {extra}")
            for n in j.outputs:
                got = after.get(n)
                full = os.path.join(j.folder, n)
                if got is None:
                    failures.append(f"{what}: {n} was removed")
                elif got != PREVIOUS and normalise(full, got) != normalise(full, new[n]):
                    failures.append(f"{what}: {n} is neither the previous nor the complete new file ({len(got)} bytes)")
            for site in j.sites:
                got = part(after, site)
                if got not in (part(old, site), part(new, site)):
                    failures.append(f"{what}: {site}/ is neither the previous nor the complete new folder "
                                    f"({len(got)} files, {len(part(old, site))} before, {len(part(new, site))} after)")
                elif p.returncode == 0 and got != part(new, site):
                    failures.append(f"{what}: finished, but {site}/ is the previous folder")
            if p.returncode == 0 and any(after.get(n) != new.get(n) and normalise(n, after.get(n, b"")) != normalise(n, new[n])
                                         for n in j.outputs):
                failures.append(f"{what}: finished, but not every output is the new one")
        print(f"{j.name:9} {duration:6.2f} s uninterrupted, {len(j.outputs)} outputs, {len(moments)} interrupted runs")
    for f in failures:
        print("FAIL " + f)
    print(f"{runs} interrupted runs of {len(jobs)} commands; the signal came while a temporary existed in "
          f"{hit_temporary} of the {len(jobs)} runs aimed at a write")
    ok = not failures and runs >= len(jobs) * (len(FRACTIONS) + 2)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
