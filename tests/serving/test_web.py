"""The web page in a real browser: Debian's chromium, driven by Playwright, against the real API server.

Never `playwright install`: the tests use /usr/bin/chromium (`apt-get install -y chromium`, done by
.ci/run). The screenshot of the answered page is saved in the test's tmp_path; its path is printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ANSWER_TIMEOUT_MS = 300_000  # the model answers in seconds; this only stops a hang


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        require(f"No chromium at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, api_server):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{api_server.url}/")
    expect(page.locator("#health")).to_contain_text("ready")
    yield page
    page.close()


def test_asking_shows_the_answer_table_the_token_view_and_the_learning_curve(page, tmp_path):
    from playwright.sync_api import expect

    page.fill("#question", "Virat Kohli's ODI runs in 2018")
    page.check("#converge")
    page.click("#ask")
    rows = page.locator("#result tbody tr")
    expect(rows.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#error")).to_be_hidden()
    expect(rows.first.locator("td").first).to_have_text("Virat Kohli")
    expect(page.locator("#result thead")).to_contain_text("runs")
    expect(page.locator("#description")).not_to_be_empty()
    expect(page.locator("#summary")).to_contain_text("Virat Kohli: runs")  # the answer in words, first
    # How it was answered: folded away for a fan, one click for whoever wants it.
    expect(page.locator("#dsl")).to_be_hidden()
    page.click("#how > summary")
    expect(page.locator("#dsl")).to_contain_text('player "Virat Kohli"')

    # The token view: one shaded span per DSL token; hovering one shows its alternatives and entropy.
    tokens = page.locator("#tokens .token")
    assert tokens.count() >= 5
    assert "Kohli" in "".join(tokens.all_text_contents())
    probs = [float(p) for p in tokens.evaluate_all("spans => spans.map(s => s.dataset.prob)")]
    shades = set(tokens.evaluate_all("spans => spans.map(s => s.style.backgroundColor)"))
    assert all(0 < p <= 1 for p in probs) and len(shades) > 1  # shaded by probability
    least_sure = tokens.nth(probs.index(min(probs)))
    least_sure.hover()
    tip = page.locator("#token-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("entropy")
    assert tip.locator("tr").count() >= 2  # the top alternatives

    # The convergence curve: one point per k = 0..8 (fewer if fewer examples were used).
    expect(page.locator("#convergence svg polyline")).to_be_visible()
    assert 2 <= page.locator("#convergence svg circle").count() <= 9
    # The linked mentions and the examples used, with their similarity.
    expect(page.locator("#mentions")).to_contain_text("Virat Kohli")
    assert page.locator("#examples tbody tr").count() >= 1

    screenshot = tmp_path / "askcric-answer.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")


ARTIFACTS = Path(__file__).parents[2] / "analysis" / "output" / "screenshots"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_by_year_answer_shows_its_sentence_and_a_chart_at_desktop_and_phone_width(browser, api_server, width):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{api_server.url}/")
        page.fill("#question", "Virat Kohli ODI runs by year")
        page.click("#ask")
        expect(page.locator("#chart svg")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(page.locator("#summary")).to_contain_text("Virat Kohli")
        expect(page.locator("#chart")).to_contain_text("2018")  # an axis label from the answer's rows
        chart_box = page.locator("#chart").bounding_box()
        assert chart_box["width"] <= width  # no sideways scrolling on a phone
        # Written where a reviewer looks (kept out of git): the page at each width.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"askcric-by-year-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")
    finally:
        page.close()


def test_the_empty_page_offers_questions_of_each_kind_and_remembers_recent_ones(page):
    from playwright.sync_api import expect

    kinds = page.locator("#showcase .kind")
    expect(kinds.first).to_be_visible()
    assert kinds.count() >= 6
    expect(page.locator("#showcase")).to_contain_text("Partnerships")
    first = page.locator("#showcase .chip").first
    question = first.text_content()
    first.click()
    expect(page.locator("#question")).to_have_value(question)
    expect(page.locator("#status")).to_contain_text("HTTP", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#start")).to_be_hidden()
    page.reload()
    expect(page.locator("#recent .chip").first).to_have_text(question)  # kept in this browser


def test_a_refused_question_shows_its_error(page):
    from playwright.sync_api import expect

    page.fill("#question", "what is the capital of France")
    page.click("#ask")
    expect(page.locator("#error")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#error-kind")).to_have_text("out_of_domain")
    expect(page.locator("#status")).to_contain_text("422")
    expect(page.locator("#answer")).to_be_hidden()


def test_notes_show_under_the_answer_and_alternatives_re_ask(page):
    from playwright.sync_api import expect

    page.fill("#question", "best strike rate in IPL 2020")
    page.click("#ask")
    alternatives = page.locator("#alternatives button")
    expect(alternatives.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#how-margin")).to_contain_text("another reading came close")
    expect(page.locator("#dsl")).to_contain_text("batting")
    picked = alternatives.first.get_attribute("title")
    alternatives.first.click()
    expect(page.locator("#dsl")).to_have_text(picked, timeout=ANSWER_TIMEOUT_MS)

    page.fill("#question", "most sixes in ODIs")
    page.click("#ask")
    expect(page.locator("#notes .note.coverage").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#notes")).to_contain_text("Afghanistan")


def test_right_and_wrong_buttons_store_the_fans_verdict_for_review(page, api_server):
    import sqlite3

    from playwright.sync_api import expect

    question = "best strike rate in IPL 2021"
    page.fill("#question", question)
    page.click("#ask")
    expect(page.locator("#dsl")).not_to_be_empty(timeout=ANSWER_TIMEOUT_MS)
    answered = page.locator("#dsl").text_content()
    page.click("#right")
    expect(page.locator("#feedback-status")).to_contain_text("a reviewer looks at it")

    page.click("#wrong")
    choice = page.locator("#correct-choices button").first
    expect(choice).to_be_visible()
    picked = choice.get_attribute("title")
    choice.click()
    expect(page.locator("#correct-dsl")).to_have_value(picked)
    page.click("#send-correction")
    expect(page.locator("#feedback-status")).to_contain_text("a reviewer looks at it")

    page.click("#wrong")
    page.fill("#correct-dsl", "batting ipl year 2021 not a query")
    page.click("#send-correction")
    expect(page.locator("#feedback-status")).to_contain_text("Not stored — syntax_error")

    with sqlite3.connect(api_server.log_dir / "taught.sqlite") as db:
        stored = db.execute("SELECT dsl, verdict, status FROM taught_pairs WHERE question = ? ORDER BY id",
                            (question,)).fetchall()
    assert stored == [(answered, "right", "pending"), (picked, "wrong", "pending")]


def test_a_follow_up_answers_the_narrowed_question(page):
    from playwright.sync_api import expect

    page.fill("#question", "Virat Kohli's ODI average against Australia since 2015")
    page.click("#ask")
    expect(page.locator("#dsl")).to_contain_text("odi", timeout=ANSWER_TIMEOUT_MS)
    page.fill("#question", "and in Tests?")
    page.click("#ask")
    expect(page.locator("#dsl")).to_have_text('batting player "Virat Kohli" test vs "Australia" since 2015 average',
                                               timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#notes")).to_contain_text("follow-up")


def test_an_unknown_name_offers_the_nearest_names_and_clicking_one_re_asks(page):
    from playwright.sync_api import expect

    page.fill("#question", "Kohly ODI runs")
    page.click("#ask")
    expect(page.locator("#error-kind")).to_have_text("unknown_name", timeout=ANSWER_TIMEOUT_MS)
    suggestion = page.locator("#suggestions button", has_text="Virat Kohli")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator("#question")).to_have_value("Virat Kohli ODI runs")
    expect(page.locator("#result tbody tr").first).to_contain_text("Virat Kohli", timeout=ANSWER_TIMEOUT_MS)


def test_the_page_states_the_coverage_in_the_readmes_words(page):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    stated = next(paragraph for paragraph in readme.split("\n\n") if paragraph.startswith("Coverage:"))
    stated = stated.replace("`askcric db info` prints the spans.", "")  # a command line, not for the page
    assert " ".join(page.locator("#coverage").text_content().split()) == " ".join(stated.split())
