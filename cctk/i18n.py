"""One message catalog for every text a person reads, in Chinese and English.

Modules register their own messages (``register``) so the catalog grows with the
code that uses it; ``t`` formats a message in the current language. The language
comes from ``--lang`` (``set_lang``) or, by default, from the locale: Chinese
locales get zh, everything else en.
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")

# key -> {"en": ..., "zh": ...}
_CATALOG: dict[str, dict[str, str]] = {}
_lang: str | None = None


def register(messages: dict[str, tuple[str, str] | dict[str, str]]) -> None:
    """Add messages; a value is ``(en, zh)`` or ``{"en": …, "zh": …}``."""
    for key, value in messages.items():
        if isinstance(value, tuple):
            en, zh = value
            value = {"en": en, "zh": zh}
        if set(value) != {"en", "zh"}:
            raise ValueError(f"message {key!r} needs exactly en and zh")
        _CATALOG[key] = value


def detect_lang(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    for var in ("CCTK_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_lang(lang: str | None) -> None:
    global _lang
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    _lang = lang


_detected: str | None = None


def get_lang() -> str:
    """The chosen language, else the locale's (looked up once: formatting 60,000 findings asked 60,000 times)."""
    global _detected
    if _lang:
        return _lang
    if _detected is None:
        _detected = detect_lang()
    return _detected


def t(key: str, lang: str | None = None, **kwargs: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language)."""
    entry = _CATALOG.get(key)
    if entry is None:
        # A missing key is a programming error, but a person must still see something useful.
        return key + (" " + repr(kwargs) if kwargs else "")
    text = entry[lang or get_lang()]
    return text.format(**kwargs) if kwargs else text


def both(key: str, **kwargs: object) -> dict[str, str]:
    """The message in both languages, for JSON output and stored records."""
    return {lang: t(key, lang, **kwargs) for lang in LANGS}


def catalog() -> dict[str, dict[str, str]]:
    return dict(_CATALOG)
