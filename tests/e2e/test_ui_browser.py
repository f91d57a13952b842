"""The web interface in a real browser: Debian's Chromium, headless, driven by Playwright, against
`archive serve` as a process.

One archivist's session walks through the interface as the issue describes it (log in, upload the seed
article, see its five credits, upload the revision, see two versions and the diff, verify a file), then a
reader's session checks that the upload form is not theirs. Each page is photographed; set
`ARCHIVE_SCREENSHOTS` to a folder to keep the pictures (`scripts/screenshots` refreshes docs/screenshots).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import shared_path
from tests.e2e.server import Server, run_archive, serving

SEED = shared_path("corpus", "seed")
SEED_TEXT = SEED / "dhs-irs-deputize.txt"
SEED_V2 = SEED / "dhs-irs-deputize.v2.txt"
EXPECTED = json.loads((SEED / "dhs-irs-deputize.expected.json").read_text())
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("the browser tests need Debian's chromium (scripts/test installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    with serving(tmp_path, ARCHIVE_SIGNING_KEY_FILE=str(tmp_path / "log.key")) as running:
        yield running


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ARCHIVE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_key(workdir: Path, role: str, name: str) -> str:
    made = run_archive(workdir, "keys", "create", "--role", role, "--name", name)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def photograph(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(PNG_MAGIC)


def log_in(page: Page, server: Server, key: str) -> None:
    page.goto(f"{server.url}/ui/")
    expect(page).to_have_url(f"{server.url}/ui/login?next=/ui/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/ui/")


def test_an_archivist_archives_compares_and_verifies(
    browser: Browser, server: Server, tmp_path: Path, shots: Path
) -> None:
    key = new_key(tmp_path, "archivist", "ada")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/ui/login")
    photograph(page, shots, "login")
    log_in(page, server, key)
    cookie = next(c for c in context.cookies() if c["name"] == "archive_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # neither cookie is visible to scripts

    # Upload the seed article: digests and receipt.
    page.get_by_role("link", name="Upload").click()
    photograph(page, shots, "upload")
    page.get_by_label("File").set_input_files(str(SEED_TEXT))
    page.get_by_role("button", name="Archive").click()
    expect(page.locator("#outcome")).to_contain_text("Archived as version 1")
    expect(page.locator("#blake3")).to_have_text(EXPECTED["blake3"])
    expect(page.locator("#sha256")).to_have_text(EXPECTED["sha256"])
    expect(page.locator("#checkpoint")).to_contain_text("— ")  # a signed note's signature line
    photograph(page, shots, "receipt")

    # The document: five credits with roles, each with its evidence highlighted in the text.
    page.locator("#digests a").click()
    rows = page.locator("#credits tr.credit-row")
    expect(rows).to_have_count(len(EXPECTED["credits"]))
    seen = {
        (rows.nth(i).locator("td.name").inner_text(), rows.nth(i).get_attribute("data-role"))
        for i in range(rows.count())
    }
    assert seen == {(_shown_name(c), c["role"]) for c in EXPECTED["credits"]}
    page.locator("#credits a.quote").first.click()
    assert page.evaluate("location.hash").startswith("#evidence-")
    expect(page.locator("#text mark").first).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Updated:")
    photograph(page, shots, "document")

    # The revision: two versions in the timeline, and the side-by-side diff.
    page.get_by_role("link", name="Upload a new version").click()
    page.get_by_label("File").set_input_files(str(SEED_V2))
    page.get_by_label("Note").fill("Re-captured after the update")
    page.get_by_role("button", name="Archive").click()
    expect(page.locator("#outcome")).to_contain_text("Archived as version 2")
    page.locator("#digests a").click()
    expect(page.locator("#timeline li")).to_have_count(2)
    expect(page.locator("#shown-version")).to_contain_text("2 of 2")
    page.locator("#compare button").click()
    expect(page.locator("h1")).to_have_text("Changes from version 1 to 2")
    expect(
        page.locator("#side-by-side tr.replace, #side-by-side tr.insert, #side-by-side tr.delete").first
    ).to_be_visible()
    photograph(page, shots, "diff")

    # Verify: an archived file, and one that is not.
    page.get_by_role("link", name="Verify").click()
    page.get_by_label("Drop a file here, or choose one").set_input_files(str(SEED_V2))
    expect(page.locator("#verification")).to_contain_text("is archived")
    expect(page.locator("#holdings li")).to_have_count(1)
    expect(page.locator("#fixity")).to_contain_text("never checked")
    photograph(page, shots, "verify")
    stranger = tmp_path / "stranger.txt"
    stranger.write_text("never archived")
    page.get_by_label("Drop a file here, or choose one").set_input_files(str(stranger))
    expect(page.locator("#verification")).to_contain_text("is not archived")

    # The archive list, searched by credit and role.
    page.get_by_role("link", name="Documents").click()
    page.get_by_label("Credit", exact=True).fill("tia dufour")
    page.locator("select[name=role]").select_option("photographer")
    # The list's own form (the page's full-text search box has a Search button of its own).
    page.locator("form").filter(has=page.get_by_label("Credit", exact=True)).get_by_role(
        "button", name="Search"
    ).click()
    expect(page.locator("table.documents tbody tr")).to_have_count(1)
    photograph(page, shots, "archive")
    context.close()


def _shown_name(credit: dict[str, str]) -> str:
    return credit["name"] + (f" ({credit['kind']})" if credit["kind"] != "person" else "")


def test_a_reader_cannot_see_or_use_the_upload_form(browser: Browser, server: Server, tmp_path: Path) -> None:
    key = new_key(tmp_path, "reader", "rita")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, server, key)
    expect(page.get_by_role("link", name="Documents")).to_be_visible()
    expect(page.get_by_role("link", name="Upload")).to_have_count(0)
    expect(page.get_by_role("link", name="Verify")).to_have_count(0)
    answer = page.goto(f"{server.url}/ui/upload")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_contain_text("Forbidden")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{server.url}/ui/login")
    assert not [c for c in context.cookies() if c["name"] == "archive_session"]
    context.close()
