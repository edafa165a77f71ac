#!/usr/bin/env bash
# Runs a command with stderr on stdout and prints its exit status last, so that a ctest
# PASS_REGULAR_EXPRESSION checks both the message and the status.  Usage: cli_exit_status.sh CMD ARGS...
"$@" 2>&1
echo "exit status $?"
