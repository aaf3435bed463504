"""Repairs of systematic OCR errors in German legal text."""

from __future__ import annotations

import re

# Statute abbreviations that follow a section number in citations.
LAW_ABBREVIATIONS = (
    "AufenthG", "AufenthV", "AsylG", "AsylVfG", "AsylbLG", "BeschV", "BeschVerfV",
    "FreizügG/EU", "FreizügG", "FreizuegG/EU", "FreizugG/EU", "FreizugG", "StAG",
    "BGB", "SGB", "VwVfG", "VwGO", "VwZG", "VwVG", "VwKostG", "GG", "StGB", "StPO", "ZPO",
    "BMG", "PassG", "PAuswG", "AZRG", "IntV", "BEEG", "BKGG", "EStG", "WoGG", "BDSG",
    "OWiG", "GebG", "BGebG", "AufenthGVwV", "VwV", "AEUV", "BVFG", "BAföG", "KSchG",
    "TzBfG", "ArbZG", "MiLoG", "BPolG", "AsylZBV", "IfSG", "EGBGB", "PStG", "FamFG",
)
_LAW = "|".join(re.escape(a) for a in sorted(LAW_ABBREVIATIONS, key=len, reverse=True))
_NUMBER = r"\d{1,4}[a-z]?"
# What may follow the section number in a real citation.
_CITATION_TAIL = (
    rf"(?:\s*(?:,|und|u\.|bis|-|–|/)\s*{_NUMBER})*"
    rf"\s*(?:Abs\.?\s*\d|Absatz\s*\d|Satz\s*\d|S\.\s*\d|Nr\.\s*\d|Ziff\.\s*\d|(?:{_LAW})(?![A-Za-z]))"
)
_MISREAD_SECTION = re.compile(
    rf"(?<![\w.,§/])(?P<signs>88|8)(?P<space>[ \t]+)(?P<number>{_NUMBER})(?={_CITATION_TAIL})"
)


def restore_paragraph_signs(text: str) -> str:
    """Turn '8 81 Abs. 4 AufenthG' back into '§ 81 Abs. 4 AufenthG' (and '88' into '§§')."""

    def fix(m: re.Match[str]) -> str:
        signs = "§§" if m.group("signs") == "88" else "§"
        return f"{signs}{m.group('space')}{m.group('number')}"

    return _MISREAD_SECTION.sub(fix, text)
