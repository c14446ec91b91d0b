"""Every HTML view as a reader's browser shows it: each view's page, fetched from the app in en, zh-CN and ja, is
laid out by headless Chromium (Debian's package) and photographed into MERIDIAN_SCREENSHOTS_DIR
(artifacts/screenshots unless set) as <view>-<language>.png, beside the page itself (.html) and, for the
comparison, its A4 landscape print (.pdf). Each page is measured on a screen 1280 px wide and in print at its own
paper's width: nothing may reach past the page or out of its box, no text may stack one or two characters per
line, no heading may break a word, no chart label may be cut by its chart, and Chinese and Japanese text must be
drawn in its own language's glyph forms.

Without Chromium the module is skipped, saying why, unless MERIDIAN_REQUIRE_BROWSER=1 (CI sets it), which fails."""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest

from domain.kernel.permissions import Role
from domain.kernel.principal import Principal
from domain.payroll.service import wait_for_jobs
from domain.tenancy.model import NewLegalEntity
from domain.tenancy.service import create_legal_entity
from tests.conftest import bearer
from tests.integration.test_feedback_and_attrition import population  # noqa: F401 (a fixture)
from tests.integration.test_interview_results import deliver, hiring, map_application  # noqa: F401 (a fixture)
from tests.integration.test_pay_run_review import _bonus_month
from tests.integration.test_payroll import hired, payroll  # noqa: F401 (a fixture)
from tests.views.chromium import DEFAULT_EXECUTABLE, Chromium, chromium_executable
from tests.views.png import read_png

pytestmark = pytest.mark.anyio

LOCALES = ("en", "zh-CN", "ja")
SCREEN_WIDTH = 1280
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("MERIDIAN_SCREENSHOTS_DIR") or ROOT / "artifacts" / "screenshots")
#: The documented maximum of a comparison.
MOST_CANDIDATES = 20


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    executable = chromium_executable()
    if executable is None:
        missing = (f"no Chromium at {os.environ.get('MERIDIAN_CHROMIUM', DEFAULT_EXECUTABLE)} to photograph the HTML "
                   "views (apt-get install chromium fonts-noto-cjk, or set MERIDIAN_CHROMIUM)")
        if os.environ.get("MERIDIAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MERIDIAN_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with Chromium(executable) as chromium:
        yield chromium


# -- what each view needs, seeded through the API as its readers' colleagues would ---------------------------------

COMPETENCIES = [  # (code, names, weight, pass threshold, vendor's scale)
    ("communication", {"en": "Communication", "zh-CN": "沟通能力", "ja": "コミュニケーション能力"}, "0.2", "3", (1, 5)),
    ("problem_solving", {"en": "Problem solving", "zh-CN": "解决问题能力", "ja": "問題解決能力"}, "0.2", "55",
     (0, 100)),
    ("customer_focus", {"en": "Customer focus", "zh-CN": "客户导向", "ja": "顧客志向"}, "0.15", "50", (0, 100)),
    ("product_knowledge", {"en": "Product knowledge", "zh-CN": "产品知识", "ja": "製品知識"}, "0.15", "50", (0, 10)),
    ("conflict_resolution", {"en": "Conflict resolution", "zh-CN": "冲突处理", "ja": "対立の解消"}, "0.1", "50",
     (0, 100)),
    ("written_tickets", {"en": "Written communication in customer tickets", "zh-CN": "客户工单中的书面沟通",
                         "ja": "顧客チケットでの文章コミュニケーション"}, "0.1", "50", (0, 100)),
    ("teamwork", {"en": "Teamwork", "zh-CN": "团队合作", "ja": "チームワーク"}, "0.1", "50", (0, 100)),
]
CANDIDATES = [
    "Zhang Wei", "李娜", "佐藤 健太郎", "Alexandra Konstantinopoulou-Wainwright", "María José García Fernández",
    "欧阳明辉", "Nguyễn Thị Minh Khai", "高橋 美咲", "Oluwaseun Adebayo-Okonkwo", "王小明", "Priya Raghunathan",
    "山本 さくら", "Jean-Baptiste Lefèvre", "陈静怡", "Siobhán Ní Bhriain", "中村 大翔", "Kim Min-jun", "刘洋",
    "Aleksandr Vasilyevich Kuznetsov", "田中 一郎",
]
NOT_INTERVIEWED = {"刘洋", "Kim Min-jun"}  # no result yet: not scored
PARTLY_SCORED = {"Siobhán Ní Bhriain"}  # the vendor scored only some competencies


def _interview_result(result_id: str, reference: str, chance: random.Random, partly: bool) -> bytes:
    scored = COMPETENCIES[:4] if partly else COMPETENCIES
    return json.dumps({
        "schema": "meridian.interview-result.v1", "result_id": result_id, "vendor": "Acme Interviews",
        "model": "acme-interviewer", "model_version": "2026.11", "rubric_version": "r8",
        "reference": {"application_reference": reference}, "interview_language": "en",
        "completed_at": datetime.now(UTC).isoformat(),
        "competencies": [
            {"code": code, "name": names["en"], "score": str(round(chance.uniform(low + (high - low) * 0.3, high))),
             "scale_min": str(low), "scale_max": str(high), "confidence": "0.8",
             "evidence": [] if chance.random() < 0.15 else [{"start_seconds": "60", "end_seconds": "95",
                                                             "quote": "I would first restate the problem."}]}
            for code, names, _, _, (low, high) in scored]}).encode()


async def _twenty_candidates(client: Any, hiring: dict[str, Any]) -> tuple[str, list[str]]:  # noqa: F811
    """A job with a seven-competency model in force today, and the documented maximum of candidates: most scored,
    some partly, some not yet. Its id and the applications' ids."""
    hr = bearer(hiring["hr"])
    job = (await client.post("/v1/jobs", headers=hr, json={
        "legal_entity_id": hiring["job"]["legal_entity_id"], "location": "Shanghai",
        "title": {"en": "Customer support team lead", "zh-CN": "客户支持组长",
                  "ja": "カスタマーサポートリーダー"}})).json()
    model = await client.post(f"/v1/jobs/{job['id']}/competency-model-versions", headers=hr, json={
        "effective_from": datetime.now(UTC).date().isoformat(), "overall_pass_threshold": "60", "competencies": [
            {"code": code, "names": names, "weight": weight, "pass_threshold": threshold,
             **({"scale_min": "1", "scale_max": "5"} if (low, high) == (1, 5) else {})}
            for code, names, weight, threshold, (low, high) in COMPETENCIES]})
    assert model.status_code == 201, model.text
    chance = random.Random(20)
    applications = []
    for index, name in enumerate(CANDIDATES):
        candidate = (await client.post("/v1/candidates", headers=hr, json={
            "full_name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com"})).json()
        await client.post(f"/v1/candidates/{candidate['id']}/consents", headers=hr, json={
            "purpose": "ai_interview_analysis", "given_at": "2026-01-01T00:00:00Z", "evidence": "signed form"})
        application = (await client.post("/v1/applications", headers=hr, json={
            "candidate_id": candidate["id"], "job_id": job["id"]})).json()
        applications.append(application["id"])
        if name in NOT_INTERVIEWED:
            continue
        reference = f"cmp-{uuid.uuid4().hex[:8]}"
        assert (await map_application(client, hiring, reference, application)).status_code == 201
        delivered = await deliver(client, hiring, _interview_result(f"{reference}-{index}", reference, chance,
                                                                     partly=name in PARTLY_SCORED))
        assert delivered.status_code == 200 and delivered.json()["evaluation"], delivered.text
    return job["id"], applications


# -- photographing and measuring --------------------------------------------------------------------------------


def _problems_of(layout: dict[str, Any], where: str) -> list[str]:
    problems = []
    if layout["scroll_width"] > layout["client_width"]:
        problems.append(f"{where}: the page is {layout['scroll_width']} px wide in a {layout['client_width']} px "
                        "window")
    for kind in ("outside_page", "clipped", "outside_container", "one_character_lines", "broken_words",
                 "cut_chart_labels"):
        problems += [f"{where}: {kind.replace('_', ' ')}: {finding}" for finding in layout[kind]]
    return problems


#: The CJK fonts whose glyph forms are another language's: Japanese kanji drawn as Simplified Chinese read as
#: misprints to a Japanese reader, and the other way round. English pages may draw a name in either.
_FOREIGN_FORMS = {"ja": re.compile(r"\b(SC|TC|HK|KR)\b|Droid Sans Fallback"),
                  "zh-CN": re.compile(r"\b(JP|TC|HK|KR)\b|Droid Sans Fallback")}


def _foreign_font(locale: str, font: str) -> bool:
    return locale in _FOREIGN_FORMS and bool(_FOREIGN_FORMS[locale].search(font))


def _photograph(browser: Chromium, view: str, pages: dict[str, str], *, printed: bool) -> list[str]:
    """Write, photograph, measure (and with ``printed``, print) one view's pages; what looks broken, per page."""
    problems: list[str] = []
    for locale, html in pages.items():
        page = ARTIFACTS / f"{view}-{locale}.html"
        page.write_text(html, encoding="utf-8")
        browser.load(page, SCREEN_WIDTH)
        paper = browser.printed_page()
        problems += _problems_of(browser.measure(), f"{view} {locale} on screen")
        problems += [f"{view} {locale}: {font} draws {glyphs} Chinese or Japanese glyphs in another language's forms"
                     for font, glyphs in browser.fonts_drawing_cjk().items() if _foreign_font(locale, font)]
        screenshot = browser.screenshot()
        page.with_suffix(".png").write_bytes(screenshot)
        png = read_png(screenshot)
        if png.single_colour or png.height < 200:
            problems.append(f"{view} {locale}: the screenshot is blank ({png.width} x {png.height} px)")
        browser.lay_out(paper.printable_width_px, media="print")
        problems += _problems_of(browser.measure(), f"{view} {locale} in print ({paper.printable_width_px} px)")
        if printed:
            pdf = browser.pdf()
            assert pdf.startswith(b"%PDF-") and b"/Type /Page" in pdf, f"{view} {locale}: not a PDF"
            page.with_suffix(".pdf").write_bytes(pdf)
    return problems


async def _photographed(browser: Chromium, view: str, pages: dict[str, str], *, printed: bool = False) -> list[str]:
    return await anyio.to_thread.run_sync(lambda: _photograph(browser, view, pages, printed=printed))


def _html(answer: Any, what: str) -> str:
    assert answer.status_code == 200, f"{what}: {answer.status_code} {answer.text[:500]}"
    assert answer.headers["content-type"].startswith("text/html"), f"{what}: {answer.headers['content-type']}"
    return answer.text


async def _pages(client: Any, method: str, url: str, token: str, **body: Any) -> dict[str, str]:
    """The view at ``url`` in each language, as its reader's browser asks for it."""
    return {locale: _html(await client.request(method, url, headers=bearer(token, **{"Accept-Language": locale}),
                                               **({"json": body} if body else {})), f"{url} in {locale}")
            for locale in LOCALES}


async def _linked_pages(client: Any, token: str, **report: Any) -> dict[str, str]:
    """The report opened in a browser from a report link asked for in each language."""
    pages = {}
    for locale in LOCALES:
        link = await client.post("/v1/report-links", headers=bearer(token, **{"Accept-Language": locale}),
                                 json=report)
        assert link.status_code == 201, link.text
        pages[locale] = _html(await client.get(link.json()["url"]), f"a {report['report']} link in {locale}")
    return pages


# -- the checks can fail ---------------------------------------------------------------------------------------------

BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<style>@page{size:A4 landscape;margin:12mm}</style></head><body>
<table style="width:2000px"><tr><td>A table twice as wide as the window</td></tr></table>
<div style="width:100px;overflow:hidden"><p style="width:300px">Cut by its box</p></div>
<table><tr><th style="width:1em;max-width:1em">顧客志向の評価</th></tr></table>
<h2 style="width:60px;overflow-wrap:anywhere">Internationalisation</h2>
<svg viewBox="0 0 100 50" width="200" height="100"><text x="60" y="20">A label too long for its chart</text></svg>
</body></html>"""


def test_the_checks_see_what_a_reader_would(browser: Chromium, tmp_path: Path) -> None:
    broken, blank = tmp_path / "broken.html", tmp_path / "blank.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    browser.load(broken, SCREEN_WIDTH)
    found = browser.measure()
    assert found["scroll_width"] > found["client_width"] == SCREEN_WIDTH
    assert all(found[kind] for kind in ("outside_page", "clipped", "outside_container", "one_character_lines",
                                        "broken_words", "cut_chart_labels")), found
    assert browser.printed_page().printable_width_px == 1032  # 297 mm less two 12 mm margins, at 96 px an inch
    assert not read_png(browser.screenshot()).single_colour
    browser.load(blank, SCREEN_WIDTH)
    assert read_png(browser.screenshot()).single_colour
    assert _problems_of(browser.measure(), "blank") == []


# -- the views ------------------------------------------------------------------------------------------------------


async def test_a_comparison_of_twenty_candidates_fits_the_screen_and_an_a4_landscape_page(
        client: Any, hiring: dict[str, Any], browser: Chromium) -> None:  # noqa: F811
    job_id, applications = await _twenty_candidates(client, hiring)
    assert len(applications) == MOST_CANDIDATES
    pages = await _pages(client, "POST", f"/v1/jobs/{job_id}/comparisons?format=html", hiring["hr"],
                         application_ids=applications)
    problems = await _photographed(browser, "comparison", pages, printed=True)
    assert not problems, "\n".join(problems)


async def test_the_feedback_loop_and_attrition_fit_the_screen_and_the_page(
        client: Any, tenant_a: Any, token_for: Any, population: dict[str, Any], browser: Chromium) -> None:  # noqa: F811
    hr = await token_for(tenant_a, "tenant_admin", "hr_admin", subject="screenshots-hr")
    departed = await client.post(f"/v1/employees/{population['hires'][0].id}/departure", headers=bearer(hr),
                                 json={"left_on": "2026-12-31", "reason": "moved abroad"})
    assert departed.status_code == 200, departed.text
    loop = await _pages(client, "GET", f"/v1/jobs/{population['job'].id}/feedback-loop?format=html", hr)
    attrition = await _pages(client, "GET", "/v1/analytics/attrition?format=html", hr)
    rare = (await client.post("/v1/jobs", headers=bearer(hr), json={
        "legal_entity_id": str(population["entity"].id), "location": "Berlin",
        "title": {"en": "Rare role", "zh-CN": "稀缺岗位", "ja": "希少な職種"}})).json()
    await client.post(f"/v1/jobs/{rare['id']}/competency-model-versions", headers=bearer(hr), json={
        "effective_from": "2026-01-01", "overall_pass_threshold": "50", "competencies": [
            {"code": "coding", "names": {"en": "Coding", "zh-CN": "编程", "ja": "コーディング"}, "weight": "1",
             "pass_threshold": "50"}]})
    too_little = await _pages(client, "GET", f"/v1/jobs/{rare['id']}/feedback-loop?format=html", hr)
    problems = [*await _photographed(browser, "feedback-loop", loop),
                *await _photographed(browser, "feedback-loop-too-little-data", too_little),
                *await _photographed(browser, "attrition", attrition)]
    assert not problems, "\n".join(problems)


async def test_the_pay_run_review_and_payslips_fit_the_screen_and_their_paper(
        client: Any, payroll: dict[str, Any], browser: Chromium) -> None:  # noqa: F811
    april = await _bonus_month(client, payroll)
    tokens = payroll["tokens"]
    review = await _pages(client, "GET", f"/v1/pay-runs/{april['id']}/review?format=html", tokens["reviewer_1"])
    linked = await _linked_pages(client, tokens["reviewer_1"], report="pay_run_review", run_id=april["id"])
    slips = (await client.get(f"/v1/pay-runs/{april['id']}/payslips", headers=bearer(tokens["preparer"]))).json()
    with_bonus = next(s for s in slips["items"] if s["employee_id"] == str(payroll["staff"][1].id))
    payslip = await _pages(client, "GET", f"/v1/payslips/{with_bonus['id']}/document", tokens["preparer"])
    employee = (await client.post(f"/v1/employees/{payroll['staff'][0].id}/portal-tokens",
                                  headers=bearer(tokens["admin"]))).json()["token"]
    [march] = (await client.get("/v1/my/payslips", headers=bearer(employee))).json()["items"]
    own = await _pages(client, "GET", f"/v1/my/payslips/{march['id']}/document", employee)
    problems = [*await _photographed(browser, "pay-run-review", review),
                *await _photographed(browser, "report-link-pay-run-review", linked),
                *await _photographed(browser, "payslip-cn", payslip),
                *await _photographed(browser, "my-payslip-cn", own)]
    assert not problems, "\n".join(problems)


PAYSLIP_COUNTRIES = [  # country, region, currency, time zone, the pack's tax attributes, monthly pay, an input
    ("JP", "13", "JPY", "Asia/Tokyo", {"date_of_birth": "1990-01-01"}, "420000", ("overtime_hours", "20")),
    ("DE", "NW", "EUR", "Europe/Berlin", {"tax_class": 1}, "5000.00", ("bonus", "3000.00")),
]


@pytest.mark.parametrize(("country", "region", "currency", "zone", "attributes", "pay", "extra"), PAYSLIP_COUNTRIES,
                         ids=[c[0] for c in PAYSLIP_COUNTRIES])
async def test_a_payslip_fits_its_paper_in_each_country(
        client: Any, tenant_a: Any, token_for: Any, browser: Chromium, country: str, region: str, currency: str,
        zone: str, attributes: dict[str, Any], pay: str, extra: tuple[str, str]) -> None:
    admin = Principal(tenant_id=tenant_a, subject="screenshots-seed",
                      roles=frozenset({Role.TENANT_ADMIN, Role.HR_ADMIN}))
    entity = await create_legal_entity(admin, NewLegalEntity(
        name=f"Meridian {country} {uuid.uuid4().hex[:4]}", country=country, region=region, currency=currency,
        timezone=zone))
    [employee] = await hired(admin, entity, (pay,), tax_attributes=attributes)
    token = await token_for(tenant_a, "payroll_preparer", subject=f"screenshots-prep-{country.lower()}")
    preparer = bearer(token)
    recorded = await client.post(f"/v1/employees/{employee.id}/tax-attributes", headers=preparer, json={
        "country": country, "effective_from": "2026-01-01", "attributes": attributes})
    assert recorded.status_code == 201, recorded.text
    group = (await client.post("/v1/pay-groups", headers=preparer, json={
        "legal_entity_id": str(entity.id), "name": f"{country} monthly {uuid.uuid4().hex[:4]}",
        "rule": {"frequency": "monthly", "pay_day": 25, "country": country}})).json()
    run = (await client.post("/v1/pay-runs", headers=preparer, json={
        "pay_group_id": group["id"], "year": 2026, "period": 11})).json()
    kind, amount = extra
    added = await client.post(f"/v1/pay-runs/{run['id']}/inputs", headers=preparer, json={
        "employee_id": str(employee.id), "kind": kind, "amount": amount})
    assert added.status_code == 201, added.text
    assert (await client.post(f"/v1/pay-runs/{run['id']}/calculation", headers=preparer)).status_code == 202
    await wait_for_jobs()
    calculated = (await client.get(f"/v1/pay-runs/{run['id']}", headers=preparer)).json()
    assert calculated["state"] == "calculated", calculated["job_error"]
    [slip] = (await client.get(f"/v1/pay-runs/{run['id']}/payslips", headers=preparer)).json()["items"]
    pages = await _pages(client, "GET", f"/v1/payslips/{slip['id']}/document", token)
    problems = await _photographed(browser, f"payslip-{country.lower()}", pages)
    assert not problems, "\n".join(problems)
