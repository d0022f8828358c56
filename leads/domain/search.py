"""What `q` finds: the terms a lead is stored with and the terms a query asks for.

A lead carries `search_terms`, a bounded array of normalized word prefixes of its name, company,
email and phone, plus its lead number, kept by every write that changes them (like the contact
keys of domain/contacts.py) and indexed as a multikey index. A query is split the same way and
every one of its words must be a prefix of a stored word (`$all`), so `gra hop` finds
"Grace Hopper" and "Hopper, Grace", `zoe` finds "Zoë", and `LEAD-202611-00042`, `00042` or `42`
find that lead. One definition, here, for the writes, the start-up backfill and the queries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from .contacts import email_key, phone_key

# A word contributes its prefixes up to this many characters; a longer query word is cut to it
# (so it may also find words that share those first characters).
MAX_PREFIX = 12
# After the '@', an email is stored as prefixes of the whole address up to this many characters
# of its domain: `ann.lee@exa` is one selective term instead of three common words.
MAX_DOMAIN_PREFIX = 24
# The whole array is cut to this many terms and characters (the most useful terms first): at
# most 2 KB of BSON a lead; a typical lead has 50 to 90 terms, 0.7 to 1.5 KB.
MAX_TERMS = 96
MAX_TERM_CHARS = 1_200
MAX_TERM_LENGTH = 96
# How many words of a query take part; more only narrows what a few already found.
MAX_QUERY_WORDS = 6

_WORD = re.compile(r"[^\W_]+")
_UID = re.compile(r"^lead-(\d{6})-(\d+)$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{5,}$")


def fold(text: str) -> str:
    """Lower case without accents: `Zoë Ångström` -> `zoe angstrom`."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold()


def words(text: str | None) -> list[str]:
    """The alphanumeric runs of `text`, folded."""
    return _WORD.findall(fold(text)) if text else []


def _prefixes(word: str, longest: int = MAX_PREFIX) -> list[str]:
    return [word[:length] for length in range(1, min(len(word), longest) + 1)]


def _email_terms(email: str | None) -> list[str]:
    key = email_key(email)
    if key is None or "@" not in key:
        return []
    folded = fold(key)
    if len(folded) > MAX_TERM_LENGTH:
        return []
    local, _, domain = folded.partition("@")
    if not local:
        return []
    start = len(local) + 1
    return [folded[:end] for end in range(start, start + min(len(domain), MAX_DOMAIN_PREFIX) + 1)]


def _email_keys(email: str | None) -> list[str]:
    key = email_key(email)
    if key is None:
        return []
    local, _, domain = fold(key).partition("@")
    return [fold(key), local, domain]


def _number_terms(uid: str) -> list[str]:
    match = _UID.match(uid.casefold())
    if match is None:
        return [uid.casefold()]
    number = match.group(2)
    return [uid.casefold(), *_prefixes(number), *_prefixes(number.lstrip("0") or "0")]


def _phone_terms(phone: str | None) -> list[str]:
    key = phone_key(phone)
    if key is None:
        return []
    digits = key.lstrip("+")
    groups = words(phone)
    # Prefixes of all the digits (typed without spaces), of the digits after the first group
    # (the number without its country or area code), and of each group as written.
    national = "".join(groups[1:])
    return [
        digits,
        *_prefixes(digits, 15),
        *(_prefixes(national, 15) if len(groups) > 1 else []),
        *(prefix for group in groups for prefix in _prefixes(group)),
    ]


def search_terms(
    *, uid: str, name: str, company: str | None, email: str | None, phone: str | None
) -> list[str]:
    """The stored terms of a lead: exact keys first, then name, company, email and phone word
    prefixes, without repeats, at most MAX_TERMS of MAX_TERM_CHARS characters in all."""
    ordered: Iterable[str] = [
        *_number_terms(uid),
        *_email_keys(email),
        *(prefix for word in words(name) for prefix in _prefixes(word)),
        *(prefix for word in words(company) for prefix in _prefixes(word)),
        *_email_terms(email),
        *(prefix for word in words(email) for prefix in _prefixes(word)),
        *_phone_terms(phone),
    ]
    terms: dict[str, None] = {}
    budget = MAX_TERM_CHARS
    for term in ordered:
        kept = term[:MAX_TERM_LENGTH]
        if len(terms) == MAX_TERMS or len(kept) > budget:
            break
        if kept and kept not in terms:
            terms[kept] = None
            budget -= len(kept)
    return list(terms)


def query_terms(query: str) -> list[str]:
    """The terms every matching lead holds, longest (most selective) first: the index walks the
    first and checks the others. A whole lead uid or a token with an '@' is one term; other
    tokens are split into words. Empty when the query has no word at all (it finds nothing)."""
    found: dict[str, None] = {}
    for token in query.split():
        folded = fold(token)
        if _UID.match(folded):
            found[folded] = None
            continue
        local, at, domain = folded.partition("@")
        if at and local:
            found[folded[: len(local) + 1 + MAX_DOMAIN_PREFIX][:MAX_TERM_LENGTH]] = None
            continue
        for word in _WORD.findall(folded):
            found[word[:MAX_PREFIX]] = None
    ranked = sorted(found, key=len, reverse=True)
    return ranked[:MAX_QUERY_WORDS]


@lru_cache(maxsize=256)
def exact_keys(query: str) -> tuple[str | None, str | None, str | None]:
    """(email key, phone key, lead uid) the whole query would equal, for ranking exact hits
    first; None where it cannot be one."""
    text = query.strip()
    email = email_key(text) if "@" in text and " " not in text else None
    phone = phone_key(text) if _PHONE_LIKE.match(text) else None
    uid = text.upper() if _UID.match(text.casefold()) else None
    return email, phone, uid


def lead_number(uid: str) -> str | None:
    """The number part of a lead uid without its leading zeros (`42`), when it has one."""
    match = _UID.match(uid.casefold())
    return (match.group(2).lstrip("0") or "0") if match else None


@lru_cache(maxsize=256)
def _asked(query: str) -> tuple[str, ...]:
    return tuple(word[:MAX_PREFIX] for word in words(query))


def hit_rank(
    query: str, *, uid: str, name: str, email_key: str | None, phone_key: str | None
) -> int:
    """THE relevance of a found lead: 0 when the whole query is its email, phone, uid or lead
    number; 1 when every query word starts a word of its name; 2 otherwise."""
    email, phone, exact_uid = exact_keys(query)
    text = query.strip()
    if (
        (email is not None and email == email_key)
        or (phone is not None and phone == phone_key)
        or (exact_uid is not None and exact_uid == uid)
        or (text.isdigit() and lead_number(uid) == (text.lstrip("0") or "0"))
    ):
        return 0
    asked = _asked(query)
    named = words(name)
    if asked and all(any(word.startswith(part) for word in named) for part in asked):
        return 1
    return 2
