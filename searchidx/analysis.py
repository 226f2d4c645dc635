"""French text analysis, used at index time and at query time (placeholder, being replaced)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from unidecode import unidecode


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lowercase and strip accents/ligatures: the key under which a name or term is compared."""
    text = unicodedata.normalize("NFC", text).lower()
    return text if text.isascii() else unidecode(text)
