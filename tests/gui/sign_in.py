#!/usr/bin/env python3
"""GUI test of signing in by pasting an API key (issue 8 §2): a rejected key, a key of the other mode and a good
key, each with its message, against a flex-sim the harness started (FLEX_API_BASE), in the private keychain of
scripts/test-gui.sh. The app starts on the demo (no key stored) and must switch to the signed-in key without a
restart. The key must never be shown back.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import app_pids, check, run_session, wait_for  # noqa: E402

GOOD_TEST_KEY = "fsk_test_demo_key"   # flex_sim::DEMO_TEST_KEY
LIVE_KEY = "fsk_demo_live_key"        # flex_sim::DEMO_LIVE_KEY
REJECTED_KEY = "fsk_test_not_known_to_flex_0000"


def paste(driver, key):
    element = driver.find("#api-key")
    driver.call("POST", driver.s(f"/element/{element}/clear"), {})
    driver.call("POST", driver.s(f"/element/{element}/value"), {"text": key})


def submit(driver, expect_id):
    """Click Sign in and wait for the result or error line (the other one must not show)."""
    button = driver.find("#sign-in")
    driver.call("POST", driver.s(f"/element/{button}/click"), {})
    return wait_for(f"#{expect_id}", lambda: driver.find_all(f"#{expect_id}") and driver.text(f"#{expect_id}"))


def run(driver, args):
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    check(driver.displayed("#demo-label"), "the app starts on the demo (no key stored)")
    driver.call("POST", driver.s(f"/element/{driver.find('#nav-account')}/click"), {})
    wait_for("the key field", lambda: driver.find_all("#api-key"))
    check(driver.attribute("#api-key", "type") == "password", "the key field is masked")

    paste(driver, REJECTED_KEY)
    check("test key" in driver.text("#key-look"), "the mode read from the prefix is shown while typing (test)")
    text = submit(driver, "sign-in-error")
    check(REJECTED_KEY not in text, "the rejected key's message does not show the key")
    check("reject" in text.lower() or "refused" in text.lower() or "not accept" in text.lower(),
          f"a rejected key says Flex refused it ({text!r})")
    check(driver.invoke("app_status")["keySource"] == "demo", "after a rejected key the app is still on the demo")

    paste(driver, LIVE_KEY)
    check("LIVE" in driver.text("#key-look"), "a live key is shown as LIVE while typing")
    text = submit(driver, "sign-in-result")
    check("used once you switch to live mode" in text,
          f"a key of the other mode is saved for its mode and says so ({text!r})")
    check(driver.invoke("app_status")["keySource"] == "demo", "a live key does not replace the test-mode demo")

    paste(driver, GOOD_TEST_KEY)
    text = submit(driver, "sign-in-result")
    check(text.startswith("Signed in") and "switch" not in text, f"a good test key signs in ({text!r})")
    check(GOOD_TEST_KEY not in driver.run_js("return document.body.innerText;"), "the key is not shown anywhere")
    wait_for("the app to use the key", lambda: driver.invoke("app_status")["keySource"] == "keychain")
    wait_for("the DEMO label to go", lambda: not driver.displayed("#demo-label"))
    check(True, "the window switched from the demo to the signed-in key without a restart")

    # The Account page lists each mode's stored key by its last 4 characters only; Sign out removes it.
    wait_for("the stored test key", lambda: driver.find_all("#sign-out-test"))
    line = driver.text("#stored-key-test")
    check(f"…{GOOD_TEST_KEY[-4:]}" in line and "accepted by Flex" in line,
          f"the test key is shown by its last 4 characters, with when Flex accepted it ({line!r})")
    check(f"…{LIVE_KEY[-4:]}" in driver.text("#stored-key-live"), "the live key is listed by its last 4 too")
    body = driver.run_js("return document.body.innerText;")
    check(GOOD_TEST_KEY[:-4] not in body and LIVE_KEY[:-4] not in body, "no more than 4 characters of a key shown")
    driver.call("POST", driver.s(f"/element/{driver.find('#sign-out-test')}/click"), {})
    wait_for("the app to fall back to the demo", lambda: driver.invoke("app_status")["keySource"] == "demo")
    wait_for("the test key to go from the list", lambda: "No key stored" in driver.text("#stored-key-test"))
    check(bool(driver.find_all("#sign-out-live")), "signing out of test mode leaves the live key")
    driver.call("POST", driver.s(f"/element/{driver.find('#sign-out-live')}/click"), {})
    wait_for("the live key to go", lambda: "No key stored" in driver.text("#stored-key-live"))
    check(all(k["last4"] is None for k in driver.invoke("account_keys")), "after signing out of both, no key is stored")
    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "sign-in")


if __name__ == "__main__":
    sys.exit(main())
