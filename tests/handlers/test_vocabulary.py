"""Reading school words: ideas and their synonyms, phrases before single words, filler never counting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import categories
from handlers.vocabulary import parse, school_words, with_own_words


def _ideas(text: str) -> list[tuple[str, str]]:
    return [(m.idea.name, m.written) for m in school_words().read(text)]


def test_synonyms_and_phrases_read_as_one_idea() -> None:
    assert _ideas("a classics tutor") == [("Latin", "classics"), ("teacher", "tutor")]
    assert _ideas("Our staff training day") == [("INSET", "staff training day")]
    assert _ideas("INSET in January") == [("INSET", "INSET"), ("spring term", "January")]
    assert _ideas("lane time in our pool") == [("pool", "lane time"), ("pool", "pool")]
    assert _ideas("Years 5 and 6, KS2") == [("KS2", "Years 5"), ("KS2", "KS2")]


def test_endings_and_plurals_do_not_matter_but_short_words_stay_whole() -> None:
    assert [name for name, _ in _ideas("invigilators, invigilation, invigilating")] == ["invigilator"] * 3
    assert _ideas("an AED") == [("defibrillator", "AED")]  # a stemmer would make it "a"
    assert _ideas("our Year 7s") == [("KS3", "Year 7s")]
    assert _ideas("physical disabilities") == [("SEND", "physical disabilities")]


def test_filler_says_nothing_and_other_words_stand_for_themselves() -> None:
    read = school_words().read("We'd love someone to help with a hydrotherapy session, please")
    assert [(m.idea.kind, m.idea.name, m.written) for m in read] == [("word", "hydrotherapi", "hydrotherapy")]


def test_an_offer_of_a_thing_also_offers_what_it_is_for() -> None:
    words = school_words()
    assert words.offered(["kiln"]) == {"kiln", "pottery", "art"}
    assert "pool" in words.offering(["swimming"])


def test_a_network_s_own_words_join_an_idea_kept_knows_or_make_a_new_one() -> None:
    own = with_own_words((("aquatics", "swimming"), ("Welsh", "Cymraeg")))
    assert [m.idea.name for m in own.read("aquatics and Cymraeg")] == ["swimming", "Welsh"]
    assert [m.idea.name for m in school_words().read("aquatics and Cymraeg")] == ["aquat", "cymraeg"]


def test_the_words_file_names_each_idea_once_and_refers_only_to_ideas_it_has() -> None:
    words = school_words()
    for name, more in words.also.items():
        assert {name, *more} <= words.ideas.keys(), name
    for slug, (_, ideas) in categories.CATEGORIES.items():
        assert set(ideas) <= words.ideas.keys(), slug
    with pytest.raises(ValueError, match="pool is in the words file twice"):
        parse("[place]\npool = pool\npool = lane\n")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_reads_without_error_and_every_idea_is_as_written(text: str) -> None:
    for mention in school_words().read(text):
        assert mention.written in text
        assert mention.idea.name not in school_words().filler
