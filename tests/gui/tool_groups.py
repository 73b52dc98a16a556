#!/usr/bin/env python3
"""GUI test of the Settings page's tool groups and Copy token (issue 11 §1, issue 8 §4): groups shown in plain words;
a group turned on and off for every assistant and for one, read back from settings.json; read-only from the page,
after which the official Python SDK's tools/list through the bridge has no tool that changes anything; read-only
turned off by `flex-mcp tools read-only off` while the app runs waits for the person's confirmation in the window
(Keep as is sets the file back), while the person's own click on the page applies at once; an unknown group is
refused naming the known ones; Copy token puts the HTTP endpoint's token on the clipboard (read back with xclip)
without it ever appearing in the page.
"""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import Failure, app_pids, check, run_session, wait_for  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# tools/list through the bridge with the official SDK; prints [{name, readOnly}].
SDK_LIST = r"""
import asyncio, json, os
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

async def main():
    params = StdioServerParameters(command=os.environ["FLEX_MCP_BIN"], args=["stdio"], env=dict(os.environ))
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            tools = (await s.list_tools()).tools
            hints = [(t.annotations.model_dump(by_alias=True) if t.annotations else {}) for t in tools]
            print(json.dumps([{"name": t.name, "readOnly": bool(h.get("readOnlyHint"))}
                              for t, h in zip(tools, hints)]))

asyncio.run(main())
"""


def saved_tools():
    path = os.path.join(os.environ["FLEX_MCP_HOME"], "config", "settings.json")
    with open(path) as f:
        return json.load(f).get("tools", {})


def cli(*args):
    out = subprocess.run([os.environ["FLEX_MCP_BIN"], *args], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise Failure(f"flex-mcp {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return out.stdout


def sdk_tools():
    out = subprocess.run([os.path.join(ROOT, ".venv", "bin", "python"), "-c", SDK_LIST],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise Failure(f"the SDK client failed ({out.returncode}): {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def click(driver, css):
    driver.call("POST", driver.s(f"/element/{driver.find(css)}/click"), {})


def checked(driver, css):
    return driver.run_js(f"return document.querySelector({json.dumps(css)}).checked;")


def choose_scope(driver, name):
    # The select's own change event, as a person choosing from the list causes.
    driver.run_js(
        "const s = document.querySelector('#tools-scope');"
        "const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set;"
        f"set.call(s, {json.dumps(name)}); s.dispatchEvent(new Event('change', {{bubbles: true}}));"
    )


def tools_saved(driver, words):
    return wait_for(f"the saved line ({words})",
                    lambda: driver.find_all("#tools-saved") and words in driver.text("#tools-saved"))


def run(driver, args):
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    click(driver, "#nav-settings")
    wait_for("the tool groups", lambda: driver.find_all("#group-support"))

    text = driver.run_js("return document.querySelector('.tool-groups').innerText;")
    check("Customer support lookups" in text and "11 tools · on by default · only looks things up" in text
          and "moves money" in text, f"groups are shown in plain words with their counts ({text[:200]!r}…)")
    on = [g for g in ("support", "refunds", "catalogue", "reporting", "checkout", "subscriptions", "offers",
                      "webhooks") if checked(driver, f"#group-{g}")]
    check(on == ["support", "refunds", "catalogue"], f"the default set is on ({on})")

    click(driver, "#group-subscriptions")
    tools_saved(driver, "turned on for every assistant")
    check("subscriptions" in saved_tools()["groups"], "turning a group on is written to settings.json")
    check("change things or move money" in driver.text("#tools-saved"),
          "the page says a group with writes lets assistants change things")
    click(driver, "#group-subscriptions")
    tools_saved(driver, "turned off for every assistant")
    check("subscriptions" not in saved_tools()["groups"], "turning it off again is written to settings.json")

    choose_scope(driver, "cursor")
    wait_for("the choice for cursor", lambda: driver.find_all("#tools-scope-note"))
    click(driver, "#group-reporting")
    tools_saved(driver, "turned on for “cursor”")
    t = saved_tools()
    check("reporting" in t["assistants"]["cursor"]["groups"] and "reporting" not in t["groups"],
          f"a group for one assistant is saved for it only ({t})")
    cli_list = cli("tools", "list", "--assistant", "cursor")
    check(any(line.split()[:2] == ["on", "reporting"] for line in cli_list.splitlines()),
          "flex-mcp tools list --assistant cursor reads the same choice back")

    choose_scope(driver, "")
    wait_for("the choice for every assistant", lambda: not driver.find_all("#tools-scope-note"))
    click(driver, "#tools-read-only")
    tools_saved(driver, "read-only on for every assistant")
    check(saved_tools()["read_only"] is True, "read-only from the page is written to settings.json")
    listed = sdk_tools()
    writes = [t["name"] for t in listed if not t["readOnly"] and t["name"] != "enable_tool_group"]
    check(listed and not writes,
          f"read-only: the SDK's tools/list through the bridge has {len(listed)} tools, none that change anything"
          f" ({writes})")

    said = cli("tools", "read-only", "off")
    check("loosens the guard" in said, f"the CLI says read-only off loosens the guard ({said.strip()!r})")
    wait_for("the confirmation in the window", lambda: driver.find_all("#confirmation"), timeout=15)
    changes = driver.text("#confirmation-changes")
    check("Read-only is turned off" in changes, f"the confirmation says read-only would go off ({changes!r})")
    click(driver, "#confirmation-keep")
    wait_for("the dialog to go", lambda: not driver.find_all("#confirmation"))
    wait_for("the file set back to read-only", lambda: saved_tools().get("read_only") is True)
    check(saved_tools()["read_only"] is True and cli("tools", "list").find("Read-only: on") >= 0,
          "Keep as is: settings.json is set back to read-only (flex-mcp tools list says so)")

    click(driver, "#nav-home")
    click(driver, "#nav-settings")
    wait_for("the tool groups again", lambda: driver.find_all("#tools-read-only"))
    check(checked(driver, "#tools-read-only"), "the page shows read-only on")
    click(driver, "#tools-read-only")
    tools_saved(driver, "read-only off for every assistant")
    check(saved_tools()["read_only"] is False and not driver.find_all("#confirmation"),
          "the person's own click turns read-only off at once (no second confirmation)")

    err = driver.invoke_result("settings_change", {"change": {"kind": "tool_group", "group": "payments", "on": True,
                                                              "assistant": None}})
    said = json.dumps(err)
    check("err" in err and "`payments`" in said and "`refunds`" in said,
          f"an unknown group is refused naming the known ones ({said[:200]})")

    click(driver, "#http-endpoint")
    wait_for("the endpoint's address", lambda: driver.find_all("#http-token-copy"))
    click(driver, "#http-token-copy")
    wait_for("the copied line", lambda: driver.find_all("#http-token-copied") and "Copied the token"
             in driver.text("#http-token-copied"))
    token_file = os.path.join(os.environ["FLEX_MCP_HOME"], "run", "http-token")
    with open(token_file) as f:
        token = f.read().strip()
    check(len(token) >= 32, "the endpoint has a token")
    if shutil.which("xclip"):
        pasted = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                                timeout=10).stdout
        check(pasted == token, "Copy token puts exactly the token on the clipboard (read back with xclip)")
    else:
        raise Failure("xclip is missing (scripts/install-system-deps.sh installs it)")
    page = driver.run_js("return document.documentElement.outerHTML;")
    check(token not in page, "the token appears nowhere in the page")
    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "tool_groups")


if __name__ == "__main__":
    sys.exit(main())
