"""The exports page in real Chromium on a 360 px phone: an officer downloads a report table and finds the
dashboard's figures in it, then a household list of 2,500 rows, which is written in the background while its page
shows the progress, and downloads it when it is ready. Screenshots under test-artifacts/exports-*.png."""

from __future__ import annotations

import csv
import importlib.util
import io
import uuid
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from test_shell import WIDTH, assert_fits, assert_tappable

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "exports-test-password"
COMMUNE, VILLAGE = "06529", "X-06529-77"
BULK = 2500


def _browser_conftest():
    spec = importlib.util.spec_from_file_location("browser_conftest_for_exports", Path(__file__).with_name(
        "conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bulk_forms(officer_id: int) -> None:
    """BULK approved poor households of 2026 in a test village, written straight into `submissions`."""
    from server.extensions import db
    from server.submissions.models import Submission

    rows = []
    for i in range(BULK):
        fid = str(uuid.uuid4())
        rows.append(dict(kind="household", first_id=fid, current_id=fid, version=1, revision=1, state="approved",
                         review_year=2026, review_type="periodic", commune_code=COMMUNE, village_code=VILLAGE,
                         household_code=f"BULK-{i:05d}", area="rural", submitted_by=officer_id,
                         head_name=f"=Chủ hộ thử {i}" if i == 0 else f"Chủ hộ thử {i}", head_sex="female",
                         head_ethnicity="tay", head_is_dtts=True, members_count=3, rule_set="2022-2026",
                         poverty_class="poor", deficit_mask=0b101, deficit_count=2, change_seq=0))
    db.session.execute(Submission.__table__.insert(), rows)


@pytest.fixture(scope="session")
def exports_server(backend, tmp_path_factory, chromium):
    """Lạng Sơn, a test village of Xã Lộc Bình with BULK approved poor households of 2026, and an officer."""
    from server.accounts.operations import create_user
    from server.places.operations import import_villages, load_province

    def setup():
        load_province("20")
        import_villages(f"commune_code,village_code,name,households_2026\n{COMMUNE},{VILLAGE},Bản Xuất Thử,"
                        f"{BULK * 2}\n", source="browser-tests")
        officer = create_user(None, username="cb.tinh.xuat", full_name="Lý Văn Xuất", role="officer",
                              unit_code="20", password=PASSWORD)
        _bulk_forms(officer.id)

    yield from _browser_conftest().own_server(backend, tmp_path_factory, "exports", setup, REVIEW_YEAR=2026)


@pytest.fixture
def phone(browser, exports_server):
    context = browser.new_context(viewport={"width": WIDTH, "height": 640}, base_url=exports_server.url,
                                  device_scale_factor=1, accept_downloads=True)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()


def _log_in(page):
    page.goto("/login")
    page.fill("#username", "cb.tinh.xuat")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_an_officer_downloads_a_report_table_and_a_long_household_list(phone, exports_server):
    page = phone
    _log_in(page)
    page.click("text=Xuất dữ liệu")
    expect(page.locator("h1")).to_contain_text("Xuất dữ liệu")
    assert_fits(page)
    assert_tappable(page.locator("#export-form button[type=submit]"), "the export button")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "exports-page.png"), full_page=True)

    # Biểu 1 of the province: its commune row is the dashboard's
    page.fill("#year", "2026")
    with page.expect_download() as got:
        page.click("#export-form button[type=submit]")
    download = got.value
    assert download.suggested_filename == "results_20_2026_approved.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    row = next(r for r in ws.iter_rows(values_only=True) if r[1] == COMMUNE)
    with exports_server.app.app_context():
        from server.indicators.operations import indicator_table

        want = next(r for r in indicator_table(2026, "20")["rows"] if r["code"] == COMMUNE)
    assert row[5] == want["poor"] == BULK and row[3] == want["households"]

    # a household list: its purpose first, then the background job and its progress
    page.check("input[name=table][value=households]")
    page.select_option("#unit", COMMUNE)
    page.select_option("#format", "csv")
    page.fill("#purpose", "danh sách cho họp dân")
    with page.expect_navigation():
        page.click("#export-form button[type=submit]")
    assert "/exports/jobs/" in page.url
    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.locator("#job-download")).to_be_visible(timeout=60_000)
    expect(page.locator("#job-state")).to_contain_text(str(BULK))
    assert_fits(page)
    page.screenshot(path=str(ARTIFACTS / "exports-job.png"), full_page=True)
    with page.expect_download() as got:
        page.click("#job-download")
    download = got.value
    assert download.suggested_filename == "households-poor_06529_2026_approved.csv"
    data = Path(download.path()).read_bytes()
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1 + BULK
    assert "'=Chủ hộ thử 0" in {r[6] for r in rows}  # the formula guard
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors

    # the push page, from the exports page: no endpoint is configured here, and a dry run writes nothing
    page.goto("/exports/")
    page.click("text=Gửi dữ liệu lên hệ thống của tỉnh")
    expect(page.locator("main")).to_contain_text("PUSH_URL")
    assert_fits(page)
    page.screenshot(path=str(ARTIFACTS / "exports-push.png"), full_page=True)
