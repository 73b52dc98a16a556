#!/usr/bin/env python3
"""GUI smoke test of the real Flex MCP app, through WebDriver (tauri-driver + WebKitWebDriver).

It starts the app binary in a WebDriver session, reads what the window shows (mode badge, DEMO label,
the demo's latest payments), calls commands through `window.__TAURI__.core.invoke`, closes the window and
checks that the app keeps running in the tray. Standard library only, so it runs on any python3 without
installing anything. Exit status: 0 when every check passed, 1 otherwise (the failing check is printed).

scripts/test-gui.sh sets up the display, the D-Bus session, temp XDG dirs and tauri-driver, then runs:
    python3 tests/gui/smoke.py --driver http://127.0.0.1:PORT --app target/debug/flex-mcp-desktop
"""

import argparse
import base64
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element reference key
AMOUNT = re.compile(r"^-?\$\d{1,3}(,\d{3})*\.\d{2}$")


class Failure(Exception):
    """A check that did not hold."""


class WebDriver:
    """The few W3C WebDriver calls the test needs, over plain HTTP."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.session = None

    def call(self, method, path, body=None, timeout=60, retries=2):
        """One WebDriver command. tauri-driver 2 sometimes drops a proxied request when WebKitWebDriver
        closes a kept-alive connection ("client error (SendRequest)"), answering with a closed
        connection; such a request never reached the browser, so it is sent again (at most `retries`
        times). HTTP errors are never retried."""
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(retries + 1):
            req = urllib.request.Request(
                self.url + path, data=data, method=method,
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(req, timeout=timeout) as resp:
                    return json.loads(resp.read() or b"null").get("value")
            except urllib.error.HTTPError as e:
                detail = e.read().decode(errors="replace")
                raise Failure(f"WebDriver {method} {path} failed with HTTP {e.code}: {detail}") from None
            except (http.client.RemoteDisconnected, ConnectionResetError) as e:
                if attempt == retries:
                    raise Failure(f"WebDriver {method} {path}: {e} (after {retries + 1} tries)") from None
                print(f"note: WebDriver {method} {path}: {e}; sending it again")
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def start(self, app):
        # `--window` without a channel is the window process that starts its own tray (flex-mcp-tray, with the
        # host) over a private channel and lives as long as it: the web view WebDriver drives. The tray-first
        # path (the tray starting and ending window processes) is tests/gui/two_process.py.
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": app, "args": ["--window"]}}}}
        # Not retried: a retry could start a second copy of the app.
        value = self.call("POST", "/session", caps, timeout=120, retries=0)
        self.session = value["sessionId"]

    def s(self, path):
        return f"/session/{self.session}{path}"

    def find(self, css):
        return self.call("POST", self.s("/element"), {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css):
        found = self.call("POST", self.s("/elements"), {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in found]

    def text(self, css):
        return self.call("GET", self.s(f"/element/{self.find(css)}/text"))

    def displayed(self, css):
        return bool(self.call("GET", self.s(f"/element/{self.find(css)}/displayed")))

    def attribute(self, css, name):
        return self.call("GET", self.s(f"/element/{self.find(css)}/attribute/{name}"))

    def run_js(self, script):
        return self.call("POST", self.s("/execute/sync"), {"script": script, "args": []})

    def invoke(self, command, args=None):
        """Call a Tauri command the way ui/backend.js does; returns its value or raises its error."""
        result = self.invoke_result(command, args)
        if "err" in result:
            raise Failure(f"command {command} failed: {result['err']}")
        return result["ok"]

    def invoke_result(self, command, args=None):
        """Call a Tauri command; {"ok": value} or {"err": error} as the page received it."""
        script = (
            "const [cmd, args, done] = arguments;"
            "window.__TAURI__.core.invoke(cmd, args)"
            ".then(v => done({ok: v}), e => done({err: e}));"
        )
        return self.call(
            "POST", self.s("/execute/async"), {"script": script, "args": [command, args or {}]}
        )

    def screenshot(self, path):
        """Save what the window shows. WebKitWebDriver's own screenshot of a wry web view can be a
        stale first paint (it showed the loading state after the page had filled in), so the X
        window itself is captured when xdotool and ImageMagick are there; WebDriver's is the fallback."""
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        try:
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", "^Flex MCP$"],
                capture_output=True, text=True, check=True,
            ).stdout.split()
            if found:
                # Let the last layout reach the screen (not an assertion): a capture of a window WebKit has
                # not painted yet is one flat colour, so capture again for a few seconds until it is not.
                for _ in range(12):
                    time.sleep(0.5)
                    subprocess.run(["import", "-window", found[0], path], check=True)
                    colours = subprocess.run(["identify", "-format", "%k", path], capture_output=True,
                                             text=True, check=False).stdout.strip()
                    if colours.isdigit() and int(colours) > 8:
                        break
                return "X window"
        except (OSError, subprocess.CalledProcessError):
            pass
        png = base64.b64decode(self.call("GET", self.s("/screenshot")))
        with open(path, "wb") as f:
            f.write(png)
        return "WebDriver"

    def end(self):
        if self.session:
            try:
                self.call("DELETE", self.s(""), timeout=20)
            except (Failure, OSError) as e:
                print(f"note: ending the WebDriver session: {e}")
            self.session = None


def check(condition, message):
    if not condition:
        raise Failure(message)
    print(f"ok - {message}")


def wait_for(what, probe, timeout=30.0):
    """Poll until probe() is truthy (the page fills itself asynchronously); fail after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except Failure as e:
            last = e
        time.sleep(0.2)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what} (last seen: {last})")


def app_pids(app, marker):
    """PIDs of running copies of the app binary started by this test run (marker in their environment)."""
    if "=" not in marker:
        return []  # without a marker we cannot tell our processes from anyone else's
    target = os.path.realpath(app)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.path.realpath(f"/proc/{entry}/exe") != target:
                continue
            with open(f"/proc/{entry}/environ", "rb") as f:
                if marker.encode() in f.read().split(b"\0"):
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


# The badge colours of ui/style.css: test is calm teal, live the warning red.
BADGE_COLOURS = {"test": "rgb(15, 118, 110)", "live": "rgb(185, 28, 28)"}


def check_status(driver, expect, api_base):
    """The status part of the window and `app_status`, for the demo or a live account."""
    wait_for("the window to load its status", lambda: driver.text("#mode-badge") not in ("", "…"))
    mode = "live" if expect == "live" else "test"  # "unreachable" runs on a test key
    label = mode.capitalize()
    badge = driver.text("#mode-badge")
    check(badge == f"{label} mode", f"the mode badge reads '{label} mode' (got {badge!r})")
    check(driver.attribute("#mode-badge", "data-mode") == mode, f"the mode badge is styled as {mode}")
    colour = driver.run_js(
        "return getComputedStyle(document.getElementById('mode-badge')).backgroundColor;"
    )
    check(colour == BADGE_COLOURS[mode], f"the {mode} badge is {BADGE_COLOURS[mode]} (got {colour})")
    demo = expect == "demo"
    check(driver.displayed("#demo-label") == demo, f"the DEMO label is {'visible' if demo else 'hidden'}")
    if demo:
        check(driver.text("#demo-label") == "DEMO", "the DEMO label reads DEMO")
        check("demo" in driver.text("#key-status").lower(), "the key line explains the demo")
    else:
        check("FLEX_API_KEY" in driver.text("#key-status"), "the key line says the key comes from FLEX_API_KEY")
    live = mode == "live"
    check(driver.displayed("#live-warning") == live,
          "the live-mode warning is " + ("shown" if live else "not shown"))
    shown_base = driver.text("#api-base")
    if api_base:
        check(shown_base == api_base, f"the API base shown is {api_base} (got {shown_base!r})")
    else:
        check(shown_base.startswith("http://127.0.0.1:"), f"the API base is the local demo ({shown_base!r})")
    notice_shown = driver.displayed("#notice")
    check(not notice_shown, "no problem notice" + ("" if not notice_shown else f": {driver.text('#notice')}"))

    status = driver.invoke("app_status")
    check(status["demo"] is demo and status["mode"] == mode,
          f"invoke('app_status') says demo={demo}, {mode} mode")
    tray_label = f"Mode: {label} — DEMO" if demo else f"Mode: {label}"
    check(status["trayLabel"] == tray_label, f"tray label is {status['trayLabel']!r}")


def check_unreachable(driver, api_base):
    """Flex cannot be reached: the window says so in words, and the command fails with a code."""
    check(driver.displayed("#payments-error"), "the window shows why the payments are missing")
    text = driver.text("#payments-error")
    check(text.startswith("Could not load the latest payments from " + api_base),
          f"the error names what failed and where ({text!r})")
    check("[object Object]" not in text, "the error is a sentence, not a raw object")
    check(not driver.find_all("#payments-body tr.payment"), "no payment rows are shown")
    result = driver.invoke_result("recent_payments")
    err = result.get("err") or {}
    check(err.get("code") == "network", f"invoke('recent_payments') fails with code 'network' ({err})")


def run(driver, args):
    app, screenshot, marker, tray = args.app, args.screenshot, args.marker, args.tray
    driver.start(app)
    print(f"ok - the app started in a WebDriver session ({app})")
    check_status(driver, args.expect, args.api_base)

    wait_for("the payments to load", lambda: not driver.displayed("#payments-loading"))
    if args.expect == "unreachable":
        check_unreachable(driver, args.api_base)
        return app_pids(app, marker)
    if driver.displayed("#payments-error"):
        raise Failure(f"the window shows a payments error: {driver.text('#payments-error')}")
    rows = driver.find_all("#payments-body tr.payment")
    check(1 <= len(rows) <= 5, f"the window shows the latest payments ({len(rows)} rows, at most 5)")
    shown = []
    for i in range(1, len(rows) + 1):
        cell = lambda cls: driver.text(f"#payments-body tr.payment:nth-child({i}) td.{cls}")
        shown.append((cell("id"), cell("amount"), cell("status")))
    for pid, amount, status_text in shown:
        check(pid.startswith("fpi_") and AMOUNT.match(amount) and status_text,
              f"payment row {pid} shows {amount}, {status_text!r}")
    payments = driver.invoke("recent_payments")
    check([p["id"] for p in payments] == [s[0] for s in shown],
          "invoke('recent_payments') returns the rows the window shows, in order")
    for p in payments:
        cents = p["amountCents"]
        check(isinstance(cents, int) and p["amount"] == format_usd(cents),
              f"{p['id']}: {cents} cents is shown as {p['amount']}")

    if screenshot:
        how = driver.screenshot(screenshot)
        print(f"ok - screenshot ({how}) saved to {screenshot}")

    pids = app_pids(app, marker)
    if args.expect == "live":
        return pids  # the window's life cycle is checked once, in the demo run
    check(len(pids) == 1, f"exactly one app process of this run is running (pids {pids})")
    open_procs = owned_processes(pids[0])
    # Close the window the way the title-bar button does (a close request to the app). WebDriver's own
    # "close window" is no good here: WebKitWebDriver ends the browser with its last window.
    try:
        driver.run_js("window.__TAURI__.window.getCurrentWindow().close(); return true;")
    except Failure as e:
        print(f"note: the page went away while closing: {e}")
    wait_for("the window to close", lambda: driver.call("GET", driver.s("/window/handles")) == [], 10)
    print("ok - the window closed")
    # Give the app's event loop a moment to process the close and, if it were broken, to exit.
    time.sleep(1.5)
    alive = [p for p in pids if os.path.exists(f"/proc/{p}") and not is_zombie(p)]
    check(alive == pids, "closing the window keeps the app running in the tray")
    time.sleep(4.5)  # WebKit ends its web process a little after the view is destroyed
    closed_procs = owned_processes(pids[0])
    web = [p for p in closed_procs if p["name"].startswith("WebKitWebProces")]
    check(not web, f"closing the window ends the WebKit web process (left: {web})")
    report_memory(args, open_procs, closed_procs)
    if tray:
        reopen_from_tray()
    return pids


def reopen_from_tray():
    """Choose "Open Flex MCP" in the tray menu and check that the window comes back."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import tray  # noqa: PLC0415 (only needed when a tray host runs)

    check(not tray.visible_windows("Flex MCP"), "no 'Flex MCP' window is on screen after closing it")
    tray.open_tray_menu()
    print("ok - the tray menu opens while the window is closed")
    # From no selection, Up selects the last item (Quit); "Open Flex MCP" is right above it
    # (flex_core::tray_menu::TOP_LEVEL ends with Open, Quit).
    tray.xdotool("key", "--delay", "120", "Up", "Up", "Return")
    tray.wait_for("the window to come back", lambda: tray.visible_windows("Flex MCP"), timeout=15)
    print("ok - 'Open Flex MCP' in the tray menu opens the window again")


def owned_processes(root):
    """The app process and every descendant (WebKit's web and network processes), each with its PSS in KiB
    from /proc/PID/smaps_rollup (proportional: shared pages are split between the processes sharing them)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
            pss = 0
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss = int(line.split()[1])
            out.append({"pid": pid, "name": name, "pss_kib": pss})
        except OSError:
            continue
    return out


def report_memory(args, open_procs, closed_procs):
    """Print and save the PSS of everything the app owns, window open and closed (a debug build under
    tauri-driver unless FLEX_APP_BIN is a release build; llvmpipe's share is inside the app's figure)."""
    def total(procs):
        return sum(p["pss_kib"] for p in procs) / 1024
    left = sorted({p["name"] for p in closed_procs})
    print(f"note: PSS window open {total(open_procs):.1f} MiB ({', '.join(p['name'] for p in open_procs)}); "
          f"closed {total(closed_procs):.1f} MiB ({', '.join(left)})")
    if args.screenshot:
        path = os.path.join(os.path.dirname(os.path.abspath(args.screenshot)), "memory.json")
        with open(path, "w") as f:
            json.dump({"app": os.path.realpath(args.app), "window_open": open_procs,
                       "window_closed": closed_procs}, f, indent=1)


def is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def format_usd(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", required=True, help="tauri-driver URL, e.g. http://127.0.0.1:4444")
    parser.add_argument("--app", required=True, help="path of the flex-mcp-desktop binary")
    parser.add_argument("--screenshot", help="save a screenshot of the window here")
    parser.add_argument("--marker", required=True,
                        help="NAME=VALUE in the app's environment that marks this run's processes")
    parser.add_argument("--expect", choices=["demo", "live", "unreachable"], default="demo",
                        help="demo: nothing configured; live: FLEX_API_KEY is a live key; "
                             "unreachable: a test key and a FLEX_API_BASE where nothing listens")
    parser.add_argument("--api-base", help="the FLEX_API_BASE the app was given (live runs)")
    parser.add_argument("--tray", action="store_true",
                        help="a tray host (trayer) runs: also reopen the window from the tray menu")
    args = parser.parse_args()
    if not os.access(args.app, os.X_OK):
        print(f"not ok - the app binary {args.app} does not exist or is not executable; build it first")
        return 1
    driver = WebDriver(args.driver)
    pids = []
    try:
        pids = run(driver, args)
    except (Failure, KeyError, TypeError, OSError) as e:
        print(f"not ok - {e}")
        return 1
    finally:
        driver.end()
        # The session normally ends the app; make sure nothing of ours outlives the test.
        for pid in pids or app_pids(args.app, args.marker):
            try:
                os.kill(pid, 15)
            except OSError:
                pass
    print("all GUI smoke checks passed")
    return 0


def run_session(description, run, what):
    """The main() of a one-session GUI test: parse --driver/--app/--marker/--screenshot, call
    run(driver, args) (it returns the app's pids), end the WebDriver session and stop the app
    whatever happened, and print the closing line. Returns the exit status."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--driver", required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--marker", required=True)
    parser.add_argument("--screenshot")
    args, _ = parser.parse_known_args()
    driver = WebDriver(args.driver)
    pids = []
    try:
        pids = run(driver, args)
    except (Failure, KeyError, TypeError, OSError, ValueError) as e:
        print(f"not ok - {e}")
        return 1
    finally:
        driver.end()
        for pid in pids or app_pids(args.app, args.marker):
            try:
                os.kill(pid, 15)
            except OSError:
                pass
    print(f"all {what} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
