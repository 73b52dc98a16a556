#!/usr/bin/env python3
"""A "browser" for the OAuth sign-in tests, started by `open` (xdg-open runs $BROWSER URL).

FLEX_TEST_BROWSER_ACTION picks what it does with the sign-in link (or, when FLEX_TEST_BROWSER_ACTION_FILE names
a file, its first line: a test that starts one app for several sign-ins changes it between them):
  approve / deny  drive real headless Chromium through chromedriver's WebDriver HTTP API:
                  sign in with FLEX_TEST_EMAIL / FLEX_TEST_PASSWORD, then press Allow or Deny,
                  and wait for the app's "You can close this tab" page;
  forge-state     answer the app's loopback redirect directly with a state that is not its own;
  forge-iss       answer with the right state but another issuer;
  never           do nothing (the person never comes back).
The outcome (the final page's text, or an error) is appended to FLEX_TEST_BROWSER_LOG.
Python standard library only; no network beyond 127.0.0.1.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def log(text):
    path = os.environ.get("FLEX_TEST_BROWSER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text.rstrip("\n") + "\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.load(resp)["value"]


def drive_chromium(url, decision):
    port = free_port()
    profile = tempfile.mkdtemp(prefix="flex-oauth-chromium-")
    driver = subprocess.Popen(
        [os.environ.get("CHROMEDRIVER", "chromedriver"), f"--port={port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    session = None
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/status", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run",
                         f"--user-data-dir={profile}"],
            },
        }}}
        session = call(base, "POST", "/session", caps)["sessionId"]
        s = f"/session/{session}"

        def find(css):
            for _ in range(300):
                try:
                    return call(base, "POST", f"{s}/element",
                                {"using": "css selector", "value": css})[ELEMENT]
                except urllib.error.HTTPError:
                    time.sleep(0.1)
            raise RuntimeError(f"no element {css}")

        call(base, "POST", f"{s}/url", {"url": url})
        call(base, "POST", f"{s}/element/{find('#email')}/value",
             {"text": os.environ["FLEX_TEST_EMAIL"]})
        call(base, "POST", f"{s}/element/{find('#password')}/value",
             {"text": os.environ["FLEX_TEST_PASSWORD"]})
        call(base, "POST", f"{s}/element/{find('#sign-in')}/click", {})
        button = "#approve" if decision == "approve" else "#deny"
        call(base, "POST", f"{s}/element/{find(button)}/click", {})
        try:
            result_el = find('#result')
        except RuntimeError:
            here = call(base, "GET", f"{s}/url")
            source = call(base, "GET", f"{s}/source")
            raise RuntimeError(f"no result page at {here}: {source[:300]}")
        result = call(base, "GET", f"{s}/element/{result_el}/text")
        message = call(base, "GET", f"{s}/element/{find('#message')}/text")
        log(f"page: {result} | {message}")
    finally:
        if session:
            try:
                call(base, "DELETE", f"/session/{session}")
            except OSError:
                pass
        driver.terminate()
        driver.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def forge(url, which):
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    issuer = urllib.parse.urlsplit(url)
    issuer = f"{issuer.scheme}://{issuer.netloc}"
    params = {"code": "forged-code", "state": q["state"], "iss": issuer}
    if which == "forge-state":
        params["state"] = "not-the-apps-state"
    else:
        params["iss"] = "http://127.0.0.1:9/evil"
    target = q["redirect_uri"] + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(target, timeout=30) as resp:
        log("page: " + resp.read().decode(errors="replace"))


def main():
    url = sys.argv[1]
    action = os.environ.get("FLEX_TEST_BROWSER_ACTION", "approve")
    action_file = os.environ.get("FLEX_TEST_BROWSER_ACTION_FILE")
    if action_file and os.path.exists(action_file):
        with open(action_file, encoding="utf-8") as f:
            action = f.readline().strip() or action
    log(f"opened: {action}")
    try:
        if action in ("approve", "deny"):
            drive_chromium(url, action)
        elif action in ("forge-state", "forge-iss"):
            forge(url, action)
    except Exception as e:  # the log is what the test reads
        log(f"browser error: {e!r}")


if __name__ == "__main__":
    main()
