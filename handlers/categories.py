"""The categories offers, requests and commitments fall into (DOMAIN.md), and guessing one from text."""

from __future__ import annotations

import re

from handlers.vocabulary import school_words

# slug: (label, the ideas in handlers/school_words.txt that suggest it)
CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "specialist-staff": ("Specialist staff", ("teacher", "cover", "language assistant", "technician", "examiner")),
    "staff-development": ("Staff development", ("INSET", "training", "conference", "early career framework")),
    "facilities": (
        "Sports and arts facilities",
        (
            "pool",
            "pitch",
            "court",
            "sports hall",
            "hall",
            "cricket nets",
            "track",
            "lab",
            "studio",
            "theatre",
            "practice rooms",
            "room",
            "garden",
            "sensory room",
            "kitchen",
            "DT workshop",
            "library",
            "field",
            "art room",
            "computer room",
            "exam hall",
            "outdoor centre",
        ),
    ),
    "enrichment": (
        "Shared enrichment",
        (
            "club",
            "trip",
            "competition",
            "debating",
            "choir",
            "ensemble",
            "concert",
            "show",
            "lecture",
            "fixtures",
            "exhibition",
            "expedition",
            "D of E",
            "science day",
            "forest school",
            "Model United Nations",
            "chess",
            "robotics",
            "residential",
            "workshop",
            "reading group",
        ),
    ),
    "primary-visits": ("Primary visits and transition", ("taster day", "transition")),
    "mentoring": ("Mentoring and coaching", ("mentor", "coach")),
    "ambassadors": ("Sixth-form ambassadors", ("ambassadors",)),
    "course-planning": ("Joint course planning", ("schemes of work",)),
    "quality-assurance": ("Joint quality assurance", ("moderation", "marking", "quality assurance")),
    "shared-services": (
        "Joint purchasing and shared services",
        ("transport", "purchasing", "catering", "IT support", "HR", "stationery", "furniture", "laptops"),
    ),
    "advice": (
        "Common application and advice",
        (
            "advice",
            "careers",
            "careers adviser",
            "careers fair",
            "interview practice",
            "university applications",
            "options",
            "SENCo",
            "therapist",
            "student finance",
            "Oxbridge",
        ),
    ),
    "parents": ("Parents' events", ("parents", "parents' evening", "coffee morning", "options evening", "translator")),
    "other": ("Other", ()),
}
_SUGGESTS = {idea: slug for slug, (_, ideas) in CATEGORIES.items() for idea in ideas}
_WEIGHT = {"what": 1.0, "who": 0.3, "when": 0.0}  # who a listing is for says less than what it is ("Year 9" nets)

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
    """The category the text's ideas suggest most, what it is about far above who it is for; `other` when none."""
    scores = dict.fromkeys(CATEGORIES, 0.0)
    for idea in {m.idea.name: m.idea for m in school_words().read(text)}.values():
        if idea.name in _SUGGESTS:
            scores[_SUGGESTS[idea.name]] += _WEIGHT[idea.role]
    best = max(scores, key=lambda slug: scores[slug])
    return best if scores[best] else "other"


def split_explicit(text: str) -> tuple[str | None, str]:
    """`[mentoring] two sixth formers` -> (`[mentoring]`'s slug or None if unknown, the rest)."""
    found = _EXPLICIT.match(text)
    if not found:
        return None, text
    return found.group(1), text[found.end() :]
