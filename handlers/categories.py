"""The categories offers, requests and commitments fall into (DOMAIN.md), and guessing one from text."""

from __future__ import annotations

import re

# slug: (label, words that suggest it)
CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "specialist-staff": (
        "Specialist staff",
        (
            "teacher",
            "teachers",
            "specialist",
            "tutor",
            "latin",
            "physics",
            "chemistry",
            "biology",
            "maths",
            "further",
            "languages",
            "music",
        ),
    ),
    "staff-development": (
        "Staff development",
        ("training", "cpd", "inset", "development", "ect", "nqt", "workshop", "course"),
    ),
    "facilities": (
        "Sports and arts facilities",
        (
            "lab",
            "laboratory",
            "pitch",
            "hall",
            "theatre",
            "pool",
            "studio",
            "gym",
            "astro",
            "facilities",
            "room",
            "court",
        ),
    ),
    "enrichment": (
        "Shared enrichment",
        (
            "club",
            "trip",
            "enrichment",
            "competition",
            "debate",
            "drama",
            "choir",
            "concert",
            "olympiad",
            "lecture",
            "practical",
            "practicals",
        ),
    ),
    "primary-visits": (
        "Primary visits and transition",
        ("year", "primary", "transition", "visit", "visits", "taster"),
    ),
    "mentoring": ("Mentoring and coaching", ("mentor", "mentoring", "coaching", "coach")),
    "ambassadors": ("Sixth-form ambassadors", ("ambassador", "ambassadors", "sixth", "prefects", "leaders")),
    "course-planning": (
        "Joint course planning",
        ("curriculum", "scheme", "planning", "a-level", "gcse", "syllabus", "options"),
    ),
    "quality-assurance": (
        "Joint quality assurance",
        ("moderation", "moderate", "quality", "review", "marking", "assurance"),
    ),
    "shared-services": (
        "Joint purchasing and shared services",
        ("minibus", "transport", "purchasing", "procurement", "catering", "bus", "lift"),
    ),
    "advice": (
        "Common application and advice",
        ("careers", "ucas", "application", "applications", "advice", "interview", "interviews"),
    ),
    "parents": ("Parents' events", ("parents", "parent", "families", "carers")),
    "other": ("Other", ()),
}

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_EXPLICIT = re.compile(r"^\s*\[([^\]]{1,40})\]\s*")


def label(slug: str) -> str:
    return CATEGORIES.get(slug, CATEGORIES["other"])[0]


def find(name: str) -> str | None:
    """A category from its slug or the start of its label, ignoring case (`staff dev` -> staff-development)."""
    key = name.strip().lower().replace(" ", "-")
    for slug, (text, _) in CATEGORIES.items():
        if key == slug or text.lower().replace(" ", "-").startswith(key) or slug.startswith(key):
            return slug
    return None


def guess(text: str) -> str:
    """The category whose words the text uses most; `other` when none fit."""
    words = set(_WORD.findall(text.lower()))
    scores = {slug: len(words.intersection(hints)) for slug, (_, hints) in CATEGORIES.items()}
    best = max(scores, key=lambda slug: scores[slug])
    return best if scores[best] else "other"


def split_explicit(text: str) -> tuple[str | None, str]:
    """`[mentoring] two sixth formers` -> (`[mentoring]`'s slug or None if unknown, the rest)."""
    found = _EXPLICIT.match(text)
    if not found:
        return None, text
    return found.group(1), text[found.end() :]
