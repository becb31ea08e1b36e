"""Reference data the extractors rest on, as CSV files under gazetteer/data.

Each loader reads its file once per process (functools.cache) and returns
immutable structures, so extractors can call them on every document for free.
"""
from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath("data", name).open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def data_file(name: str):
    """A file of gazetteer/data (a Traversable: read_text, open)."""
    return resources.files(__package__).joinpath("data", name)


def csv_rows(name: str) -> list[dict[str, str]]:
    return _rows(name)


def fold(text: str) -> str:
    """Lower-case key for matching: NFC, Đ kept, old/new tone placement unified.

    `Uỷ ban` and `Ủy ban`, `hoà` and `hòa` fold to the same key.
    """
    # names and words repeat and are worth caching; whole texts would only fill the cache
    return _fold_short(text) if len(text) <= 200 else _fold(text)


@lru_cache(maxsize=1 << 16)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    return _unify_tones(unicodedata.normalize("NFC", text).lower())


# both tone placements of oa/oe/uy fold to one (the old style: hoà, Uỷ)
OLD_TONES = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}


def _unify_tones(text: str) -> str:
    for new, old in OLD_TONES.items():
        if new in text:
            text = text.replace(new, old)
    return text


@dataclass(frozen=True, slots=True)
class TypeCode:
    code: str
    name: str
    system: str  # state | party | both


@dataclass(frozen=True, slots=True)
class DocType:
    name: str
    variants: tuple[str, ...]
    codes: frozenset[str]  # type codes a document of this type may carry
    # "y": a bare number cites it (Nghị quyết 57); "so": only "số N" does, the word also
    # being a verb (Hướng dẫn 02 doanh nghiệp); "": never
    short_form: str
    by_name: bool  # may be cited by name (Luật Giá)


@dataclass(frozen=True, slots=True)
class IssuerCode:
    code: str
    body: str
    level: str
    system: str
    successor: str | None
    aliases: tuple[str, ...]


@cache
def type_codes() -> dict[str, tuple[TypeCode, ...]]:
    """Type code -> its meanings (TT is Thông tư in state codes, Thông tri in party codes)."""
    out: dict[str, list[TypeCode]] = {}
    for r in _rows("type_codes.csv"):
        out.setdefault(r["code"], []).append(TypeCode(r["code"], r["name"], r["system"]))
    return {k: tuple(v) for k, v in out.items()}


@cache
def type_code_keys() -> dict[str, str]:
    """Case- and diacritic-tolerant spelling -> canonical type code (Ctr -> CTr, QD -> QĐ)."""
    keys = {code.upper(): code for code in type_codes()}
    for code in type_codes():  # exact spellings win over Đ-less ones (ĐA/DA, HĐ/HD)
        keys.setdefault(_strip_d(code).upper(), code)
    return keys


def _strip_d(text: str) -> str:
    return text.replace("Đ", "D").replace("đ", "d")


def type_name(code: str, system: str | None = None) -> str | None:
    """Canonical type name of a type code, in the given system when it matters."""
    meanings = type_codes().get(code)
    if not meanings:
        return None
    for m in meanings:
        if system is None or m.system in (system, "both"):
            return m.name
    return meanings[0].name


@cache
def doc_types() -> dict[str, DocType]:
    """Canonical type name -> DocType."""
    out = {}
    for r in _rows("doc_types.csv"):
        out[r["name"]] = DocType(
            name=r["name"],
            variants=tuple(v for v in r["variants"].split("|") if v),
            codes=frozenset(c for c in r["codes"].split("|") if c),
            short_form=r["short_form"],
            by_name=r["by_name"] == "y",
        )
    return out


@cache
def type_words() -> dict[str, str]:
    """Folded written type word (incl. variants) -> canonical type name."""
    out = {}
    for doc_type in doc_types().values():
        for w in (doc_type.name, *doc_type.variants):
            out[fold(w)] = doc_type.name
    return out


@cache
def issuer_codes() -> dict[str, IssuerCode]:
    out = {}
    for r in _rows("issuer_codes.csv"):
        out[r["code"]] = IssuerCode(
            code=r["code"],
            body=r["body"],
            level=r["level"],
            system=r["system"],
            successor=r["successor"] or None,
            aliases=tuple(a for a in r["aliases"].split("|") if a),
        )
    return out


@cache
def laws() -> tuple[tuple[str, str], ...]:
    """(kind, name) of laws cited by name, longest names first."""
    rows = [(r["kind"], r["name"]) for r in _rows("laws.csv")]
    return tuple(sorted(rows, key=lambda kn: -len(kn[1])))


# --- provinces, agencies, known documents (see gazetteer/places.py for the matching logic) ---


@dataclass(frozen=True, slots=True)
class Province:
    name: str  # as it was before 1 July 2025
    unit: str  # tỉnh | thành phố
    after_2025: str  # the province it belongs to since the merger
    variants: tuple[str, ...]


@cache
def provinces() -> dict[str, Province]:
    """The 63 provinces before the 2025 merger, by name, with the one each belongs to now (34 in all)."""
    out = {}
    for r in _rows("provinces.csv"):
        out[r["name"]] = Province(r["name"], r["unit"], r["after_2025"], tuple(v for v in r["variants"].split(";") if v))
    return out


@dataclass(frozen=True, slots=True)
class AgencyName:
    canonical: str
    # central | province | district | commune | local (the level of the unit written after it:
    # UBND tỉnh / huyện / xã, Hội Nông dân xã ...)
    level: str
    # how a local body names its place: "tỉnh" (a unit word and a name: Sở Y tế tỉnh X, UBND huyện Y),
    # "name" (a province name right after: Tỉnh ủy X), "named" (any name right after: Huyện ủy X,
    # Ban Quản lý Khu kinh tế Dung Quất), "steering" (Ban Chỉ đạo + topic + place); "" for central bodies
    province_form: str
    kind: str  # party | legislature | government | ministry | ministry_unit | department | steering | mass_org | judicial | armed_forces
    aliases: tuple[str, ...]


@cache
def agency_names() -> tuple[AgencyName, ...]:
    return tuple(
        AgencyName(r["canonical"], r["level"], r["province_form"], r["kind"], tuple(a for a in r["aliases"].split(";") if a))
        for r in _rows("agencies.csv")
    )


@dataclass(frozen=True, slots=True)
class SteeringTopic:
    topic: str  # as a steering committee's name writes it after `về`
    spellings: tuple[str, ...]


@cache
def steering_topics() -> tuple[SteeringTopic, ...]:
    """What steering committees and working groups are about, with the ways reports abbreviate it."""
    return tuple(
        SteeringTopic(r["topic"], (r["topic"], *(s for s in r["spellings"].split(";") if s))) for r in _rows("steering_topics.csv")
    )


@cache
def count_nouns() -> tuple[str, ...]:
    """Nouns reports count (count_nouns.txt), longest first: the unit of `25 nhiệm vụ` is the longest that follows."""
    return tuple(sorted((w for _, w in _count_noun_lines()), key=len, reverse=True))


@cache
def count_nouns_by_first_word() -> dict[str, tuple[str, ...]]:
    """The counted nouns by their first word (`nhiệm` -> nhiệm vụ, ...), longest first: one look-up per number."""
    out: dict[str, list[str]] = {}
    for noun in count_nouns():
        out.setdefault(first_word(noun), []).append(noun)
    return {k: tuple(v) for k, v in out.items()}


def first_word(text: str) -> str:
    """The leading run of letters, digits and `&` (`thôn, bản` -> `thôn`, `kh&cn` -> `kh&cn`)."""
    end = 0
    while end < len(text) and (text[end].isalnum() or text[end] == "&"):
        end += 1
    return text[:end]


@cache
def classifiers() -> frozenset[str]:
    """Nouns that only count (con, đợt, lần): the unit is the classifier, the phrase after it says what."""
    return frozenset(w for section, w in _count_noun_lines() if section == "classifiers")


def _count_noun_lines() -> list[tuple[str, str]]:
    """(section, noun) of count_nouns.txt; a comment line `# classifiers: ...` opens the classifiers' section."""
    out, section = [], ""
    for line in data_file("count_nouns.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#"):
            section = line[1:].split(":")[0].strip()
        elif line:
            out.append((section, line))
    return out


@cache
def units() -> dict[str, tuple[str, str]]:
    """Written unit (lower case) -> (unit, kind): `Mbps` -> (`mbps`, `measure`), `đ` -> (`đồng`, `money`)."""
    out = {}
    for row in _rows("units.csv"):
        for written in [row["unit"], *(a for a in row["aliases"].split(";") if a)]:
            out[written.lower()] = (row["unit"], row["kind"])
    return out


@dataclass(frozen=True, slots=True)
class Indicator:
    """An indicator reports track across provinces and periods (online dossiers, budget revenue, ...)."""

    name: str  # canonical Vietnamese name: the value of quantities.indicator
    domain: str  # digital | science | socioeconomic | agriculture | social | health
    spellings: tuple[str, ...]  # lower case, as a measure phrase may contain them


@cache
def indicators() -> tuple[Indicator, ...]:
    return tuple(
        Indicator(r["indicator"], r["domain"], tuple(s for s in r["spellings"].split(";") if s)) for r in _rows("indicators.csv")
    )


@dataclass(frozen=True, slots=True)
class KnownDocument:
    code: str
    doc_type: str
    issued_date: dt.date
    issuer: str
    implements: str | None  # the code of the document it carries out, when known
    subject: str
    source: str  # where the fact comes from
    # what reports call it by (doc type, number), when not its own type and number: Đề án 06 is 06/QĐ-TTg
    short_forms: tuple[tuple[str, str], ...] = ()
    name: str | None = None  # laws: the name they are cited by (Tổ chức Chính phủ), with their date
    replaced_by: str | None = None  # the code of the document that replaced it
    replaced_on: dt.date | None = None  # the day the replacement took effect
    line: int = 0  # its line in known_documents.csv: where an auditor checks the fact


@cache
def known_documents() -> tuple[KnownDocument, ...]:
    """Central documents (the 57-NQ/TW family, others reports name by a short form, laws that were replaced)
    with their real dates, issuers and replacements.

    Looked up by code with extractors.codes.known_document (codes compare by its key).
    """
    return tuple(
        KnownDocument(
            r["code"], r["doc_type"], dt.date.fromisoformat(r["issued_date"]), r["issuer"], r["implements"] or None, r["subject"], r["source"],
            tuple(_short_form(f) for f in (r.get("short_forms") or "").split("|") if f.strip()),
            name=r.get("name") or None,
            replaced_by=r.get("replaced_by") or None,
            replaced_on=dt.date.fromisoformat(r["replaced_on"]) if r.get("replaced_on") else None,
            line=line,
        )
        for line, r in _numbered_rows("known_documents.csv")
    )


def _numbered_rows(name: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a gazetteer file with their line in it (the header is line 1; no field spans lines)."""
    return [(i + 2, r) for i, r in enumerate(_rows(name))]


def _short_form(text: str) -> tuple[str, str]:
    """`Đề án 06` -> (Đề án, 6): a type name and a number without leading zeros."""
    kind, _, number = text.strip().rpartition(" ")
    return kind, number.lstrip("0") or "0"


def known_by_short_form(doc_type: str | None, number: str | None) -> str | None:
    """The code of the one known document of that type and number (Nghị quyết 57 -> 57-NQ/TW, Đề án 06 -> 06/QĐ-TTg), if exactly one."""
    if not doc_type or not number:
        return None
    wanted = number.lstrip("0") or "0"
    named = [d.code for d in known_documents() if (doc_type, wanted) in d.short_forms]
    if named:
        return named[0] if len(named) == 1 else None
    # a replaced document is listed for its replacement, not as what a bare number now means:
    # `Nghị định 110` in a recent report is more likely a later decree of that number
    found = [
        d.code for d in known_documents()
        if d.replaced_by is None and d.doc_type == doc_type and (d.code.split("/")[0].split("-")[0].lstrip("0") or "0") == wanted
    ]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True, slots=True)
class Body:
    """A body that issued documents and no longer exists, or whose existence has dates (bodies.csv).

    `TCCP` (Ban Tổ chức - Cán bộ Chính phủ, until 2002) is a real issuer of its
    time, not an unknown code; a document of the Ministry of Information and
    Communications dated after 1/3/2025, when it merged into the Ministry of
    Science and Technology, cannot be.
    """

    code: str  # issuer code in document codes ("" for bodies known by name only: district bodies)
    body: str
    level: str
    valid_from: dt.date | None  # first day it existed, when the gazetteer knows it
    valid_until: dt.date | None  # last day it existed
    successor: str | None  # the code of the body that took its place
    names: tuple[str, ...]  # how texts name it, folded (gazetteer.fold), as the start of an issuer phrase
    source: str
    line: int  # its line in bodies.csv

    def existed_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_until is None or day <= self.valid_until)


@cache
def bodies() -> tuple[Body, ...]:
    def day(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return tuple(
        Body(
            r["code"], r["body"], r["level"], day(r["valid_from"]), day(r["valid_until"]), r["successor"] or None,
            tuple(fold(n) for n in r["names"].split("|") if n), r["source"], line,
        )
        for line, r in _numbered_rows("bodies.csv")
    )


def body_of_code(issuer_code: str) -> Body | None:
    """The dated body an issuer code stands for (case aside: headings in capitals write TTG for TTg)."""
    return _bodies_by_code().get(issuer_code.upper())


@cache
def _bodies_by_code() -> dict[str, Body]:
    by_code: dict[str, Body] = {}
    for b in bodies():
        if b.code:
            by_code.setdefault(b.code.upper(), b)  # the first listed, as a scan in order would find
    return by_code


@lru_cache(maxsize=8192)  # the audit asks it of every citation naming its issuer: a scan of every body's names
def body_named(issuer: str) -> Body | None:
    """The dated body an issuer phrase names (`UBND huyện Sơn Hà`: a district body)."""
    folded = fold(" ".join(issuer.split()))
    return next((b for b in bodies() if any(folded.startswith(n) for n in b.names)), None)


def issuer_code_known(issuer_code: str) -> bool:
    """An issuer code of a body that exists or existed (case aside)."""
    wanted = issuer_code.upper()
    return wanted in _issuer_codes_upper() or body_of_code(issuer_code) is not None


@cache
def _issuer_codes_upper() -> frozenset[str]:
    return frozenset(c.upper() for c in issuer_codes())
