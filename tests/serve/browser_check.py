"""Browser test of `complysim serve` (issue 16) in a real headless browser
(Debian's chromium + chromium-driver, python3-selenium): start the server on a
free port, load the page, move two levers with the keyboard, press Run, read the
numbers off the page, and check that they equal `complysim compare` on the two
TOML files the page exports, bit for bit. Saves a screenshot as a test artifact
and fails on any browser console error.

usage: browser_check.py COMPLYSIM SCENARIOS_DIR ARTIFACT_DIR
Exit status 77 (skipped) when chromium, chromedriver or selenium is missing."""
import csv
import io
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_common import Server, compare_csv  # noqa: E402

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("skipped: python3-selenium is not installed")
    sys.exit(77)

binary, scenarios, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
driver_bin = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not chromium or not os.path.exists(driver_bin):
    print("skipped: chromium or chromedriver is not installed")
    sys.exit(77)
os.makedirs(artifacts, exist_ok=True)
work = os.path.join(artifacts, "serve_browser_files")
os.makedirs(work, exist_ok=True)


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


profile = tempfile.mkdtemp(prefix="complysim-chromium-")
opts = webdriver.ChromeOptions()
opts.binary_location = chromium
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1700,1200",
          "--force-device-scale-factor=1", f"--user-data-dir={profile}"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
downloads = os.path.join(work, "downloads")
shutil.rmtree(downloads, ignore_errors=True)
os.makedirs(downloads)
opts.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False,
                                       "profile.default_content_setting_values.automatic_downloads": 1})

with Server(binary, scenarios) as srv:
    driver = webdriver.Chrome(service=Service(driver_bin), options=opts)
    try:
        driver.set_script_timeout(60)
        driver.get(srv.url + "/")
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "ready")
        if "A model, not a forecast" not in driver.find_element(By.ID, "model-note").text:
            fail("the standing 'model, not a forecast' note is missing")
        href = driver.find_element(By.ID, "model-link").get_attribute("href")
        if not href.endswith("/docs/model.md"):
            fail("the note does not link docs/model.md: " + href)
        size = driver.find_element(By.ID, "size").get_attribute("value")
        if size != "10000x8":
            fail("default size is not 10,000 users x 8 runs: " + size)

        # Move two levers as a person would: the vagueness slider to its left end
        # (a bright line), the appeals slider to its right end (appeals always work).
        for name, key in (("law.vagueness", Keys.HOME), ("law.appeals", Keys.END)):
            box = driver.find_element(By.CSS_SELECTOR, f'[data-lever="{name}"]')
            box.find_element(By.CSS_SELECTOR, "input[type=range]").send_keys(key)
            shown = box.find_element(By.CSS_SELECTOR, "input[type=number]").get_attribute("value")
            if "changed" not in box.get_attribute("class"):
                fail(f"moving {name} did not mark it changed (box shows {shown})")
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 600).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "result"
                                         or d.find_element(By.ID, "run-error").text)
        err = driver.find_element(By.ID, "run-error").text
        if err:
            fail("the page reported an error: " + err)
        seconds = driver.find_element(By.TAG_NAME, "body").get_attribute("data-last-run-seconds")
        print(f"run to answer in the browser: {seconds} s (base and what-if, 10,000 users x 8 runs)")

        # The numbers on the page.
        page = {}
        for card in driver.find_elements(By.CSS_SELECTOR, "#headline .card"):
            outcome = card.get_attribute("data-outcome")
            b = card.find_element(By.CSS_SELECTOR, ".v-base")
            w = card.find_element(By.CSS_SELECTOR, ".v-whatif")
            if not b.find_element(By.CSS_SELECTOR, ".big").text or not card.find_element(By.CSS_SELECTOR, ".sentence").text:
                fail(f"{outcome}: no number or sentence shown")
            page[outcome] = (b.get_attribute("data-value"), w.get_attribute("data-value"), card.get_attribute("data-diff"))
        if len(page) < 3:
            fail(f"only {len(page)} headline outcomes on the page")
        compliance = {}
        for card in driver.find_elements(By.CSS_SELECTOR, "#platforms .card"):
            vals = [v.get_attribute("data-value") for v in card.find_elements(By.CSS_SELECTOR, ".v-base, .v-whatif")]
            compliance[card.get_attribute("data-platform")] = vals

        # The exported files, as the page offers them for download.
        fetch = "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done);"
        exports = {}
        for link in ("save-base", "save-whatif", "save-csv"):
            a = driver.find_element(By.ID, link)
            exports[link] = (a.get_attribute("download"), driver.execute_async_script(fetch, a.get_attribute("href")))
        for link in ("save-base", "save-whatif"):
            with open(os.path.join(work, exports[link][0]), "w") as f:
                f.write(exports[link][1])
        whatif = exports["save-whatif"][1]
        if f'extends = "{exports["save-base"][0]}"' not in whatif or "vagueness = 0.0" not in whatif or "appeals = 1.0" not in whatif:
            fail("the what-if file does not extend the base with the two changed levers:\n" + whatif)
        if "users = 10000" not in exports["save-base"][1] or "replicates = 8" not in exports["save-base"][1]:
            fail("the base file is not at the page's size")

        # The download buttons, clicked: the files land in the download folder.
        for link in ("save-base", "save-whatif", "save-csv", "save-png"):
            driver.find_element(By.ID, link).click()
        png = os.path.basename(exports["save-whatif"][0]).replace(".toml", "-charts.png")
        wanted = [exports["save-base"][0], exports["save-whatif"][0], exports["save-csv"][0], png]
        try:
            WebDriverWait(driver, 60).until(lambda d: all(os.path.exists(os.path.join(downloads, f)) for f in wanted))
        except Exception:
            fail(f"downloads missing: wanted {wanted}, got {os.listdir(downloads)}")
        for link in ("save-base", "save-whatif", "save-csv"):
            with open(os.path.join(downloads, exports[link][0])) as f:
                if f.read() != exports[link][1]:
                    fail(f"the downloaded {exports[link][0]} differs from the page's export")
        with open(os.path.join(downloads, png), "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                fail("the charts download is not a PNG")
        shutil.copy(os.path.join(downloads, png), os.path.join(artifacts, "serve_charts.png"))

        cli = compare_csv(binary, os.path.join(work, exports["save-base"][0]), os.path.join(work, exports["save-whatif"][0]))
        if cli != exports["save-csv"][1]:
            fail("the page's CSV differs from `complysim compare --format csv` on the exported files")
        rows = list(csv.DictReader(io.StringIO(cli)))
        base_name = os.path.splitext(exports["save-base"][0])[0]
        whatif_name = os.path.splitext(exports["save-whatif"][0])[0]

        def cell(outcome, scenario, platform=""):
            for r in rows:
                if r["outcome"] == outcome and r["platform"] == platform and r["scenario"] == scenario:
                    return r
            fail(f"compare has no row {outcome}/{platform}/{scenario}")

        def same(page_text, cli_text, what):
            # Both are the shortest/17-digit texts of one double: equal as doubles, or both undefined.
            if page_text == "" and cli_text == "":
                return
            if page_text == "" or cli_text == "" or float(page_text) != float(cli_text):
                fail(f"{what}: page {page_text!r} != complysim compare {cli_text!r}")

        for outcome, (b, w, d) in page.items():
            same(b, cell(outcome, base_name)["mean"], outcome + " base")
            same(w, cell(outcome, whatif_name)["mean"], outcome + " what-if")
            same(d, cell(outcome, whatif_name)["diff"], outcome + " change")
        for platform, vals in compliance.items():
            for v, scen in zip(vals, (base_name, whatif_name)):
                if v:
                    same(v, cell("takedown_compliance_rate", scen, platform)["mean"], f"compliance {platform}")
        print(f"{len(page)} headline outcomes and {len(compliance)} platforms equal `complysim compare` on the exported files")

        driver.execute_script("window.scrollTo(0, 0)")
        total_h = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1700, min(max(total_h, 1200), 6000))
        shot = os.path.join(artifacts, "serve_page.png")
        driver.save_screenshot(shot)
        print("screenshot:", shot)

        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        if errors:
            fail("browser console errors: " + "; ".join(e["message"] for e in errors))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
print("browser_check: ok")
