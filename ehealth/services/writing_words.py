"""The organisation's own words to avoid in its modules, next to the built-in list.

The writing checks (``ehealth.content.writing``) warn about words such as "klacht" or "patiënt"
and offer a kinder alternative. An organisation adds words of its own (its jargon, words its
clients told it they dislike); they are stored on ``Organisation.avoid_words`` and checked in
the editor with the same inflection rules as the built-in ones. Admins keep the list; every
change is audited.
"""

from __future__ import annotations

from typing import Any

from ehealth.content.writing import AVOID_WORDS, AvoidWord
from ehealth.database import write_transaction
from ehealth.models import Organisation, Role, User
from ehealth.services import audit

LANGUAGES = ("nl", "en")
MAX_WORDS = 200
MAX_WORD_LENGTH = 60
MAX_ALTERNATIVE_LENGTH = 200


class InvalidWord(Exception):
    """The word cannot be added; ``reason`` names what is wrong (``empty``, ``too_long``, …)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotAnAdmin(Exception):
    """Only the organisation's admins keep its list of words."""


def _entries(organisation: Organisation) -> list[dict[str, Any]]:
    return [entry for entry in (organisation.avoid_words or []) if isinstance(entry, dict)]


def words_of(organisation: Organisation) -> list[AvoidWord]:
    """The organisation's own words to avoid, as the writing checks take them."""
    words = []
    for entry in _entries(organisation):
        language, word, alternative = (entry.get("language"), entry.get("word"),
                                       entry.get("alternative"))
        if (language in LANGUAGES and isinstance(word, str) and word.strip()
                and isinstance(alternative, str)):
            words.append(AvoidWord(language, word.strip(), alternative.strip()))
    return words


def _clean(text: str, limit: int) -> str:
    if any(ord(char) < 32 for char in text):
        raise InvalidWord("control_characters")
    text = " ".join(text.split())
    if not text:
        raise InvalidWord("empty")
    if len(text) > limit:
        raise InvalidWord("too_long")
    return text


def _require_admin(user: User) -> Organisation:
    if user.role != Role.ADMIN or not user.active:
        raise NotAnAdmin()
    organisation: Organisation = Organisation.get_by_id(user.__data__["organisation"])
    return organisation


def add_word(admin: User, language: str, word: str, alternative: str) -> AvoidWord:
    """Add a word to avoid, with its kinder alternative, to the admin's organisation."""
    organisation = _require_admin(admin)
    if language not in LANGUAGES:
        raise InvalidWord("language")
    word = _clean(word, MAX_WORD_LENGTH)
    alternative = _clean(alternative, MAX_ALTERNATIVE_LENGTH)
    entries = _entries(organisation)
    known = [(e.get("language"), str(e.get("word", "")).casefold()) for e in entries]
    built_in = [(w.language, w.word.casefold()) for w in AVOID_WORDS]
    if (language, word.casefold()) in known + built_in:
        raise InvalidWord("duplicate")
    if len(entries) >= MAX_WORDS:
        raise InvalidWord("too_many")
    with write_transaction():
        organisation.avoid_words = [*entries, {"language": language, "word": word,
                                               "alternative": alternative}]
        organisation.save()
        audit.record(admin, "organisation.avoid_word_added", object_type="organisation",
                     object_id=organisation.get_id())
    return AvoidWord(language, word, alternative)


def remove_word(admin: User, index: int) -> None:
    """Remove the organisation's word at ``index`` (as listed; InvalidWord if there is none)."""
    organisation = _require_admin(admin)
    entries = _entries(organisation)
    if not 0 <= index < len(entries):
        raise InvalidWord("unknown")
    with write_transaction():
        organisation.avoid_words = entries[:index] + entries[index + 1:]
        organisation.save()
        audit.record(admin, "organisation.avoid_word_removed", object_type="organisation",
                     object_id=organisation.get_id())
