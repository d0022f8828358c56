from __future__ import annotations

import bson

from leads.domain.search import (
    MAX_TERMS,
    SearchQuery,
    exact_keys,
    fold,
    hit_rank,
    query_terms,
    search_terms,
)


def _terms(**values: str | None) -> list[str]:
    fields: dict[str, str | None] = {
        "uid": "LEAD-202611-00042",
        "name": "Lead",
        "company": None,
        "email": None,
        "phone": None,
    }
    fields.update(values)
    return search_terms(
        uid=fields["uid"] or "",
        name=fields["name"] or "",
        company=fields["company"],
        email=fields["email"],
        phone=fields["phone"],
    )


def test_folding_drops_accents_and_case() -> None:
    assert fold("Zoë ÅNGSTRÖM Straße") == "zoe angstrom strasse"


def test_every_word_of_name_and_company_is_stored_with_its_prefixes() -> None:
    terms = _terms(name="Zoë Hopper", company="ACME-Works")
    assert {"z", "zo", "zoe", "h", "hopper", "acme", "w", "works"} <= set(terms)
    assert "zoë" not in terms


def test_the_lead_number_is_stored_whole_padded_and_bare() -> None:
    terms = _terms()
    assert {"lead-202611-00042", "00042", "42"} <= set(terms)


def test_an_email_is_stored_by_its_local_part_its_first_label_and_its_words() -> None:
    terms = _terms(email="Ann.Lee@Example.com")
    assert {"ann.lee@", "ann.lee@example", "ann", "lee", "example", "com"} <= set(terms)
    # Not every prefix of the domain: a typed domain is looked up by its words.
    assert not {"ann.lee@e", "ann.lee@exa", "ann.lee@example.c"} & set(terms)


def test_a_phone_is_stored_by_its_digits_and_its_groups() -> None:
    terms = _terms(phone="+1 (415) 555-0100")
    assert {"14155550100", "1415", "415", "555", "0100"} <= set(terms)


def test_the_terms_of_a_long_lead_are_bounded_in_number_and_bytes() -> None:
    long_name = " ".join(f"Word{n}longer" for n in range(40))
    terms = _terms(name=long_name, company=long_name, email="a" * 60 + "@" + "b" * 60 + ".com")
    assert len(terms) <= MAX_TERMS
    assert len(bson.encode({"search_terms": terms})) < 2_048
    # The most useful terms are kept: the number, the address, the first words of the name.
    assert {"42", "word0longer"} <= set(terms)


def test_a_query_is_split_into_words_longest_first() -> None:
    assert query_terms("Hopp  ACMEs, co") == SearchQuery(
        terms=("acme", "hopp"), starts=("acmes", "co")
    )
    assert query_terms("LEAD-202611-00042") == SearchQuery(terms=("lead-202611-00042",))
    assert query_terms("(.*)") == SearchQuery(terms=())


def test_an_address_in_a_query_is_walked_first_then_its_domain_words() -> None:
    assert query_terms("zed Ann.Lee@Exa") == SearchQuery(terms=("ann.lee@", "zed", "exa"))
    assert query_terms("ann.lee@example.co") == SearchQuery(
        terms=("ann.lee@example",), starts=("co",)
    )


def test_a_query_word_between_stored_lengths_is_looked_up_by_a_shorter_prefix_and_checked() -> None:
    assert query_terms("hoppe") == SearchQuery(terms=("hopp",), starts=("hoppe",))
    assert query_terms("41555") == SearchQuery(terms=("4155",), starts=("41555",))
    # Every prefix a query may look up is stored for any word.
    for word in ("hopper", "hopperton", "0100", "4155550100", "a" * 20):
        stored = set(_terms(name=word, phone=None))
        for length in range(1, len(word) + 1):
            asked = query_terms(word[:length])
            assert set(asked.terms) <= stored, word[:length]
            assert not asked.run or set(asked.run) & stored, word[:length]


def test_short_words_are_terms_alone_and_checks_next_to_a_longer_word() -> None:
    assert query_terms("gr ho") == SearchQuery(terms=("gr", "ho"))
    assert query_terms("555 01") == SearchQuery(terms=("555",), starts=("01",))
    assert query_terms("(415) 555") == SearchQuery(terms=("415", "555"))


def test_only_names_and_companies_store_prefixes_of_one_or_two_characters() -> None:
    terms = _terms(name="Zoë", company="Acme", email="quincy@example.com", phone="+1 415 555")
    assert {"z", "zo", "a", "ac"} <= set(terms)
    assert not {"q", "qu", "e", "ex", "4", "41", "5", "55"} & set(terms)
    # A word shorter than three characters is stored whole wherever it comes from.
    assert "1" in terms


def test_a_typical_lead_stores_half_the_terms_of_the_first_definition() -> None:
    terms = _terms(
        name="Hugo Yrhfc",
        company="Bniplt Software",
        email="hugo.yrhfc7@mail.example.org",
        phone="+1 207 555 0007",
    )
    # Definition 1 stored 87 for this lead: every prefix from one character, the address
    # with every prefix of its domain, three runs of phone digits from one digit. Definition 2
    # stored 49; definition 3 adds the phone's endings of 7 to 9 digits.
    assert len(terms) <= 52


def test_the_whole_query_is_compared_to_email_phone_and_uid_keys() -> None:
    assert exact_keys("Ann@Example.com") == ("ann@example.com", None, None)
    assert exact_keys("+1 415 555 0100") == (None, "+14155550100", None)
    assert exact_keys("lead-202611-00042") == (None, None, "LEAD-202611-00042")
    assert exact_keys("ann lee") == (None, None, None)


def test_exact_keys_rank_first_then_name_matches_then_the_rest() -> None:
    def rank(query: str, name: str = "Grace Hopper", email: str | None = None) -> int:
        return hit_rank(
            query, uid="LEAD-202611-00042", name=name, email_key=email, phone_key="+14155550100"
        )

    assert rank("g@navy.mil", email="g@navy.mil") == 0
    assert rank("+1 415 555 0100") == 0
    assert rank("LEAD-202611-00042") == 0
    assert rank("42") == 0
    assert rank("00042") == 0
    assert rank("hop gra") == 1
    assert rank("navy", email="g@navy.mil") == 2
    # A number typed without its country or area code is still its phone.
    assert rank("(415) 555-0100") == 0
    assert rank("555 0100") == 0
    assert rank("+44 415 555 0100") == 2
    assert rank("0100") == 2
    assert rank("4") == 2


def _finds(query: str, terms: list[str]) -> bool:
    """What the store's filter (store.leads.search_match) decides, on a lead's stored terms."""
    asked = query_terms(query)
    if not asked.terms and not asked.run:
        return False
    words = [term for term in terms if "@" not in term and "-" not in term]
    return (
        set(asked.terms) <= set(terms)
        and (not asked.run or bool(set(asked.run) & set(terms)))
        and all(any(word.startswith(start) for word in words) for start in asked.starts)
    )


def test_a_phone_stores_its_endings_of_seven_digits_or_more_whole() -> None:
    terms = _terms(phone="+1 (415) 555-0100")
    assert {"5550100", "55550100", "155550100", "4155550100", "14155550100"} <= set(terms)
    # Not their prefixes, nor shorter endings: a shorter run is looked up by its groups.
    assert not {"555010", "550100", "5555010"} & set(terms)


def test_a_phone_number_in_a_query_is_one_run_of_digits_walked_alone() -> None:
    assert query_terms("(415) 555-0100") == SearchQuery(terms=(), run=("4155550100",))
    assert query_terms("+1 415 555 0100") == SearchQuery(
        terms=(), starts=("14155550100",), run=("14155550100", "1415555010")
    )
    # The query's other words are checked on the leads the number finds.
    assert query_terms("Ann 555-0100") == SearchQuery(
        terms=(), starts=("5550100", "ann"), run=("5550100", "555010")
    )
    # Fewer than seven digits are groups, as before.
    assert query_terms("555 010") == SearchQuery(terms=("555", "010"))


def test_a_whole_phone_number_finds_its_lead_however_either_is_grouped() -> None:
    stored = ["+1 415 555 0100", "+14155550100", "+1-415-555-0100", "+1 (415) 5550100"]
    typed = [
        "+1 415 555 0100",
        "+14155550100",
        "1 415 555 0100",
        "(415) 555-0100",
        "415.555.0100",
        "4155550100",
        "555-0100",
        "555 0100",
        "Lead 555 0100",
    ]
    for phone in stored:
        terms = _terms(phone=phone)
        for query in typed:
            assert _finds(query, terms), (phone, query)
        assert not _finds("555 0101", terms)
        assert not _finds("(415) 555-0101", terms)
        assert not _finds("Zed 555 0100", terms)


def test_a_phone_number_being_typed_finds_its_lead_at_every_keystroke() -> None:
    terms = _terms(phone="+1 415 555 0100")
    typed = "+1 415 555 0100"
    # From the first group of three digits (a phone stores no shorter prefix).
    for length in range(len("+1 415"), len(typed) + 1):
        assert _finds(typed[:length], terms), typed[:length]
    other = _terms(phone="+1 415 556 0100")
    assert not _finds("+1 415 555 01", other)
