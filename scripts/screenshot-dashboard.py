#!/usr/bin/env python3
"""Regenerates docs/dashboard.png: the dashboard after a short scripted demo, in headless Chromium.

    EMULATOR_BIN=path/to/aliyun-db-emulator .venv/bin/python scripts/screenshot-dashboard.py [output.png]

The binary defaults to .build/debug/aliyun-db-emulator (build it first). The demo runs on a server of its own and sends
its API requests through the official Python SDK; signature checks are off there, since the SDK signs with the real
time while the demo moves the emulator's clock days ahead.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "dashboard"))

from dashboard import Emulator, Page, browser  # noqa: E402
from clients import ApiError, make_client  # noqa: E402

INSTANCE = "rm-uf6wjk5xxxxxxx"


def main(output):
    emulator = Emulator("--port", "0", "--backup-duration", "300", "--signature", "off")
    driver = browser(width=1680, height=1460)
    try:
        page = Page(driver, emulator).open()
        page.until(lambda _: page.rows("instances"), "the page listed no instances")
        client = make_client("new-sdk-v3", emulator.endpoint)

        def control(method, path, body=None):
            status, reply = emulator.control(method, "/_emulator" + path, body)
            assert status == 200, (method, path, status, reply)
            return reply

        def sdk(product, **params):
            try:
                client.create_backup(product, **params)
            except ApiError:
                pass  # refusals belong in the demo too

        def advance(button):
            before = page.text("#clock-now")
            page.click(button)
            page.until(lambda _: page.text("#clock-now") != before, "the clock did not move")

        # A backup, a second one refused while it runs, a logical backup of an instance without databases.
        sdk("rds", DBInstanceId=INSTANCE, BackupMethod="Physical")
        sdk("rds", DBInstanceId=INSTANCE, BackupMethod="Physical")
        sdk("rds", DBInstanceId="rm-mysql-nodb", BackupMethod="Logical")
        sdk("dds", DBInstanceId="dds-bpxxxxxxxx")
        # A day passes: the backups finish, the policy's automatic backups are made.
        page.instance_row(INSTANCE).click()
        advance("#advance-1d")
        # The next backup scripted to fail, from the page; it runs and fails.
        page.find("#fail-stage option[value=Uploading]").click()
        page.click("#script-failure")
        page.until(lambda _: page.text("#next-backup") == "fails at Uploading", "the failure was not scripted")
        control("POST", "/clock", {"freeze": True})
        sdk("rds", DBInstanceId=INSTANCE, BackupMethod="Physical")
        advance("#advance-1h")
        # Tasks under way, caught mid-way by a frozen clock; the next automatic backup scripted to fail.
        sdk("rds", DBInstanceId="rm-mysql-cloud", BackupMethod="Snapshot")
        sdk("rds", DBInstanceId="rm-pg-cloud")
        sdk("dds", DBInstanceId="dds-bpxxxxxxxx")
        control("POST", "/clock", {"advance": "170s"})
        page.find("#fail-kind option[value=next-automatic-backup]").click()
        page.find("#fail-stage option[value=Checking]").click()
        page.click("#script-failure")
        page.until(lambda _: page.text("#next-automatic-backup").startswith("fails at"), "the failure was not scripted")
        page.until(lambda _: len(page.driver.find_elements("css selector", "#instances .task-line")) == 3,
                   "the running tasks are not shown")
        page.until(lambda _: len(page.journal_rows()) == 8, "the journal does not show the demo's requests")
        # Clicks scrolled the tables to the rows clicked: back to the top of each.
        driver.execute_script("window.scrollTo(0, 0); for (const node of document.querySelectorAll('.scroll')) node.scrollTop = 0")
        driver.save_screenshot(str(output))
        errors = page.console_errors()
        assert errors == [], errors
    finally:
        driver.quit()
        emulator.stop()
    print(f"wrote {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "dashboard.png")
