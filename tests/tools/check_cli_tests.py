#!/usr/bin/env python3
"""Every ctest that passes on PASS_REGULAR_EXPRESSION (which ignores the exit status) runs through
tests/cli_exit_status.sh and every one of its regexes checks the "exit status N" line: ctest takes
PASS_REGULAR_EXPRESSION as a list (split at ';') and passes when ANY regex matches, so a regex
without the status line would let a wrong status through.

  check_cli_tests.py BUILD_DIR
"""
import json
import subprocess
import sys

listing = subprocess.run(["ctest", "--show-only=json-v1"], cwd=sys.argv[1], capture_output=True, text=True, check=True)
problems, checked = [], 0
for t in json.loads(listing.stdout)["tests"]:
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    regexes = props.get("PASS_REGULAR_EXPRESSION")
    if not regexes:
        continue
    checked += 1
    if not any(arg.endswith("cli_exit_status.sh") for arg in t["command"]):
        problems.append(f"{t['name']}: PASS_REGULAR_EXPRESSION without tests/cli_exit_status.sh (the exit status goes unchecked)")
    for r in regexes:
        if "exit status" not in r:
            problems.append(f"{t['name']}: the regex '{r}' does not check the exit status (a ';' splits a regex in two)")
for p in problems:
    print("FAIL " + p)
print(f"{checked} tests with PASS_REGULAR_EXPRESSION, {len(problems)} problems")
sys.exit(1 if problems or checked == 0 else 0)
