"""Recognising the same shop: a normalised key from its name and address.

Merchants type their name and address on a phone, assessors type paper forms into a sheet,
and the two rarely agree to the character: full-width letters and digits from a Chinese
keyboard, spaces, brackets and dashes, 號 for 号, 衖 for 弄, "12号" against "12", upper and
lower case. The key removes all of these differences and nothing else, so two answers with
the same key are very probably the same shop — and the assessor still decides (a match is
only ever *offered* for merging, never merged silently).
"""
from __future__ import annotations

import re
import unicodedata

#: Variant characters that mean the same in an address.
_VARIANTS = str.maketrans({"號": "号", "衖": "弄", "巷": "弄", "〇": "0", "－": "-", "—": "-", "–": "-"})
#: 号 after a number is usually left off ("幸福路12" = "幸福路12号").
_NUMBER_HAO = re.compile(r"(?<=[0-9])号")


def normalise(text: str) -> str:
    """``text`` reduced to what identifies it.

    NFKC turns full-width forms into half-width ones ("１２Ａ" → "12A"); case is folded; every
    space, punctuation mark and symbol is removed; 號/衖/巷 become 号/弄 and a 号 right after a
    number is dropped.
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_VARIANTS).casefold()
    kept = [ch for ch in text if not unicodedata.category(ch)[0] in ("Z", "P", "S", "C")]
    return _NUMBER_HAO.sub("", "".join(kept))


def match_key(name: str, address: str) -> str:
    """The key two records of the same shop share: normalised name and address joined by ``|``
    (the separator cannot occur inside either part, since symbols are removed)."""
    return f"{normalise(name)}|{normalise(address)}"[:300]
