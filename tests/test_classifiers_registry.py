import datetime as dt

import pytest

from dms_ingest.classifiers.case_numbers import CaseNumberPattern
from dms_ingest.classifiers.registry import (
    CaseRecord,
    CaseRegistry,
    RegistryError,
    diff_registry,
    parse_registry_csv,
    write_registry_csv,
)

HEADER = "case_number,surname,given_names,date_of_birth,nationality\n"


def write(tmp_path, content, *, bom=False, name="reg.csv"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content.encode("utf-8"))
    return path


def test_parse_both_date_formats_and_bom(tmp_path):
    path = write(tmp_path, HEADER + "ABH-2019-04711,Yılmaz,Mehmet,1987-04-03,tur\nABH-2020-00012,Müller,Hans,03.04.1990,DEU\n", bom=True)
    records = parse_registry_csv(path)
    assert records[0] == CaseRecord("ABH-2019-04711", "Yılmaz", "Mehmet", dt.date(1987, 4, 3), "TUR")
    assert records[1].date_of_birth == dt.date(1990, 4, 3)


def test_semicolon_export_and_empty_birth_date(tmp_path):
    path = write(tmp_path, HEADER.replace(",", ";") + "ABH-2019-04711;Kaya;Ayşe;;TUR\n")
    (record,) = parse_registry_csv(path)
    assert record.date_of_birth is None and record.given_names == "Ayşe"


@pytest.mark.parametrize(
    "rows, line, message",
    [
        ("ABH-2019-04711,Kaya,Ayşe,1987-13-01,TUR\n", 2, "date_of_birth"),
        ("ABH-2019-04711,Kaya,Ayşe,31.02.1987,TUR\n", 2, "date_of_birth"),
        ("ABH-2019-04711,Kaya,Ayşe,1987-01-01,TUR\nABH 2019 04711,Demir,Ali,1980-01-01,TUR\n", 3, "duplicate"),
        ("ABH-2019-04711,Kaya\n", 2, "columns"),
        (",Kaya,Ayşe,1987-01-01,TUR\n", 2, "case_number"),
    ],
)
def test_bad_rows_name_the_line(tmp_path, rows, line, message):
    path = write(tmp_path, HEADER + rows)
    with pytest.raises(RegistryError) as err:
        parse_registry_csv(path)
    assert err.value.line == line
    assert f"line {line}" in str(err.value) and message in str(err.value)


def test_missing_column(tmp_path):
    path = write(tmp_path, "case_number,surname,date_of_birth\nABH-2019-04711,Kaya,1987-01-01\n")
    with pytest.raises(RegistryError, match="given_names"):
        parse_registry_csv(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "ABH-2019-04711,Müller,Hans,1987-01-01,DEU\n").encode("latin-1"))
    with pytest.raises(RegistryError, match="UTF-8"):
        parse_registry_csv(path)


def test_round_trip(tmp_path):
    records = [CaseRecord("ABH-2019-04711", "Strauß", "Anna Maria", dt.date(1970, 1, 2), "AUT"),
               CaseRecord("ABH-2019-04712", "Nguyen", "Thi Lan", None, "VNM")]
    write_registry_csv(records, tmp_path / "out.csv")
    assert parse_registry_csv(tmp_path / "out.csv") == records


def test_diff():
    a = CaseRecord("ABH-2019-00001", "Kaya", "Ali", dt.date(1980, 1, 1), "TUR")
    b = CaseRecord("ABH-2019-00002", "Demir", "Ayşe", dt.date(1981, 1, 1), "TUR")
    b2 = CaseRecord("ABH-2019-00002", "Demir-Kaya", "Ayşe", dt.date(1981, 1, 1), "TUR")
    c = CaseRecord("ABH-2019-00003", "Öz", "Can", dt.date(1982, 1, 1), "TUR")
    diff = diff_registry([a, b], [b2, c])
    assert diff.added == [c] and diff.removed == [a] and diff.changed == [(b, b2)]
    assert diff_registry([a], [a]).empty


def test_lookups():
    records = [
        CaseRecord("ABH-2019-04711", "Müller", "Hans", dt.date(1987, 4, 3), "DEU"),
        CaseRecord("ABH-2019-04712", "Mueller", "Eva", dt.date(1987, 4, 3), "DEU"),
        CaseRecord("ABH-2020-00012", "Kaya", "Ali", dt.date(1990, 1, 1), "TUR"),
    ]
    reg = CaseRegistry(records)
    assert reg.get("abh 2019/04711") is records[0]
    assert reg.get("ABH-2019-04713") is None
    assert "ABH-2020-00012" in reg and "ABH-2020-00013" not in reg
    assert reg.born_on(dt.date(1987, 4, 3)) == records[:2]
    assert reg.born_on(dt.date(1999, 1, 1)) == []
    assert {r.case_number for r in reg.with_surname("Muller")} == {"ABH-2019-04711", "ABH-2019-04712"}
    assert len(reg) == 3


def test_registry_indexes_canonical_form_of_unpadded_export():
    reg = CaseRegistry([CaseRecord("ABH-2019-4711", "Kaya", "Ali", None, "TUR")], CaseNumberPattern())
    assert reg.get("ABH-2019-04711").case_number == "ABH-2019-4711"


def test_similar_surname_lookup_tolerates_ocr_damage():
    reg = CaseRegistry([
        CaseRecord("ABH-2019-00001", "Wiśniewski", "Krzysztof", None, "POL"),
        CaseRecord("ABH-2019-00002", "Kowalski", "Piotr", None, "POL"),
    ])
    assert [r.case_number for r in reg.with_similar_surname("Wisniewski")] == ["ABH-2019-00001"]
    assert [r.case_number for r in reg.with_similar_surname("WISNlEWSKI")] == ["ABH-2019-00001"]
    assert reg.with_similar_surname("Nowak") == []


def test_sponsor_columns_name_the_referenzperson_by_case_or_by_name_and_birth(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "case_number,surname,given_names,date_of_birth,nationality,sponsor_case_number,sponsor_surname,"
        "sponsor_given_names,sponsor_date_of_birth\n"
        "ABH-2024-00001,Okafor,Folake,1979-08-09,NGA,ABH-2016-00002,,,\n"
        "ABH-2016-00002,Okafor,Chinedu,1976-10-24,NGA,,,,\n"
        "ABH-2024-00003,Tesfay,Selam,1990-03-03,ERI,,Tesfay,Yonas,06.06.1985\n"
        "ABH-2024-00004,Rossi,Luca,1991-01-01,ITA,ABH-2099-99999,,,\n"
        "ABH-2024-00005,Silva,Ana,1992-02-02,BRA,,Silva,João,\n", encoding="utf-8")
    records = parse_registry_csv(path)
    registry = CaseRegistry(records)
    sponsors = [registry.sponsor_of(r) for r in records]
    assert sponsors[0] is records[1]
    assert sponsors[1] is None
    assert (sponsors[2].full_name, sponsors[2].date_of_birth, sponsors[2].case_number) == \
        ("Yonas Tesfay", dt.date(1985, 6, 6), "")
    assert sponsors[3] is None and sponsors[4] is None    # unknown case; no birth date: nobody is identified
    write_registry_csv(records, tmp_path / "back.csv")
    assert parse_registry_csv(tmp_path / "back.csv") == records
    path.write_text("case_number,surname,given_names,date_of_birth,nationality,sponsor_date_of_birth\n"
                    "ABH-2024-00001,Okafor,Folake,1979-08-09,NGA,31.02.1980\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="line 2: bad sponsor_date_of_birth"):
        parse_registry_csv(path)
