"""The dashboard suite's helpers: the page in a real headless browser (Debian's `chromium` and `chromium-driver`,
driven by Selenium), against the built emulator (the conformance suite's `Emulator`: the same binary, start-up and
teardown). A module, not a conftest.py, for the reason the abuse suite gives: the conformance suite imports its own
conftest by that name. `scripts/screenshot-dashboard.py` uses it too.
"""
import importlib.util
import shutil
import sys
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "conformance"))


def _conformance_conftest():
    spec = importlib.util.spec_from_file_location("conformance_conftest", ROOT / "Tests" / "conformance" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_conformance = _conformance_conftest()
Emulator, start_emulator = _conformance.Emulator, _conformance.start_emulator

WAIT = 20  # seconds an explicit wait gives the page (it polls every second): room for a loaded CI machine


def browser(width=1440, height=1000):
    """Headless Chromium with the system's driver: nothing is downloaded (Selenium Manager stays idle)."""
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--hide-scrollbars", "--force-color-profile=srgb", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    driver.set_page_load_timeout(WAIT)
    return driver


class Page:
    """The dashboard as a user sees it; each read retries until it holds or `WAIT` seconds pass."""

    def __init__(self, driver, emulator):
        self.driver = driver
        self.emulator = emulator

    def open(self):
        self.driver.get(self.emulator.url + "/_emulator/")
        return self

    def until(self, condition, message):
        """Waits for `condition(driver)` to be truthy; re-reads an element the page replaced meanwhile."""
        return WebDriverWait(self.driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
            condition, message)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def rows(self, table):
        return self.driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")

    def cells(self, row):
        return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]

    def click(self, css):
        self.find(css).click()

    def text(self, css):
        return self.find(css).text

    def instance_row(self, instance_id):
        return self.find(f'#instances tbody tr[data-instance="{instance_id}"]')

    def journal_rows(self, action=None):
        return [row for row in self.rows("journal") if action is None or row.get_attribute("data-action") == action]

    def console_errors(self):
        """What the browser logged as errors: a Content-Security-Policy violation, a script error, a failed load."""
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]
