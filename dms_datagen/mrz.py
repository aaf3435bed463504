"""Machine-readable zones (ICAO 9303 TD3) for invented passports; the check digits are the production ones."""

from __future__ import annotations

import datetime as dt
import re

from dms_ingest.classifiers.mrz import check_digit


def make_td3(
    *,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    date_of_birth: dt.date,
    sex: str,
    expiry_date: dt.date,
    issuing_state: str | None = None,
    optional_data: str = "",
) -> tuple[str, str]:
    """Build the two lines of a correct TD3 MRZ (names already transliterated to A-Z)."""

    def mrz_field(value: str, width: int) -> str:
        value = re.sub(r"[^A-Z0-9<]", "<", value.upper().replace(" ", "<").replace("-", "<"))
        return value[:width].ljust(width, "<")

    state = mrz_field(issuing_state or nationality, 3)
    names = mrz_field(surname.replace(" ", "<") + "<<" + given_names.replace(" ", "<"), 39)
    line1 = "P<" + state + names
    number = mrz_field(document_number, 9)
    birth = date_of_birth.strftime("%y%m%d")
    expiry = expiry_date.strftime("%y%m%d")
    optional = mrz_field(optional_data, 14)
    optional_cd = str(check_digit(optional)) if optional_data else "<"
    line2 = (
        number + str(check_digit(number)) + mrz_field(nationality, 3)
        + birth + str(check_digit(birth)) + (sex or "<")[0]
        + expiry + str(check_digit(expiry)) + optional + optional_cd
    )
    line2 += str(check_digit(line2[0:10] + line2[13:20] + line2[21:43]))
    return line1, line2
