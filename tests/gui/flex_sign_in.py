#!/usr/bin/env python3
"""GUI test of "Sign in with Flex" in the window (issues 8 §2 and 9 §2): the Account page's button opens the
browser (scripts/oauth-browser.py, registered as this test's default browser, drives headless Chromium through
flex-sim's sign-in and consent pages); while it is out the window says "Waiting for your browser…" with Cancel
and the link to copy; Cancel and Deny each end in one sentence with nothing stored; Allow ends signed in, the
Account page says the Flex sign-in serves both modes, and an MCP call from the official Python SDK through
`flex-mcp stdio` reaches Flex's hosted MCP through the app's host without a restart; with an API key pasted too,
the key serves test mode until the person chooses the Flex sign-in there; Sign out of Flex revokes
at flex-sim (its revoked count goes up) and deletes the sign-in, and the app falls back to the demo.

Environment (scripts/test-gui.sh): FLEX_MCP_URL (the simulator), FLEX_TEST_BROWSER_ACTION_FILE (what the
"browser" does next), FLEX_TEST_BROWSER_LOG, FLEX_TEST_API_KEY (a test key the simulator knows), FLEX_API_BASE,
FLEX_MCP_BIN, FLEX_MCP_HOME.
"""

import json
import os
import sqlite3
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_feed import result_of, sdk_call  # noqa: E402
from smoke import app_pids, check, run_session, wait_for  # noqa: E402

BROWSER_TIMEOUT = 120.0  # Chromium starting and walking two pages on a loaded machine (not an assertion)


def click(driver, css):
    driver.call("POST", driver.s(f"/element/{driver.find(css)}/click"), {})


def next_browser_action(action):
    with open(os.environ["FLEX_TEST_BROWSER_ACTION_FILE"], "w", encoding="utf-8") as f:
        f.write(action + "\n")


def sim_counters():
    with urllib.request.urlopen(os.environ["FLEX_MCP_URL"] + "/__sim/oauth", timeout=10) as resp:
        return json.load(resp)


def browser_log():
    try:
        with open(os.environ["FLEX_TEST_BROWSER_LOG"], encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def nothing_stored(driver, context):
    state = driver.invoke("sign_in_state")
    check(state["flex"] is None and state["flexTrouble"] is None, f"{context}: no Flex sign-in is stored ({state})")
    check(all(m["serves"] == "nothing" for m in state["modes"]), f"{context}: nothing serves either mode")


def last_tool_recorded():
    db = os.path.join(os.environ["FLEX_MCP_HOME"], "data", "activity.sqlite3")
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT tool FROM calls ORDER BY started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return row[0] if row else None


def run(driver, args):
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    check(driver.displayed("#demo-label"), "the app starts on the demo (nothing signed in)")

    # First launch offers it too, beside pasting a key and the demo.
    click(driver, "#get-started")
    wait_for("the welcome step", lambda: driver.find_all("#welcome-title"))
    check(bool(driver.find_all("#flex-sign-in")), "the first launch's sign-in step has \"Sign in with Flex\"")

    click(driver, "#nav-account")
    wait_for("the Account page's sign-in state", lambda: driver.find_all("#serves-test"))
    check("Not signed in" in driver.text("#serves-test"), "before signing in, test mode says Not signed in")

    # 1. The person never comes back from the browser: the window waits, offers the link, Cancel ends it.
    next_browser_action("never")
    click(driver, "#flex-sign-in")
    wait_for("Waiting for your browser…",
             lambda: driver.find_all("#flex-sign-in-waiting")
             and "Waiting for your browser" in driver.text("#flex-sign-in-waiting"))
    wait_for("the sentence saying what to do", lambda: driver.find_all("#flex-sign-in-sentence"))
    check("Allow" in driver.text("#flex-sign-in-sentence"), "the window says to sign in and choose Allow")
    check(bool(driver.find_all("#flex-cancel")), "a Cancel button while waiting")
    click(driver, "#flex-show-link")
    wait_for("the link to copy", lambda: driver.find_all("#flex-sign-in-link"))
    link = driver.run_js("return document.querySelector('#flex-sign-in-link').value;")
    check(link.startswith(os.environ["FLEX_MCP_URL"] + "/oauth/authorize") and "code_challenge=" in link,
          f"the link is the simulator's sign-in page ({link[:80]!r}…)")
    check(bool(driver.find_all("#flex-copy-link")), "a \"Copy the link\" button")
    wait_for("the browser to have been asked", lambda: "opened: never" in browser_log())
    click(driver, "#flex-cancel")
    wait_for("the cancelled note", lambda: driver.find_all("#flex-sign-in-note"))
    check("cancelled" in driver.text("#flex-sign-in-note"), "Cancel says the sign-in was cancelled")
    check(not driver.find_all("#flex-sign-in-error"), "Cancel is not shown as an error")
    nothing_stored(driver, "after Cancel")

    # 2. Deny on Flex's consent page: one sentence with what to do, nothing stored.
    next_browser_action("deny")
    click(driver, "#flex-sign-in")
    wait_for("the Deny sentence", lambda: driver.find_all("#flex-sign-in-error"), timeout=BROWSER_TIMEOUT)
    text = driver.text("#flex-sign-in-error")
    check("denied" in text and "choose Allow" in text, f"Deny says what happened and what to do ({text!r})")
    check("Sign-in did not finish" in browser_log(), "the browser tab showed that the sign-in did not finish")
    nothing_stored(driver, "after Deny")

    # 3. Allow: signed in, both modes served by the Flex sign-in, the app leaves the demo without a restart.
    next_browser_action("approve")
    click(driver, "#flex-sign-in")
    wait_for("the Account page to show the Flex sign-in", lambda: driver.find_all("#flex-signed-in"),
             timeout=BROWSER_TIMEOUT)
    check("Signed in to Flex" in browser_log(), "the browser tab said the sign-in finished")
    signed_in = driver.text("#flex-signed-in")
    check(signed_in.startswith("Signed in with Flex at 127.0.0.1:") and " since " in signed_in,
          f"the Account page says where and since when ({signed_in!r})")
    wait_for("the signed-in sentence", lambda: driver.find_all("#flex-signed-in-result"))
    check("in test and live mode" in driver.text("#flex-signed-in-result"),
          "the sentence says both modes reach Flex through the hosted MCP")
    for mode in ("test", "live"):
        check(driver.attribute(f"#serves-{mode}", "data-serves") == "flex"
              and "Signed in with Flex" in driver.text(f"#serves-{mode}"),
              f"{mode} mode is served by the Flex sign-in")
    wait_for("the app to use the Flex sign-in", lambda: driver.invoke("app_status")["keySource"] == "flex_sign_in")
    wait_for("the DEMO label to go", lambda: not driver.displayed("#demo-label"))

    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot of the Account page signed in ({how}) saved to {args.screenshot}")

    # Both an API key and the Flex sign-in for test mode: the key serves until the person chooses.
    key = os.environ["FLEX_TEST_API_KEY"]
    field = driver.find("#api-key")
    driver.call("POST", driver.s(f"/element/{field}/value"), {"text": key})
    click(driver, "#sign-in")
    wait_for("the key to be saved", lambda: driver.find_all("#sign-in-result"))
    wait_for("test mode to be served by the key",
             lambda: driver.attribute("#serves-test", "data-serves") == "api_key")
    check(f"…{key[-4:]}" in driver.text("#serves-test") and "no other choice" in driver.text("#serves-test"),
          f"with both, the page says the API key is used until a choice is made ({driver.text('#serves-test')!r})")
    check(driver.attribute("#serves-live", "data-serves") == "flex", "live mode stays with the Flex sign-in")
    click(driver, "#sign-in-choice-test option[value='flex']")
    wait_for("the choice to apply", lambda: driver.attribute("#serves-test", "data-serves") == "flex")
    check("you chose the Flex sign-in" in driver.text("#serves-test"), "the choice is said in plain words")
    wait_for("the app to use the Flex sign-in again",
             lambda: driver.invoke("app_status")["keySource"] == "flex_sign_in")

    # The host uses it at once: an assistant's call through the bridge goes to Flex's hosted MCP.
    result = result_of(sdk_call("list_products", {}))
    check(not result["error"], f"list_products through the bridge succeeds ({result['text'][:200]!r})")
    tool = wait_for("the call's record", last_tool_recorded)
    check(tool == "hosted:list_products", f"the call went through the gateway to the hosted MCP ({tool!r})")

    # The key's Sign out removes the key only; the Flex sign-in stays.
    click(driver, "#sign-out-test")
    wait_for("the key to go", lambda: "No key stored" in driver.text("#stored-key-test"))
    check(driver.invoke("sign_in_state")["flex"] is not None, "signing out of the key leaves the Flex sign-in")

    # 4. Sign out of Flex: revoked at flex-sim, then deleted; the app falls back to the demo.
    before = sim_counters()["revoked_families"]
    click(driver, "#flex-sign-out")
    wait_for("the sign-out sentence", lambda: driver.find_all("#flex-sign-out-result"))
    text = driver.text("#flex-sign-out-result")
    check("revoked at Flex" in text, f"Sign out says it was revoked at Flex ({text!r})")
    after = sim_counters()["revoked_families"]
    check(after == before + 1, f"flex-sim revoked the sign-in ({before} → {after} revoked families)")
    nothing_stored(driver, "after Sign out")
    wait_for("the app to fall back to the demo", lambda: driver.invoke("app_status")["keySource"] == "demo")
    wait_for("the button to come back", lambda: driver.find_all("#flex-sign-in"))
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "Sign in with Flex")


if __name__ == "__main__":
    sys.exit(main())
