"""The dashboard in a real headless browser: what a user demoing the emulator sees and clicks (README, "Dashboard").
Every wait is explicit (WebDriverWait on what the page shows), none is a sleep."""
import urllib.parse

import pytest
from selenium.webdriver.common.by import By

from dashboard import Page, browser, start_emulator  # noqa: F401 (start_emulator is a fixture)
from clients import make_client  # the conformance suite's SDK clients (dashboard puts its folder on the path)

pytestmark = pytest.mark.timeout(120)

INSTANCE = "rm-uf6wjk5xxxxxxx"


@pytest.fixture
def driver():
    driver = browser()
    yield driver
    driver.quit()


@pytest.fixture
def page(driver, start_emulator):
    page = Page(driver, start_emulator()).open()
    page.until(lambda _: page.rows("instances"), "the page listed no instances")
    return page


def test_shows_the_instances_of_the_account_and_the_clock(page):
    ids = [row.get_attribute("data-instance") for row in page.rows("instances")]
    assert INSTANCE in ids and "dds-bpxxxxxxxx" in ids
    assert "rm-other-account" not in ids  # another account's
    row = page.cells(page.instance_row("rm-pg-cloud"))
    assert row[1:4] == ["PostgreSQL 15.0", "Running", "cloud_essd"]
    page.until(lambda _: page.text("#live") == "live", "the page does not say it is live")
    assert page.text("#clock-state") == "running"
    assert page.console_errors() == []  # no policy violation, no script error

    # The other account's instances, once picked.
    page.find("#account option[value=other]").click()
    page.until(lambda _: [r.get_attribute("data-instance") for r in page.rows("instances")]
               == ["dds-other-account", "rm-other-account"], "picking the other account did not show its instances")


def test_a_backup_appears_in_the_journal_then_finishes_an_hour_later(page):
    page.click("#clock-freeze")
    page.until(lambda _: page.text("#clock-state") == "frozen", "the clock did not freeze")
    client = make_client("new-sdk-v3", page.emulator.endpoint)
    job = client.create_backup("rds", DBInstanceId=INSTANCE, BackupMethod="Physical")["BackupJobId"]

    rows = page.until(lambda _: page.journal_rows("CreateBackup"), "CreateBackup did not appear in the journal")
    time, *cells, latency = page.cells(rows[0])
    assert time.startswith(page.text("#clock-now")[:10]) and cells == ["Rds", "CreateBackup", INSTANCE, "200", ""]
    assert latency.endswith(" ms")
    # The task runs, at its first stage (the clock stands still).
    task = page.until(lambda _: page.instance_row(INSTANCE).find_elements(By.CSS_SELECTOR, f'.task-line[data-job="{job}"]'),
                      "the running task is not shown")
    assert task[0].text.split() == ["Preparing", "0%", "manual"]

    page.instance_row(INSTANCE).click()
    page.until(lambda _: page.text("#detail-instance") == INSTANCE, "the instance was not selected")
    assert page.text("#sets-total") == "No backup sets yet."
    page.click("#advance-1h")
    page.until(lambda _: not page.instance_row(INSTANCE).find_elements(By.CSS_SELECTOR, ".task-line"),
               "the task did not finish")
    sets = page.until(lambda _: page.rows("backup-sets"), "no backup set appeared")
    backup_id = page.emulator.backups(INSTANCE)[0]["BackupId"]
    assert [page.cells(row) for row in sets][0][:3] == ["Manual", backup_id, "Physical"]
    assert page.cells(sets[0])[5] == "Finished"

    # The whole entry, on a click.
    page.journal_rows("CreateBackup")[0].click()
    body = page.until(lambda _: page.find("#entry-dialog").is_displayed() and page.text("#entry-body"),
                      "the entry did not open")
    assert '"action": "CreateBackup"' in body and '"BackupMethod": "Physical"' in body
    assert '"signatureVersion": "V3"' in body
    page.click("#entry-close")


def test_reset_empties_the_journal_and_the_backups(page):
    client = make_client("new-sdk-v3", page.emulator.endpoint)
    client.create_backup("rds", DBInstanceId=INSTANCE)
    page.until(lambda _: page.journal_rows("CreateBackup"), "CreateBackup did not appear in the journal")
    page.click("#reset-state")
    page.until(lambda _: not page.rows("journal"), "the journal table was not emptied")
    page.until(lambda _: "Reset to the fixtures" in page.text("#notice"), "no word of the reset")
    assert page.emulator.backups(INSTANCE) == []
    assert page.text("#journal-count") == "0"


def test_scripts_the_next_backup_to_fail_at_a_stage(page):
    page.instance_row(INSTANCE).click()
    page.until(lambda _: page.text("#detail-instance") == INSTANCE, "the instance was not selected")
    page.until(lambda _: page.find("#fail-stage option[value=Uploading]"), "the stages are not offered")
    page.find("#fail-stage option[value=Uploading]").click()
    page.click("#script-failure")
    page.until(lambda _: page.text("#next-backup") == "fails at Uploading", "the scripted outcome is not shown")
    assert page.emulator.control("GET", f"/_emulator/instances/{INSTANCE}/next-backup") == (
        200, {"nextBackup": {"fail": "Uploading"}})

    page.find("#fail-kind option[value=next-automatic-backup]").click()
    page.find("#fail-stage option[value=Checking]").click()
    page.click("#script-failure")
    page.until(lambda _: page.text("#next-automatic-backup").startswith("fails at Checking (starts "),
               "the automatic backup's outcome is not shown")
    page.click("#clear-scripts")
    page.until(lambda _: page.text("#next-backup") == "succeeds", "the scripted outcome was not withdrawn")
    assert page.text("#next-automatic-backup") == "as scheduled"


def test_values_from_clients_are_shown_as_text(page):
    """An instance id is whatever a client sent: it must never become markup, in the table or in the entry."""
    hostile = '<img src=x id=injected onerror="document.title=1">'
    page.emulator.raw(urllib.parse.urlencode({"Action": "CreateBackup", "Version": "2014-08-15", "DBInstanceId": hostile}))
    rows = page.until(lambda _: page.journal_rows("CreateBackup"), "the request did not appear in the journal")
    assert page.cells(rows[0])[3] == hostile
    rows[0].click()
    body = page.until(lambda _: page.find("#entry-dialog").is_displayed() and page.text("#entry-body"),
                      "the entry did not open")
    assert hostile.replace('"', '\\"') in body
    assert page.driver.find_elements(By.ID, "injected") == []


def test_shows_requests_refused_before_their_account_was_known(page):
    status, _, _ = page.emulator.raw(urllib.parse.urlencode({"Action": "DescribeRegions", "Version": "2014-08-15"}),
                                     sign=None)
    assert status == 400
    rows = page.until(lambda _: page.rows("journal"), "the unsigned request did not appear in the journal")
    assert page.cells(rows[0])[1:6] == ["Rds", "DescribeRegions", "", "400", "MissingAccessKeyId"]


def test_asks_for_the_control_token_and_shows_nothing_without_it(driver, start_emulator):
    page = Page(driver, start_emulator("--control-token", "s3cret")).open()
    page.until(lambda _: page.find("#token-prompt").is_displayed(), "no token prompt")
    assert not page.find("#dashboard").is_displayed()
    assert page.rows("instances") == [] and page.find("#account").find_elements(By.TAG_NAME, "option") == []

    page.find("#token-input").send_keys("wrong")
    page.click("#token-submit")
    page.until(lambda _: page.find("#token-error").is_displayed(), "a wrong token was not refused")
    assert page.find("#token-prompt").is_displayed() and not page.find("#dashboard").is_displayed()
    assert page.rows("instances") == []

    page.find("#token-input").send_keys("s3cret")
    page.click("#token-submit")
    page.until(lambda _: page.rows("instances"), "the right token did not open the dashboard")
    assert not page.find("#token-prompt").is_displayed()
    # Kept for the tab: a reload asks no more.
    driver.refresh()
    page.until(lambda _: page.rows("instances"), "the token was not kept in session storage")
    assert not page.find("#token-prompt").is_displayed()
