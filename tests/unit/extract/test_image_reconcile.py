"""Reconciling a photo's EXIF, IPTC-IIM and XMP (tags as exiftool names them): MWG first, but never a
placeholder, a value cut at IPTC-IIM's limit or mis-decoded text over a complete one."""

from __future__ import annotations

import pytest

from archive.extract.image import parse_exiftool_date, reconcile


def test_the_mwg_choice_wins_a_conflict_and_names_the_field_it_agrees_with() -> None:
    tags = {
        "MWG:Creator": ["Ana Ruiz"],
        "IFD0:Artist": "Ana Ruiz",
        "IPTC:By-line": "Somebody Else",
        "XMP-dc:Creator": ["Somebody Else"],
    }

    [credit] = reconcile(tags).credits

    assert (credit.name, credit.role, credit.field, credit.rule) == (
        "Ana Ruiz",
        "photographer",
        "IFD0:Artist",
        "image.creator",
    )


def test_a_placeholder_gives_way_to_the_next_field() -> None:
    tags = {"MWG:Creator": "Photographer", "IFD0:Artist": "Photographer", "XMP-dc:Creator": ["Lee Chang"]}

    assert [c.name for c in reconcile(tags).credits] == ["Lee Chang"]


def test_a_value_cut_at_the_iptc_limit_gives_way_to_the_whole_one() -> None:
    whole = "Test author string for metadata-extractor"
    cut = whole.encode()[:32].decode()
    tags = {"MWG:Creator": cut, "IPTC:By-line": cut, "XMP-dc:Creator": [whole]}

    [credit] = reconcile(tags).credits

    assert (credit.name, credit.field) == (whole, "XMP-dc:Creator")


def test_a_longer_list_that_holds_the_chosen_names_wins() -> None:
    tags = {"MWG:Creator": "Creator1", "IFD0:Artist": "Creator1", "XMP-dc:Creator": ["Creator1", "Creator2"]}

    assert [c.name for c in reconcile(tags).credits] == ["Creator1", "Creator2"]


def test_iptc_text_stored_as_utf8_without_saying_so_is_decoded_again() -> None:
    mojibake = "\u00a9 Corbis. All Rights Reserved.".encode().decode("cp1252")
    tags = {"IPTC:CopyrightNotice": mojibake}

    extraction = reconcile(tags)

    assert extraction.rights is not None
    assert extraction.rights.value == "\u00a9 Corbis. All Rights Reserved."
    assert reconcile({**tags, "IPTC:CodedCharacterSet": "UTF8"}).rights.value == mojibake  # type: ignore[union-attr]


def test_credit_line_and_source_are_photo_credit_organisations_once_each() -> None:
    tags = {
        "IPTC:Credit": "Getty Images",
        "IPTC:Source": "Getty Images",
        "XMP-photoshop:Source": "Getty Images",
    }

    credits = reconcile(tags).credits

    assert [(c.name, c.role, c.kind, c.rule) for c in credits] == [
        ("Getty Images", "photo_credit", "organization", "image.credit_line")
    ]


def test_text_is_kept_as_stored_and_each_field_names_its_source() -> None:
    tags = {
        "IPTC:ObjectName": "9401004P  S KOREA V USA X",
        "IPTC:Caption-Abstract": " A caption. ",
        "XMP-dc:Rights": "\u00a9 2019 IPTC",
    }

    extraction = reconcile(tags)

    assert extraction.title is not None and extraction.title.value == "9401004P  S KOREA V USA X"
    assert extraction.description is not None and extraction.description.value == "A caption."
    assert (extraction.description.field, extraction.rights.field) == (  # type: ignore[union-attr]
        "IPTC:Caption-Abstract",
        "XMP-dc:Rights",
    )


def test_the_date_taken_gets_its_offset_and_time_from_where_the_file_states_them() -> None:
    with_offset = reconcile(
        {
            "MWG:DateTimeOriginal": "2010:12:12 12:41:35.00",
            "XMP-exif:DateTimeOriginal": "2010:12:12 12:41:35+01:00",
        }
    )
    exif_offset = reconcile(
        {"ExifIFD:DateTimeOriginal": "2021:05:01 08:00:00", "ExifIFD:OffsetTimeOriginal": "-04:00"}
    )
    date_then_time = reconcile(
        {"MWG:DateTimeOriginal": "2006:10:29", "Composite:DateTimeCreated": "2006:10:29 06:27:51-05:00"}
    )
    disagreeing = reconcile(
        {
            "ExifIFD:DateTimeOriginal": "2008:03:14 13:59:26",
            "XMP-exif:DateTimeOriginal": "2008:03:14 13:59:26-06:00",
            "XMP-xmp:CreateDate": "2008:03:14 13:59:26-07:00",
        }
    )

    assert (
        with_offset.date_created is not None and with_offset.date_created.value == "2010-12-12T12:41:35+01:00"
    )
    assert with_offset.date_created.field == "ExifIFD:DateTimeOriginal"
    assert (
        exif_offset.date_created is not None and exif_offset.date_created.value == "2021-05-01T08:00:00-04:00"
    )
    assert date_then_time.date_created is not None
    assert date_then_time.date_created.value == "2006-10-29T06:27:51-05:00"
    assert disagreeing.date_created is not None and disagreeing.date_created.value == "2008-03-14T13:59:26"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2002:01:19 16:47:42", "2002-01-19T16:47:42"),
        ("2019:10:16 19:01:00+00:00", "2019-10-16T19:01:00+00:00"),
        ("2008:03:14 20:59:26.535Z", "2008-03-14T20:59:26Z"),
        ("2004:02:26", "2004-02-26"),
        ("0000:00:00 00:00:00", None),
        ("2015:13:01 10:00:00", None),
        ("2015:06:29 25:00:00", None),
        ("    :  :     :  :  ", None),
        ("", None),
    ],
)
def test_exiftool_dates_are_read_strictly(raw: str, iso: str | None) -> None:
    assert parse_exiftool_date(raw) == iso


def test_a_photo_without_attribution_credits_nobody() -> None:
    tags = {"IFD0:ImageDescription": "OLYMPUS DIGITAL CAMERA", "Canon:OwnerName": "Getty Images"}

    extraction = reconcile(tags)

    assert extraction.credits == []
    assert extraction.description is None


@pytest.mark.parametrize(
    "raw", ["2002:02:31 10:00:00", "2001:02:29", "2002:01:01 10:00:00+99:99", "2002:01:01 10:00:00+14:60"]
)
def test_impossible_days_and_offsets_are_no_date(raw: str) -> None:
    assert parse_exiftool_date(raw) is None


def test_the_mwg_composite_of_utf8_iptc_is_decoded_again_too() -> None:
    stored = "Jos\u00e9 N\u00fa\u00f1ez".encode().decode("cp1252")
    tags = {"MWG:Creator": stored, "IPTC:By-line": stored}

    assert [credit.name for credit in reconcile(tags).credits] == ["Jos\u00e9 N\u00fa\u00f1ez"]


def test_values_that_lost_are_kept_with_their_fields() -> None:
    tags = {
        "MWG:Creator": ["Ana Ruiz"],
        "IFD0:Artist": "Ana Ruiz",
        "IPTC:By-line": "Somebody Else",
        "XMP-dc:Creator": ["Somebody Else"],
        "IFD0:Copyright": "(c) Ana Ruiz",
        "IPTC:CopyrightNotice": "(c) Ana Ruiz",
        "XMP-dc:Rights": "© Agency",
        "ExifIFD:DateTimeOriginal": "2020:05:01 10:00:00",
        "ExifIFD:OffsetTimeOriginal": "+02:00",
        "XMP-xmp:CreateDate": "2020:05:01 08:00:00Z",  # the same instant: no disagreement
        "IPTC:DateCreated": "2020:05:02",
    }

    alternatives = reconcile(tags).alternatives

    assert [(f.value, f.field) for f in alternatives["photographer"]] == [("Somebody Else", "IPTC:By-line")]
    assert [(f.value, f.field) for f in alternatives["rights"]] == [("© Agency", "XMP-dc:Rights")]
    assert [(f.value, f.field) for f in alternatives["date_created"]] == [("2020-05-02", "IPTC:DateCreated")]
    assert "title" not in alternatives


def test_a_value_cut_at_its_limit_is_no_alternative_to_its_whole_form() -> None:
    whole = "Test author string for metadata-extractor"
    cut = whole.encode()[:32].decode()

    assert reconcile({"IPTC:By-line": cut, "XMP-dc:Creator": [whole]}).alternatives == {}


def test_a_short_iptc_value_is_not_taken_for_a_cut_one() -> None:
    tags = {"IPTC:By-line": "Jo", "XMP-dc:Creator": ["Jo Smith"]}

    assert [c.name for c in reconcile(tags).credits] == ["Jo"]


def test_control_characters_are_no_part_of_a_name() -> None:
    [credit] = reconcile({"IFD0:Artist": "Ana\x01 Ruiz\x7f"}).credits

    assert (credit.name, credit.kind) == ("Ana Ruiz", "person")
