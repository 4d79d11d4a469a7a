"""The HTML report in a real browser (issue 18): headless Chromium opens it offline and every
section is there; nothing in it would be fetched. Skipped, saying why, without Chromium
(Debian package `chromium`; .ci/run installs it)."""

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from test_alerts import _write
from test_drivers import _stream

from trendscore.cli import main

SECTIONS = ["ranking", "picture", "passages", "model", "method"]


def _chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("headless Chromium is not installed (Debian package chromium): browser test not run")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    data = _write(d / "news.jsonl", _stream())
    page = d / "report.html"
    result = CliRunner().invoke(main, ["score", data, "--report", str(page)])
    assert result.exit_code == 0, result.output
    return page


def _browser(*args, timeout=60):
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", *args]
    # no network at all: any fetch the page tried would fail (the static check above is what
    # shows the page refers to nothing outside itself)
    cmd.insert(1, "--host-resolver-rules=MAP * ~NOTFOUND")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def test_the_report_needs_nothing_from_the_network(report):
    html = report.read_text("utf-8")
    assert all(src.startswith("data:") for src in re.findall(r"src=['\"]([^'\"]+)", html))
    assert "<link" not in html and "@import" not in html and "url(" not in html and "<script" not in html


def test_chromium_opens_the_report_with_every_section(report):
    result = _browser("--dump-dom", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    for section in SECTIONS:
        assert f'id="{section}"' in dom, section
    assert "regional_hub" in dom and "rising" in dom and "Behind it:" in dom
    assert "data:image/png;base64," in dom


@pytest.mark.parametrize("width", [1280, 390])
def test_chromium_draws_the_report_at_desktop_and_phone_width(report, tmp_path, width):
    shot = tmp_path / f"report-{width}.png"
    result = _browser(f"--screenshot={shot}", f"--window-size={width},2400", "--hide-scrollbars", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
