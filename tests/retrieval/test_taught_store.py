"""The taught-pairs table on SQLite and PostgreSQL: duplicates, contradictions, review decisions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from retrieval.taught import TaughtError, TaughtIndex, TaughtStore, question_key

READING = 'batting player "Virat Kohli" test runs'
OTHER = 'batting player "Virat Kohli" runs'


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[TaughtStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'taught.sqlite'}"
    else:
        url = request.getfixturevalue("taught_pg_url")
    opened = TaughtStore(url)
    with opened.engine.begin() as conn:  # the PostgreSQL database is shared by the session
        conn.execute(text("DELETE FROM taught_pairs"))
    yield opened
    opened.close()


def test_the_same_question_compares_without_case_spacing_or_end_punctuation():
    assert question_key("  Kohli's runs   in WHITES?! ") == question_key("kohli's runs in whites")
    assert question_key("Kohli's runs in whites") != question_key("Kohli's runs in ODIs")


def test_feedback_waits_for_review_and_a_token_makes_it_live(store):
    pending = store.submit("Kohli runs in whites", READING, "wrong", accept=False, source="api")
    assert pending.new and pending.pair.status == "pending" and pending.pair.confirmations == 1
    assert store.pairs(("accepted",)) == []
    live = store.submit("Root runs in whites", READING.replace("Virat Kohli", "Joe Root"), "wrong", accept=True,
                        source="api")
    assert live.pair.status == "accepted" and live.pair.decided_at is not None
    assert [pair.id for pair in store.pairs(("accepted",))] == [live.pair.id]


def test_the_same_reading_sent_again_is_one_row_with_more_confirmations(store):
    first = store.submit("Kohli runs in whites", READING, "wrong", accept=False, source="api")
    again = store.submit("kohli runs in whites?", READING, "right", accept=False, source="api")
    assert not again.new and again.pair.id == first.pair.id and again.pair.confirmations == 2
    assert again.pair.question == "Kohli runs in whites"  # the first wording is kept
    assert len(store.pairs()) == 1


def test_contradicting_readings_are_both_kept_and_accepting_one_supersedes_the_other(store):
    one = store.submit("Kohli runs in whites", READING, "wrong", accept=True, source="cli")
    other = store.submit("Kohli runs in whites", OTHER, "wrong", accept=False, source="api")
    assert other.new and store.readings_per_question() == {question_key("Kohli runs in whites"): 2}
    decided = store.decide(other.pair.id, accept=True)
    assert decided.status == "accepted"
    statuses = {pair.id: pair.status for pair in store.pairs()}
    assert statuses == {one.pair.id: "superseded", other.pair.id: "accepted"}


def test_review_rejects_and_refuses_what_it_cannot_decide(store):
    report = store.submit("Kohli runs in whites", "", "wrong", accept=False, source="api")
    assert report.pair.dsl == "" and report.pair.status == "pending"
    with pytest.raises(TaughtError, match="no query to accept"):
        store.decide(report.pair.id, accept=True)
    assert store.decide(report.pair.id, accept=False).status == "rejected"
    with pytest.raises(TaughtError, match="no taught pair 999"):
        store.decide(999, accept=True)
    # A report with no query is never live, even sent with a token.
    assert store.submit("Root runs in whites", "", "wrong", accept=True, source="api").pair.status == "pending"


def test_the_index_finds_the_accepted_pairs_by_similarity(store):
    store.submit("Kohli runs in whites", READING, "wrong", accept=True, source="cli")
    store.submit("Bumrah wickets in the shortest format", 'bowling player "Jasprit Bumrah" t20i wickets', "wrong",
                 accept=True, source="cli")
    index = TaughtIndex(store.pairs(("accepted",)))
    assert len(index) == 2
    (nearest, score), (_, other_score) = index.nearest("Root runs in whites", 2)
    assert nearest.dsl == READING and other_score < score <= 1.0001
    assert TaughtIndex().nearest("anything", 3) == []
