#!/usr/bin/env python3
"""GUI test of the Assistants page's backups and install links (issue 8 §4): Cursor (found, with a config of
its own) shows "Install from Cursor", whose link decodes to exactly our entry (this flex-mcp, `stdio`, no env,
no key); Connect leaves a backup of the person's file, listed with its time under Backups; Restore puts that file
back byte for byte (the connected file is itself backed up first).
"""

import base64
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import app_pids, check, run_session, wait_for  # noqa: E402

THEIRS = '{\n  // mine\n  "mcpServers": {"other": {"command": "/usr/bin/other"}}\n}\n'


def click(driver, css):
    driver.call("POST", driver.s(f"/element/{driver.find(css)}/click"), {})


def run(driver, args):
    config = os.path.join(os.environ["HOME"], ".cursor", "mcp.json")
    os.makedirs(os.path.dirname(config), exist_ok=True)
    with open(config, "w") as f:
        f.write(THEIRS)
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    click(driver, "#nav-assistants")
    cursor = 'li[data-id="cursor"]'
    wait_for("Cursor, not connected", lambda: driver.find_all(f'{cursor}[data-state="notConnected"]'))

    wait_for("Cursor's install link", lambda: driver.find_all(f"{cursor} .install-link"))
    link = driver.invoke("assistant_install_link", {"id": "cursor"})
    url = urllib.parse.urlsplit(link["url"])
    check(f"{url.scheme}://{url.netloc}{url.path}" == "cursor://anysphere.cursor-deeplink/mcp/install",
          f"Cursor's own install link ({link['url'][:60]}…)")
    query = urllib.parse.parse_qs(url.query)
    entry = json.loads(base64.b64decode(query["config"][0]))
    want = os.path.realpath(os.environ["FLEX_MCP_BIN"])
    check(query["name"] == ["flex"] and entry == {"command": entry["command"], "args": ["stdio"]}
          and os.path.realpath(entry["command"]) == want,
          f"the link decodes to exactly our entry, nothing else ({entry})")
    check("fsk_" not in link["url"] and "env" not in entry, "no key and no environment in the link")
    check(driver.invoke("assistant_install_link", {"id": "claude-desktop"}) is None,
          "an assistant without its own install path gets no link")

    click(driver, f"{cursor} .connect")
    wait_for("Cursor connected", lambda: driver.find_all(f'{cursor}[data-state="connected"]'))
    connected = open(config).read()
    check('"flex"' in connected and '"other"' in connected, "Connect added our entry and kept theirs")

    click(driver, f"{cursor} .backups-button")
    wait_for("the backups", lambda: driver.find_all(f"#backups-cursor li"))
    first = driver.text("#backups-cursor li")
    check("without Flex" in first and "20" in first, f"the backup taken before Connect, with its time ({first!r})")
    click(driver, "#backups-cursor li .restore")
    wait_for("the restore sentence", lambda: driver.find_all("#assistant-change")
             and "Restored Cursor" in driver.text("#assistant-change"))
    check(open(config).read() == THEIRS, "Restore put the person's file back byte for byte")
    wait_for("Cursor not connected again", lambda: driver.find_all(f'{cursor}[data-state="notConnected"]'))
    backups = driver.invoke("assistant_backups", {"id": "cursor"})
    check(len(backups) == 2 and backups[0]["hasFlex"],
          f"the connected file was backed up before the restore ({[b['name'] for b in backups]})")
    if args.screenshot:
        click(driver, f"{cursor} .backups-button")
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "assistants backups and install links")


if __name__ == "__main__":
    sys.exit(main())
