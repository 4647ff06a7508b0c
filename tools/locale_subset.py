#!/usr/bin/env python3
"""Extracts the messages Sesame sends on /api/ and the compat profile from the compiled catalogues
(.mo) of djangorestframework-simplejwt 5.5.1, djangorestframework 3.18.3 and Django 5.2.19 (the
versions the side-by-side peer runs), into
small .po files under locale/, and writes src/i18n/shipped.rs, which embeds them.

The .mo files are what Django reads at run time (fuzzy and untranslated entries already left out),
so the subset is exactly what a Django project answers with. Usage:

    pip download --no-deps -d /tmp/wheels djangorestframework-simplejwt==5.5.1 \
        djangorestframework==3.18.3 django==5.2.19
    python3 tools/locale_subset.py /tmp/wheels && cargo fmt

Which catalogue directory a language code reads is Python's gettext.find (via Django's
to_locale): the locale itself, then its language alone (he_IL, then he). Every Django language
whose language part is one of simplejwt's locales is supported; the others are not shipped.
"""

import gettext
import json
import os
import runpy
import sys
import zipfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The msgids (a tuple for msgid, msgid_plural) Sesame can send, by the package that sends them:
# simplejwt's own, DRF's fields, parsers and exceptions, and Django's validators and model field
# names as /api/register/ uses them.
SIMPLEJWT = [
    "No active account found with the given credentials",
    "No active account found for the given token.",
    "Token is invalid",
    "Token is expired",
    "Token has no type",
    "Token has wrong type",
    "Token has no id",
    "Token has no '{}' claim",
    "Token '{}' claim has expired",
    "Token is blacklisted",
    "Authorization header must contain two space-delimited values",
    "Given token not valid for any token type",
    "Token contained no recognizable user identification",
    "User not found",
    "User is inactive",
]
DRF = [
    "This field is required.",
    "This field may not be null.",
    "This field may not be blank.",
    "Not a valid string.",
    "Null characters are not allowed.",
    "Surrogate characters are not allowed: U+{code_point:X}.",
    "Ensure this field has no more than {max_length} characters.",
    "Invalid data. Expected a dictionary, but got {datatype}.",
    "No data provided",
    "Malformed request.",
    "Authentication credentials were not provided.",
    "A server error occurred.",
    'Method "{method}" not allowed.',
    'Unsupported media type "{media_type}" in request.',
    "Request was throttled.",
    "Expected available in {wait} second.",
    "Expected available in {wait} seconds.",
]
AUTH = [
    "A user with that username already exists.",
    "Enter a valid username. This value may contain only letters, numbers, and "
    "@/./+/-/_ characters.",
    "username",
    "email address",
    "user",
    "The password is too similar to the %(verbose_name)s.",
    (
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    "This password is too common.",
    "This password is entirely numeric.",
]
CORE = [
    "Enter a valid email address.",
    "Enter a valid phone number.",
    "%(model_name)s with this %(field_label)s already exists.",
]
# Django merges every package's catalogue into one, keyed by msgid alone: each package's subset
# keeps every message above that it translates, so the lookup order decides as in Django.
MESSAGES = SIMPLEJWT + DRF + AUTH + CORE

# Lookup order, highest first: a new project's INSTALLED_APPS order (contrib.admin, contrib.auth,
# rest_framework, rest_framework_simplejwt), then Django's own, as DjangoTranslation merges them.
PACKAGE_TYPES = {
    "admin": "Admin",
    "auth": "Auth",
    "drf": "Drf",
    "simplejwt": "Simplejwt",
    "django": "Django",
}
PACKAGES = [
    ("admin", "django/contrib/admin/locale", MESSAGES),
    ("auth", "django/contrib/auth/locale", MESSAGES),
    ("drf", "rest_framework/locale", MESSAGES),
    ("simplejwt", "rest_framework_simplejwt/locale", MESSAGES),
    ("django", "django/conf/locale", MESSAGES),
]


def msgids(messages):
    for message in messages:
        yield message if isinstance(message, tuple) else (message,)


def po_string(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_locale(language):
    """Django's django.utils.translation.to_locale."""
    lang, _, country = language.lower().partition("-")
    if not country:
        return language[:3].lower() + language[3:]
    country, _, tail = country.partition("-")
    country = country.title() if len(country) > 2 else country.upper()
    if tail:
        country += "-" + tail
    return lang + "_" + country


def expand(locale):
    """Python gettext's candidate directories for a locale, codeset and modifier dropped."""
    seen = []
    for candidate in gettext._expand_lang(locale):
        name = candidate.split(".")[0].split("@")[0]
        if name not in seen:
            seen.append(name)
    return seen


def subset(mo_path, messages):
    with open(mo_path, "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    lines = ['msgid ""', "msgstr " + po_string(catalogue.get("", "")), ""]
    found = 0
    for ids in msgids(messages):
        if len(ids) == 1 and ids[0] in catalogue:
            lines += [f"msgid {po_string(ids[0])}", f"msgstr {po_string(catalogue[ids[0]])}", ""]
            found += 1
        elif len(ids) == 2 and (ids[0], 0) in catalogue:
            lines += [f"msgid {po_string(ids[0])}", f"msgid_plural {po_string(ids[1])}"]
            index = 0
            while (ids[0], index) in catalogue:
                lines.append(f"msgstr[{index}] {po_string(catalogue[(ids[0], index)])}")
                index += 1
            lines.append("")
            found += 1
    return "\n".join(lines), found


def main(wheels):
    with tempfile.TemporaryDirectory() as tmp:
        for wheel in Path(wheels).glob("*.whl"):
            zipfile.ZipFile(wheel).extractall(tmp)
        # Read as files: importing django would need its dependencies installed.
        global_settings = runpy.run_path(str(Path(tmp, "django/conf/global_settings.py")))
        lang_info = runpy.run_path(str(Path(tmp, "django/conf/locale/__init__.py")))["LANG_INFO"]

        simplejwt_dirs = sorted(os.listdir(Path(tmp, PACKAGES[3][1])))
        languages = {d.split("_")[0] for d in simplejwt_dirs}
        supported = [
            code
            for code, _ in global_settings["LANGUAGES"]
            if to_locale(code).split("_")[0] in languages or code.startswith("en")
        ]
        # LANGUAGE_CODE may also name a simplejwt locale Django's LANGUAGES lacks (he-il, es-cl).
        codes = list(supported)
        for directory in simplejwt_dirs:
            code = directory.lower().replace("_", "-")
            if code not in codes:
                codes.append(code)
        if "en-us" not in codes:
            codes.append("en-us")
        resolved = {}
        shipped = set()
        for code in codes:
            row = []
            for package, path, messages in PACKAGES:
                # gettext.translation chains every candidate: the first file is the primary
                # catalogue Django merges, the others become fallbacks of the translation.
                found = gettext.find("django", str(Path(tmp, path)), [to_locale(code)], all=True)
                directories = []
                for mo in found:
                    directory = Path(mo).parent.parent.name
                    if directory.startswith("en"):
                        continue
                    directories.append(directory)
                    text, count = subset(mo, messages)
                    if count:
                        target = ROOT / "locale" / package / f"{directory}.po"
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_text(text)
                        shipped.add((package, directory))
                row.append(directories)
            resolved[code] = row
        write_rust(supported, codes, resolved, sorted(shipped), lang_info)


def write_rust(supported, codes, resolved, shipped, lang_info):
    rows = "\n".join(
        f'    (Package::{PACKAGE_TYPES[p]}, "{d}", include_str!("../../locale/{p}/{d}.po")),'
        for p, d in shipped
    )
    languages = "\n".join(f'    "{code}",' for code in supported)
    fallbacks = "\n".join(
        f'    ("{code}", "{info["fallback"][0]}"),'
        for code, info in lang_info.items()
        if "fallback" in info
    )

    def dirs(directories):
        return "&[" + ", ".join(f'"{d}"' for d in directories) + "]"

    table = "\n".join(
        f'    ("{code}", [{", ".join(dirs(d) for d in resolved[code])}]),' for code in codes
    )
    every = "\n".join(f"    {json.dumps(m)}," for m in MESSAGES if isinstance(m, str))
    (ROOT / "src" / "i18n" / "shipped.rs").write_text(
        f"""//! Generated by tools/locale_subset.py from the packages' catalogues; do not edit.

use super::Package;

/// Django's `LANGUAGES` that Sesame has catalogues for, in Django's order: what `Accept-Language`
/// can select.
pub const LANGUAGES: &[&str] = &[
{languages}
];

/// Django's `LANG_INFO` fallbacks (`zh-cn` is answered in `zh-hans`).
pub const FALLBACKS: &[(&str, &str)] = &[
{fallbacks}
];

/// Every language code Sesame can speak, with the catalogue directories Python's `gettext.find`
/// finds for it in each package (admin, auth, DRF, simplejwt, Django), most specific first (`ru_RU`,
/// then `ru`): the first is the catalogue Django merges, the others its fallbacks. A directory
/// without any of Sesame's messages has no entry in `CATALOGUES`.
pub const RESOLVED: &[(&str, [&[&str]; 5])] = &[
{table}
];

/// simplejwt's messages as Sesame can send them (msgids, the first of [`MESSAGES`]), for the
/// test over every locale.
#[cfg(test)]
pub const SIMPLEJWT_MESSAGES: &[&str] = MESSAGES.split_at({len(SIMPLEJWT)}).0;

/// Every singular msgid Sesame can send, for the comparison with Django
/// (`tools/compare_with_django.py`).
#[cfg(test)]
pub const MESSAGES: &[&str] = &[
{every}
];

/// Each package's catalogue per locale directory, with the messages Sesame sends only.
pub const CATALOGUES: &[(Package, &str, &str)] = &[
{rows}
];
"""
    )


if __name__ == "__main__":
    main(sys.argv[1])
