"""Real-browser journeys: the app served from PostgreSQL, driven by Debian's Chromium.

One server for the whole run (`tests/e2e/serve.py`: a fresh database `clinic_e2e`, the demo
clinic, production settings, a clock that starts on a Monday morning) and one Chromium.
Patients browse on a phone-sized screen, staff on a desktop one. Every page a journey opens
goes through `Look.at`: axe-core checks it (no serious or critical violation), the keyboard
reaches each of its form controls, and a screenshot is kept in e2e-artifacts/ (or
$E2E_SCREENSHOTS). `test_every_page_visited_was_checked` fails if a journey reached a page
without looking at it.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
PORT = int(os.environ.get("E2E_PORT", "8765"))
BASE_URL = f"http://127.0.0.1:{PORT}"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "e2e-artifacts"))
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ARTIFACTS / "screenshots"))
ADMIN_DATABASE = os.environ.get(
    "E2E_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DATABASE = os.environ.get("E2E_DATABASE", "clinic_e2e")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
DEMO_PASSWORD = "clinic-demo-2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _server_environment() -> dict[str, str]:
    database_url = ADMIN_DATABASE.rsplit("/", 1)[0] + f"/{DATABASE}"
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "e2e-only-secret-key-not-for-production",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The journeys browse plain http://127.0.0.1; everything else is production's.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_HSTS_PRELOAD": "false",
        "DJANGO_FAST_PASSWORD_HASHER": "true",
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_TIME_ZONE": "Asia/Ho_Chi_Minh",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "DATABASE_URL": database_url,
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "PYTHONUNBUFFERED": "1",
    }


def _fresh_database() -> None:
    connection = psycopg2.connect(ADMIN_DATABASE)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()


# --- The server ---------------------------------------------------------------------------


@dataclass
class Server:
    base_url: str
    keys: dict[str, bytes]  # demo staff email -> TOTP key
    clock: dict[str, float]
    log: Path

    def now(self) -> float:
        """The server's clock: its start plus the real time gone by since."""
        return self.clock["start"] + (time.time() - self.clock["real"])

    def code(self, email: str) -> str:
        """The second-factor code the demo member of staff's app shows now, by the server's time."""
        totp = TOTP(self.keys[email], step=30, t0=0, digits=6, drift=0)
        totp.time = self.now()
        return f"{totp.token():06d}"


def _totp_keys(seed_output: str) -> dict[str, bytes]:
    keys = {}
    for line in seed_output.splitlines():
        found = re.match(
            r"\s*(\S+@example\.com)\s+\S+\s+\S+\s+((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})", line
        )
        if found:
            keys[found.group(1)] = base64.b32decode(found.group(2).replace(" ", ""))
    return keys


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.exit(f"No Chromium at {CHROMIUM}: `make e2e` installs Debian's chromium package.", 2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if SCREENSHOTS.is_relative_to(ARTIFACTS):
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # this run's screenshots only
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _fresh_database()
    environment = _server_environment()
    prepared = subprocess.run(
        [sys.executable, "-m", "tests.e2e.serve", "prepare"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        pytest.exit(f"Preparing the e2e database failed:\n{prepared.stderr[-3000:]}", 2)
    keys = _totp_keys(prepared.stdout)
    clock_file = ARTIFACTS / "clock.json"
    clock_file.unlink(missing_ok=True)
    log = ARTIFACTS / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "tests.e2e.serve",
                "run",
                "--port",
                str(PORT),
                "--clock",
                str(clock_file),
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(BASE_URL + "/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.exit(f"The e2e server did not start:\n{log.read_text()[-3000:]}", 2)
                time.sleep(0.3)
        yield Server(BASE_URL, keys, json.loads(clock_file.read_text()), log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


# --- Looking at pages ---------------------------------------------------------------------

# Every visible control of the page's forms, keyed for the Tab walk: a radio group is one stop
# (Tab enters it, the arrow keys move within), every other control its own.
MARK_CONTROLS = """() => {
  // checkVisibility also sees what a closed <details> hides.
  const visible = e => !e.disabled && e.checkVisibility({checkVisibilityCSS: true});
  const controls = [...document.querySelectorAll(
    'main form input:not([type=hidden]), main form select, main form textarea, main form button'
  )].filter(visible);
  controls.forEach((e, i) => {
    e.dataset.e2eKey = e.type === 'radio'
      ? 'radio:' + e.name : (e.name || e.id || 'control') + '#' + i;
  });
  const stops = document.querySelectorAll(
    'main a[href], main input, main select, main textarea, main button, main summary, '
    + 'main [tabindex]'
  ).length;
  return {wanted: [...new Set(controls.map(e => e.dataset.e2eKey))], stops};
}"""
SETTLED = """() => document.getAnimations()
  .filter(a => a instanceof CSSTransition).every(a => a.playState !== 'running')"""
FOCUSED = "() => (document.activeElement && document.activeElement.dataset.e2eKey) || ''"


@dataclass
class Look:
    """Everything the journeys noticed: each page they looked at, and what axe said of it."""

    looked: set[str] = field(default_factory=set)
    visited: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    shots: list[str] = field(default_factory=list)

    @staticmethod
    def _key(url: str) -> str:
        path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        return "/" + re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", path)

    def watch(self, page: Page) -> Page:
        page.on("framenavigated", lambda frame: self._visited(frame))
        return page

    def _visited(self, frame: Any) -> None:
        if frame.parent_frame is None and frame.url.startswith(BASE_URL):
            self.visited.add(self._key(frame.url))

    @staticmethod
    def unreachable_by_keyboard(page: Page) -> set[str]:
        """Walk the page's forms with the Tab key from the top of the main content."""
        marked = page.evaluate(MARK_CONTROLS)
        wanted = set(marked["wanted"])
        if not wanted:
            return set()
        page.focus("main")
        reached: set[str] = set()
        for _ in range(marked["stops"] + 10):
            page.keyboard.press("Tab")
            reached.add(page.evaluate(FOCUSED))
            if wanted <= reached:
                break
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        return wanted - reached

    def at(self, page: Page, name: str, *, full_page: bool = True) -> Page:
        """Check the page as it is now (axe, keyboard) and keep a screenshot named `name`."""
        from axe_playwright_python.sync_playwright import Axe

        page.wait_for_load_state("load")
        # A button's colours fade for 0.15 s after a click; axe must see where they end, not a
        # frame half-way (white text on a half-filled button fails contrast, the end passes).
        page.wait_for_function(SETTLED)
        self.looked.add(self._key(page.url))
        result = Axe().run(page).response
        for violation in result["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                self.problems.append(
                    f"{name} ({page.url}): {violation['id']} [{violation['impact']}] "
                    f"{violation['help']} at {targets}"
                )
        for control in self.unreachable_by_keyboard(page):
            self.problems.append(f"{name} ({page.url}): {control} cannot be reached with Tab")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
        self.shots.append(name)
        return page


@pytest.fixture(scope="session")
def look() -> Look:
    return Look()


@pytest.fixture(scope="session")
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


@pytest.fixture(scope="session")
def new_page(browser: Browser, contexts: list[BrowserContext], look: Look, server: Server):
    """A new browser (its own cookies): `new_page("phone")` or `new_page("desktop", "vi-VN")`."""

    def make(screen: str = "phone", locale: str = "en-GB") -> Page:
        context = browser.new_context(
            viewport=PHONE if screen == "phone" else DESKTOP,
            locale=locale,
            is_mobile=screen == "phone",
            has_touch=screen == "phone",
            base_url=server.base_url,
            timezone_id="Asia/Ho_Chi_Minh",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return look.watch(context.new_page())

    return make


@pytest.fixture(scope="session")
def story() -> dict[str, Any]:
    """What one journey leaves for the next (the patient's email, the case, the booking)."""
    return {}
