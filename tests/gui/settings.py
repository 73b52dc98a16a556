#!/usr/bin/env python3
"""GUI test of the Settings page (issue 8 §4): allow/ask/deny per kind of action and mode, retention, the
approval wait and the local HTTP endpoint, each changed from the window, saved to settings.json (read back from the file, not from
the page) and shown again after switching pages; a value the page does not offer is refused in words.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import app_pids, check, run_session, wait_for  # noqa: E402


def saved_settings():
    path = os.path.join(os.environ["FLEX_MCP_HOME"], "config", "settings.json")
    with open(path) as f:
        return json.load(f)


def click(driver, css):
    driver.call("POST", driver.s(f"/element/{driver.find(css)}/click"), {})


def saved_line(driver, words):
    return wait_for(f"the saved line ({words})",
                    lambda: driver.find_all("#settings-saved") and words in driver.text("#settings-saved"))


def run(driver, args):
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    click(driver, "#nav-settings")
    wait_for("the policy table", lambda: driver.find_all("#policy-live-destructive"))
    before = driver.attribute("#policy-live-destructive", "value")
    check(before in ("allow", "ask", "deny"), f"live 'Move money' shows its saved choice ({before!r})")

    click(driver, '#policy-live-destructive option[value="deny"]')
    saved_line(driver, "Move money in live mode")
    check(saved_settings()["policy"]["live"]["destructive"] == "deny",
          "choosing Deny for moving money in live mode is written to settings.json")

    click(driver, '#policy-test-write option[value="ask"]')
    saved_line(driver, "Change in test mode")
    policy = saved_settings()["policy"]
    check(policy["test"]["write"] == "ask" and policy["live"]["destructive"] == "deny",
          "a second change is saved and the first is kept")

    days = driver.find("#retention-days")
    driver.call("POST", driver.s(f"/element/{days}/clear"), {})
    driver.call("POST", driver.s(f"/element/{days}/value"), {"text": "14"})
    click(driver, "#retention-days ~ button")
    saved_line(driver, "14 days")
    check(saved_settings()["retention"]["max_age_days"] == 14, "retention of 14 days is written to settings.json")

    check(not driver.find_all("#http-url"), "the local HTTP endpoint is off by default (no address shown)")
    click(driver, "#http-endpoint")
    wait_for("the endpoint's address", lambda: driver.find_all("#http-url"))
    port = saved_settings()["http_port"]
    check(isinstance(port, int) and f"127.0.0.1:{port}/mcp" in driver.text("#http-url"),
          f"turning the endpoint on saves its port and shows its address ({driver.text('#http-url')!r})")

    wait_ = driver.find("#approval-timeout")
    driver.call("POST", driver.s(f"/element/{wait_}/clear"), {})
    driver.call("POST", driver.s(f"/element/{wait_}/value"), {"text": "300"})
    click(driver, "#approval-timeout-save")
    saved_line(driver, "approvals wait 300 seconds")
    check(saved_settings()["approval_timeout_secs"] == 300, "an approval wait of 300 s is written to settings.json")
    err = driver.invoke_result("settings_change", {"change": {"kind": "approval_timeout", "secs": 5}})
    check("err" in err and "30 seconds to 15 minutes" in json.dumps(err), f"5 s is refused in words ({err})")

    err = driver.invoke_result("settings_change", {"change": {"kind": "retention_days", "days": 0}})
    check("err" in err and "at least one day" in json.dumps(err), f"0 days is refused in words ({err})")
    check(saved_settings()["retention"]["max_age_days"] == 14, "a refused value saves nothing")

    click(driver, "#nav-home")
    click(driver, "#nav-settings")
    wait_for("the policy table again", lambda: driver.find_all("#policy-live-destructive"))
    check(driver.attribute("#policy-live-destructive", "value") == "deny"
          and driver.attribute("#retention-days", "value") == "14",
          "the page shows the saved values when opened again")
    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "settings")


if __name__ == "__main__":
    sys.exit(main())
