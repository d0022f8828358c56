"""What `q` finds: the terms a lead is stored with and the terms a query asks for.

A lead carries `search_terms`, a bounded array of normalized word prefixes of its name, company,
email and phone, plus its lead number, kept by every write that changes them (like the contact
keys of domain/contacts.py) and indexed as a multikey index. A query is split the same way and
every one of its words must start a word of the lead, so `gra hop` finds "Grace Hopper" and
"Hopper, Grace", `zoe` finds "Zoë", and `LEAD-202611-00042`, `00042` or `42` find that lead.
One definition, here, for the writes, the start-up back-fill and the queries.

Each stored term is an index key carrying the lead's `created_at` and `uid`, so the terms are
kept few (definition 2; definition 1 stored ~86 a lead, this one ~49):
- a word stores its prefixes at the lengths of PREFIX_LENGTHS only, and itself whole; a query
  word of another length looks up its longest stored prefix and is checked whole on the lead
  (CHECK: some stored word starts with it), so what it finds is unchanged;
- only name and company words store 1- and 2-character prefixes (a quick jump's first
  keystrokes); a query word of 1 or 2 characters next to a longer one is only checked on the
  leads the longer one finds, so `555 01` still finds a phone's `0100`;
- an email stores `local@` and `local@first-label` (`ann.lee@`, `ann.lee@example`) and its
  words, not every prefix of its domain; a phone stores its digits, its digits without the
  first group, and its groups, each as a word (from 3 digits); the lead number its uid and
  its number with and without leading zeros, each as a word;
- a phone also stores its endings of PHONE_RUN digits or more, whole (definition 3), so a
  query that is a phone number, however it is grouped (`+1 415 555 0100`, `(415) 555-0100`,
  `555-0100`), is one run of digits looked up by that run itself: the leads holding it are the
  leads with that number, however many leads there are (definition 2 walked its longest
  group, `0100`, which one number in 10,000 ends with).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .contacts import email_key, phone_key

# Bumped whenever search_terms() changes what it stores: leads stored with an older definition
# are given the new terms at start-up (store.leads.fill_missing_search_terms).
SEARCH_TERMS_VERSION = 3
# A word contributes its prefixes up to this many characters; a longer query word is cut to it
# (so it may also find words that share those first characters).
MAX_PREFIX = 12
# The prefix lengths stored (besides the whole word): every length up to 4, every other one
# after, so a query word costs at most one more character of keys walked.
PREFIX_LENGTHS = (1, 2, 3, 4, 6, 8, 10, 12)
# Words of email addresses, phones and numbers store no prefix shorter than this (a word
# shorter than it is stored whole).
MIN_PREFIX = 3
# The whole array is cut to this many terms and characters (the most useful terms first): at
# most 2 KB of BSON a lead; a typical lead has 40 to 60 terms, 0.6 to 0.8 KB.
MAX_TERMS = 96
MAX_TERM_CHARS = 1_200
MAX_TERM_LENGTH = 96
# Digit groups of a query adding up to this many digits are read as one phone number (a local
# number has 7 digits in North America, 6 to 8 in most countries); a phone stores its endings
# from this length.
PHONE_RUN = 7
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


def _prefixes(word: str, shortest: int = 1) -> list[str]:
    """The stored prefixes of `word`: those of PREFIX_LENGTHS from `shortest` on, and the word
    itself (cut to MAX_PREFIX)."""
    whole = word[:MAX_PREFIX]
    cut = [word[:length] for length in PREFIX_LENGTHS if shortest <= length < len(whole)]
    return [*cut, whole]


def _stored_prefix(word: str) -> str:
    """The longest prefix of a query word sure to be stored for every word it starts."""
    return word[: max(length for length in PREFIX_LENGTHS if length <= len(word))]


def _email_terms(email: str | None) -> list[str]:
    key = email_key(email)
    if key is None or "@" not in key:
        return []
    local, _, domain = fold(key).partition("@")
    label = domain.split(".", 1)[0]
    if not local or len(local) + 1 + len(label) > MAX_TERM_LENGTH:
        return []
    return [f"{local}@", f"{local}@{label}"] if label else [f"{local}@"]


def _number_terms(uid: str) -> list[str]:
    match = _UID.match(uid.casefold())
    if match is None:
        return [uid.casefold()]
    number = match.group(2)
    bare = number.lstrip("0") or "0"
    return [uid.casefold(), *_prefixes(number, MIN_PREFIX), *_prefixes(bare, MIN_PREFIX)]


def _phone_terms(phone: str | None) -> list[str]:
    key = phone_key(phone)
    if key is None:
        return []
    digits = key.lstrip("+")
    groups = words(phone)
    # The digits typed without spaces, the digits after the first group (the number without
    # its country or area code), and each group as written.
    runs = [digits, "".join(groups[1:])] if len(groups) > 1 else [digits]
    # Its endings whole (no prefixes: a run typed from the start is a prefix of `digits`),
    # however the number was grouped when stored.
    endings = [digits[-length:] for length in range(PHONE_RUN, min(len(digits), MAX_PREFIX + 1))]
    return [
        digits,
        *(prefix for run in [*runs, *groups] for prefix in _prefixes(run, MIN_PREFIX)),
        *endings,
    ]


def search_terms(
    *, uid: str, name: str, company: str | None, email: str | None, phone: str | None
) -> list[str]:
    """The stored terms of a lead: exact keys first, then name, company, email and phone word
    prefixes, without repeats, at most MAX_TERMS of MAX_TERM_CHARS characters in all."""
    ordered: Iterable[str] = [
        *_number_terms(uid),
        *_email_terms(email),
        *(prefix for word in words(name) for prefix in _prefixes(word)),
        *(prefix for word in words(company) for prefix in _prefixes(word)),
        *(prefix for word in words(email) for prefix in _prefixes(word, MIN_PREFIX)),
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


@dataclass(frozen=True)
class SearchQuery:
    """What a lead must hold to match a query.

    `terms`: stored terms it must hold, the most selective first (the index walks the first
    and the others are checked on each lead it finds); empty when the query has no word at all
    (it finds nothing). `starts`: words that must each start one of its stored words, checked
    on the leads the terms find (never walked). `run`: a phone number in the query, as the
    stored terms of which it must hold one (the digits whole, a phone's ending, and their
    longest stored prefix, a number being typed); walked instead of `terms` when there is one."""

    terms: tuple[str, ...]
    starts: tuple[str, ...] = ()
    run: tuple[str, ...] = ()


def _email_query(folded: str) -> tuple[str, list[str]] | None:
    """A query token with an '@': its stored `local@` or `local@label` term, and the words
    after it to check as words."""
    local, at, domain = folded.partition("@")
    if not (at and local):
        return None
    label, dot, rest = domain.partition(".")
    if dot and label:
        return f"{local}@{label}"[:MAX_TERM_LENGTH], _WORD.findall(rest)
    return f"{local}@"[:MAX_TERM_LENGTH], _WORD.findall(domain)


def _phone_run(found: list[str | None]) -> tuple[str, list[str]] | None:
    """The first run of consecutive digit groups in the query's words (None between tokens
    that break a run) holding PHONE_RUN digits or more, joined; and the words left."""
    start = 0
    while start < len(found):
        end = start
        while end < len(found) and (found[end] or "x").isdigit():
            end += 1
        digits = "".join(word or "" for word in found[start:end])
        if len(digits) >= PHONE_RUN:
            rest = [word for word in found[:start] + found[end:] if word is not None]
            return digits[:MAX_PREFIX], rest
        start = end + 1
    return None


@lru_cache(maxsize=256)
def query_terms(query: str) -> SearchQuery:
    """What `query` asks of a lead. A whole lead uid and the address part of a token with an
    '@' are one term each, walked first; digit groups adding up to PHONE_RUN digits are one
    phone number, walked by its stored terms (`run`), the other words then only checked; other
    words are looked up by their longest stored prefix, longest word first, and checked whole
    when that prefix is shorter. Words of 1 or 2 characters are terms only when the query has
    no longer one."""
    exact: dict[str, None] = {}
    found: list[str | None] = []
    for token in query.split():
        folded = fold(token)
        if _UID.match(folded):
            exact[folded] = None
            found.append(None)
            continue
        email = _email_query(folded)
        if email is not None:
            exact[email[0]] = None
            found += [None, *email[1], None]
        else:
            found += _WORD.findall(folded)
    phone = _phone_run(found)
    others = phone[1] if phone else [word for word in found if word is not None]
    asked = sorted(dict.fromkeys(word[:MAX_PREFIX] for word in others), key=len, reverse=True)
    asked = asked[: max(0, MAX_QUERY_WORDS - len(exact) - (1 if phone else 0))]
    short = not exact and not phone and all(len(word) < MIN_PREFIX for word in asked)
    terms = dict(exact)
    starts: dict[str, None] = {}
    run: tuple[str, ...] = ()
    if phone is not None:
        digits = phone[0]
        run = tuple(dict.fromkeys([digits, _stored_prefix(digits)]))
        if len(run) > 1:
            starts[digits] = None
    for word in asked:
        if phone is not None or (len(word) < MIN_PREFIX and not short):
            # Checked on what the run (or a longer word) walks: a word of 3 characters or
            # more starts a stored word exactly when it starts one of its stored prefixes.
            starts[word] = None
            continue
        stored = _stored_prefix(word)
        terms[stored] = None
        if stored != word:
            starts[word] = None
    return SearchQuery(terms=tuple(list(terms)[:MAX_QUERY_WORDS]), starts=tuple(starts), run=run)


@lru_cache(maxsize=256)
def exact_keys(query: str) -> tuple[str | None, str | None, str | None]:
    """(email key, phone key, lead uid) the whole query would equal, for ranking exact hits
    first; None where it cannot be one."""
    text = query.strip()
    email = email_key(text) if "@" in text and " " not in text else None
    phone = phone_key(text) if _PHONE_LIKE.match(text) else None
    uid = text.upper() if _UID.match(text.casefold()) else None
    return email, phone, uid


def _same_phone(asked: str, stored: str | None) -> bool:
    if stored is None:
        return False
    if asked.startswith("+"):
        return asked == stored
    return len(asked) >= PHONE_RUN and stored.endswith(asked)


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
    """THE relevance of a found lead: 0 when the whole query is its email, phone (or the end
    of its phone, a number typed without its country or area code), uid or lead number; 1 when
    every query word starts a word of its name; 2 otherwise."""
    email, phone, exact_uid = exact_keys(query)
    text = query.strip()
    if (
        (email is not None and email == email_key)
        or (phone is not None and _same_phone(phone, phone_key))
        or (exact_uid is not None and exact_uid == uid)
        or (text.isdigit() and lead_number(uid) == (text.lstrip("0") or "0"))
    ):
        return 0
    asked = _asked(query)
    named = words(name)
    if asked and all(any(word.startswith(part) for word in named) for part in asked):
        return 1
    return 2
