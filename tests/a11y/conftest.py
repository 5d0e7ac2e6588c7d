"""A real portal for browser tests: a scratch SQLite database set up by ``tsunagari setup`` and
served by gunicorn on a free loopback port, driven by Debian's headless Chromium (Selenium with
/usr/bin/chromedriver; nothing is downloaded). axe-core comes from the npm registry (package.json
here, installed by the Makefile with ``npm ci``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.free_port import free_port

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def portal_env(tmp_path_factory) -> dict[str, str]:
    """The environment of the portal's scratch database (for ``tsunagari`` commands on it)."""
    data = tmp_path_factory.mktemp("portal")
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data / 'portal.sqlite3'}",
        "TSUNAGARI_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
    }


@pytest.fixture(scope="session")
def portal(portal_env):
    """Base URL of a running portal with the bundled directory and the demo line loaded."""
    env = portal_env
    subprocess.run([BIN / "tsunagari", "setup", "--demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--graceful-timeout",
            "2",
            "tsunagari.wsgi:application",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/navi/", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"portal did not start: {server.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.2)
    yield base
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; the tests fail (not skip) when it is not installed."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER, AXE):
        assert Path(path).exists(), f"{path} missing: run `make test` (it installs Chromium and axe-core)"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=390,844",  # mobile first: a phone-sized viewport
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
