#!/usr/bin/env python3
"""Compares Sesame's message lookup with Django's own, language by language and message by
message, in a Python environment that has the peer's packages installed (Django, DRF,
djangorestframework-simplejwt) and with the peer project's settings (LANGUAGE_CODE zh-hans):

    SESAME_I18N_DUMP=/tmp/sesame-i18n.json cargo test --lib dump_lookups_for_django -- --ignored
    PEER_DATA=/tmp/peer-data /path/to/peer-venv/bin/python tools/compare_with_django.py \\
        /tmp/sesame-i18n.json /work/shared/bench/peer-simplejwt

PEER_DATA must hold the peer's `secret_key` file; no database is touched. Prints every
difference and a count; exits 1 when there is one.
"""

import json
import os
import sys

SHORT = (
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
)


def main(dump_path, peer):
    sys.path.insert(0, peer)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerproj.settings")
    import django
    from django.utils import translation

    django.setup()
    dump = json.load(open(dump_path))
    differences = lookups = 0
    for code, row in dump.items():
        with translation.override(code):
            for key, sesame in row.items():
                if key.startswith("ngettext:"):
                    expected = translation.ngettext(*SHORT, int(key.split(":")[1]))
                else:
                    expected = translation.gettext(key)
                lookups += 1
                if expected != sesame:
                    differences += 1
                    print(f"{code} {key!r}: django={expected!r} sesame={sesame!r}")
    print(f"{differences} differences in {lookups} lookups over {len(dump)} language codes")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
