"""Guessing a listing's category from what it is about, not from who it is for."""

from __future__ import annotations

import pytest

from handlers import categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Cricket nets for Year 9 after school", "facilities"),  # not a primary visit because of "Year 9"
        ("Places on your INSET day for two colleagues", "staff-development"),
        ("A classics tutor for two GCSE pupils", "specialist-staff"),
        ("Moderation partner for KS2 writing", "quality-assurance"),
        ("Year 6 taster day in July", "primary-visits"),
        ("Someone to fix our piano", "other"),
    ],
)
def test_the_category_comes_from_what_the_listing_is_about(text: str, category: str) -> None:
    assert categories.guess(text) == category
