"""The languages the site publishes, as data: `languages.yaml`, read once into frozen values.

Everything that differs by language and is not wording (labels.yaml holds the wording) comes from here: where
a language's pages go, its name in the language switch, its punctuation, its font, its locales. Code asks the
table (`TABLE.language(code).punctuation.open`) and never compares a language code with a literal.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LANGUAGES_PATH = Path(__file__).with_name("languages.yaml")


class LanguagesError(Exception):
    """languages.yaml is malformed: a programming error, reported with the file's name."""


@dataclass(frozen=True)
class Punctuation:
    list: str  # between the items of a list: 、 or ", "
    colon: str  # after a lead-in: ： or ": "
    open: str  # a parenthesis: （ or " ("
    close: str
    and_: str  # between the last two of a short list: 、 or " and "
    slash: str  # between alternatives: ／ or " / "
    arrow: str  # between the steps of an order: → or " → "


PUNCTUATION_KEYS = {"list": "list", "colon": "colon", "open": "open", "close": "close", "and": "and_",
                    "slash": "slash", "arrow": "arrow"}


@dataclass(frozen=True)
class Font:
    key: str
    family: str  # the name charts, cards and handouts set text in


@dataclass(frozen=True)
class Language:
    code: str
    prefix: str
    name: str
    english_name: str
    font: Font
    og_locale: str
    csl_locale: str
    authors: str  # "native" or "romanised"
    capitalise: bool
    title_en: bool
    checks_usage: bool
    punctuation: Punctuation

    @property
    def article(self) -> str:
        """The English article before its name in a message: "an English text", "a Traditional Chinese text"."""
        return "an" if self.english_name[:1] in "AEIOU" else "a"


@dataclass(frozen=True)
class Languages:
    languages: tuple[Language, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    @property
    def written(self) -> tuple[str, ...]:
        """The languages the data and briefs are written in (the others are converted from one of them)."""
        return self.codes

    @property
    def default(self) -> Language:
        return self.languages[0]

    def language(self, code: str) -> Language:
        for language in self.languages:
            if language.code == code:
                return language
        raise KeyError(code)

    def others(self, code: str) -> tuple[str, ...]:
        """Every other language, in the table's order: what a page's language switch and alternates list."""
        return tuple(other for other in self.codes if other != code)

    def fallbacks(self, code: str) -> tuple[str, ...]:
        """The languages a page in `code` shows instead when its text is not written in it (a brief not
        translated), in the order tried."""
        return self.others(code)

    def by_prefix(self, path: str) -> str:
        """The language whose part of the site a published path is in (the default's for the root)."""
        prefixed = [language for language in self.languages if language.prefix and path.startswith(language.prefix)]
        return max(prefixed, key=lambda language: len(language.prefix)).code if prefixed else self.default.code

    def series(self, items: list[str]) -> str:
        """Codes as an English message lists them: "zh-TW and en", "zh-TW, en and zh-Hans"."""
        return items[0] if len(items) < 2 else ", ".join(items[:-1]) + " and " + items[-1]


def _required(raw: dict, key: str, where: str):
    if key not in raw:
        raise LanguagesError(f"{LANGUAGES_PATH.name}: {where} has no '{key}'")
    return raw[key]


def parse_languages(raw: dict) -> Languages:
    fonts = {key: Font(key, str(_required(font, "family", f"font {key}"))) for key, font in raw["fonts"].items()}
    languages = []
    for entry in raw["languages"]:
        code = str(_required(entry, "code", "a language"))
        marks = _required(entry, "punctuation", code)
        if set(marks) != set(PUNCTUATION_KEYS):
            raise LanguagesError(f"{LANGUAGES_PATH.name}: {code}'s punctuation needs exactly "
                                 f"{', '.join(PUNCTUATION_KEYS)}")
        font = str(_required(entry, "font", code))
        if font not in fonts:
            raise LanguagesError(f"{LANGUAGES_PATH.name}: {code} names font '{font}', which the fonts table lacks")
        languages.append(Language(
            code=code, prefix=str(entry["prefix"]), name=str(_required(entry, "name", code)),
            english_name=str(_required(entry, "english_name", code)), font=fonts[font],
            og_locale=str(_required(entry, "og_locale", code)), csl_locale=str(_required(entry, "csl_locale", code)),
            authors=str(_required(entry, "authors", code)), capitalise=bool(_required(entry, "capitalise", code)),
            title_en=bool(_required(entry, "title_en", code)), checks_usage=bool(_required(entry, "checks_usage", code)),
            punctuation=Punctuation(**{field: str(marks[key]) for key, field in PUNCTUATION_KEYS.items()})))
    return Languages(tuple(languages))


@cache
def load_languages() -> Languages:
    with LANGUAGES_PATH.open(encoding="utf-8") as handle:
        return parse_languages(yaml.safe_load(handle))


TABLE = load_languages()
