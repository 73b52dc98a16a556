#!/usr/bin/env python3
"""A channel on the tray's stdin from a program that is not Flex MCP's window is not served (issue 7 §3).

An assistant that can run shell commands could start `flex-mcp-tray` itself with one end of a socketpair as
its stdin and, if the tray took that for its window's channel, answer its own held calls over it. This test is
that program: it starts the real tray (under a virtual display, a private bus, a temporary home) with a
socketpair on stdin, sends a host command on it, and checks that the tray started as a plain tray — it logs
the channel as ignored and `adopted=false` — and never answers on that socket (it may close its end). Standard library only.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tray", required=True, help="the flex-mcp-tray program")
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    ours, theirs = socket.socketpair()
    with open(args.log, "wb") as log:
        tray = subprocess.Popen([args.tray, "--hidden"], stdin=theirs.fileno(), stdout=log, stderr=log)
    theirs.close()
    try:
        deadline = time.monotonic() + 60
        text = ""
        while "Flex MCP started" not in text:
            if tray.poll() is not None:
                print(f"not ok - the tray exited with {tray.returncode} during start-up; see {args.log}")
                return 1
            if time.monotonic() > deadline:
                print(f"not ok - the tray did not start within 60 s; see {args.log}")
                return 1
            time.sleep(0.2)
            with open(args.log, errors="replace") as f:
                text = f.read()
        ok = True
        if "a channel on stdin from a program that is not" not in text:
            print("not ok - the tray did not say it ignored the channel")
            ok = False
        started = [line for line in text.splitlines() if "Flex MCP started" in line]
        if not started or "adopted=false" not in started[-1].replace("\x1b[0m", "").replace("\x1b[2m", ""):
            print(f"not ok - the tray took the foreign channel as its window's: {started}")
            ok = False
        # A window's call: an adopted channel would be answered at once, since the tray is up.
        ours.sendall((json.dumps({"type": "call", "id": 1, "request": {"command": "approvals_pending"}}) + "\n").encode())
        # Never answered: the tray either leaves the socket alone or closes its end (an empty read).
        ours.settimeout(3)
        try:
            reply = ours.recv(4096)
            if reply:
                print(f"not ok - the tray answered a foreign channel: {reply!r}")
                ok = False
        except socket.timeout:
            pass
        if ok:
            print("ok - a channel from a program that is not Flex MCP's window is ignored and never answered")
        return 0 if ok else 1
    finally:
        tray.terminate()
        tray.wait(timeout=10)
        ours.close()


if __name__ == "__main__":
    sys.exit(main())
