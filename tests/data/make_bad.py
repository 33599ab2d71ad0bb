"""Writes the corpus of bad inputs in tests/data/bad/ and its expectations table expected.csv.

Each case is a file a focal point could plausibly hand to hginv, and the one problem hginv must
report for it: exit code of `hginv validate`, severity, sheet, cell and the problem's code
(docs/problem-codes.md). The files are committed, so the tests never depend on regenerating
them; run `python tests/data/make_bad.py` after changing a case: it gives the same bytes again,
except the password-protected workbook and the two saved by LibreOffice, which are kept as committed
(writing them anew needs the optional `msoffcrypto-tool` package or LibreOffice's `soffice`,
and they carry a random salt or the time of saving).

Files that need the file system at test time (a missing path, a folder, no read permission)
are made by the tests themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
OUT = HERE / "bad"
FIXED_TIME = dt.datetime(2021, 1, 1)

COUNTRY = [
    ("country", "Testland"),
    ("year", 2021),
    ("population", 1_000_000),
    ("electrification_rate", 50),
]
ACTIVITY = [("5.1.1", 1000, "t", "power plants"), ("5.9.1", 2000, "corpses", "")]
HEADER = ("code", "activity", "unit", "notes")


def book(
    country=COUNTRY, activity=ACTIVITY, header=HEADER, above=(), sheets=("country", "activity")
) -> Workbook:
    """A workbook laid out as `hginv template` lays it out; `above` are rows above the header."""
    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.remove(wb.active)
    if "country" in sheets:
        ws = wb.create_sheet("country")
        ws.append(["field", "value"])
        for row in country:
            ws.append(list(row))
    if "activity" in sheets:
        ws = wb.create_sheet("activity")
        for row in above:
            ws.append(list(row))
        ws.append(list(header))
        for row in activity:
            ws.append(list(row))
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    return wb


def save(wb: Workbook, name: str) -> Path:
    """Save, then fix the zip timestamps and document dates so that a rerun gives the same
    bytes (the encrypted workbook is the exception: its salt is random)."""
    path = OUT / name
    wb.save(path)
    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for filename, data in items:
            if filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2021-01-01T00:00:00Z", data)
            info = zipfile.ZipInfo(filename, date_time=(2021, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
    return path


def rewrite(path: Path, part: str, change) -> Path:
    """Rewrite one XML part of a saved workbook (to imitate other programs' files)."""
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return path


ACTIVITY_XML = "xl/worksheets/sheet2.xml"
COUNTRY_XML = "xl/worksheets/sheet1.xml"


def with_activity(rows, **kw) -> Workbook:
    return book(activity=rows, **kw)


def with_country(**changes) -> Workbook:
    rows = [(k, changes.pop(k)) if k in changes else (k, v) for k, v in COUNTRY]
    rows = [r for r in rows if r[1] is not None]
    return book(country=rows)


# --- the cases: (file, exit code, severity, sheet, cell, problem code, maker) ------------------
CASES: list[tuple] = []


def case(name, exit_code, severity, sheet, cell, code):
    def register(make):
        CASES.append((name, exit_code, severity, sheet, cell, code, make))
        return make

    return register


@case("unknown code.xlsx", 1, "error", "activity", "A2", "unknown-code")
def _(name):
    save(with_activity([("5.1.99", 10, "t", "")]), name)


@case("duplicate-code.xlsx", 1, "error", "activity", "A3", "duplicate-code")
def _(name):
    save(with_activity([("5.1.1", 10, "t"), ("5.1.1", 20, "t")]), name)


@case("negative.xlsx", 1, "error", "activity", "B2", "activity-negative")
def _(name):
    save(with_activity([("5.1.1", -5, "t")]), name)


@case("text-in-number.xlsx", 1, "error", "activity", "B2", "not-a-number")
def _(name):
    save(with_activity([("5.1.1", "about 300", "t")]), name)


@case("decimal-comma.xlsx", 0, "warning", "activity", "B2", "number-as-text")
def _(name):
    save(with_activity([("5.1.1", "1,5", "kt")]), name)


@case(
    "thousands-dots.xlsx", 0, "warning", "activity", "B2", "number-as-text"
)
def _(name):
    save(with_activity([("5.1.1", "1.234.567", "t")]), name)


@case("thousands-spaces.xlsx", 0, "warning", "activity", "B2", "number-as-text")
def _(name):
    save(with_activity([("5.1.1", "1 234 567", "t")]), name)


@case("number-with-unit.xlsx", 1, "error", "activity", "B2", "number-with-text")
def _(name):
    save(with_activity([("5.1.1", "1500 t", "t")]), name)


@case(
    "electrification-85-percent.xlsx", 0, "warning", "country", "B5", "number-as-text"
)
def _(name):
    save(with_country(electrification_rate="85 %"), name)


@case("ambiguous-comma.xlsx", 1, "error", "activity", "B2", "number-unreadable")
def _(name):
    save(with_activity([("5.1.1", "1,234", "t")]), name)


@case("number-as-text.xlsx", 0, "warning", "activity", "B2", "number-as-text")
def _(name):
    save(with_activity([("5.1.1", "1500", "t")]), name)


@case("empty workbook.xlsx", 1, "error", "", "", "sheet-missing")
def _(name):
    save(book(sheets=()), name)


@case("missing-country-sheet.xlsx", 1, "error", "", "", "sheet-missing")
def _(name):
    save(book(sheets=("activity",)), name)


@case("missing-activity-sheet.xlsx", 1, "error", "", "", "sheet-missing")
def _(name):
    save(book(sheets=("country",)), name)


@case("missing-year.xlsx", 1, "error", "country", "", "field-missing")
def _(name):
    save(with_country(year=None), name)


@case("empty-year.xlsx", 1, "error", "country", "B3", "field-missing")
def _(name):
    save(with_country(year=""), name)


@case("implausible-year.xlsx", 1, "error", "country", "B3", "year-implausible")
def _(name):
    save(with_country(year=21), name)


@case("missing-population.xlsx", 1, "error", "country", "", "population-needed")
def _(name):
    wb = book(
        country=[("country", "Testland"), ("year", 2021), ("electrification_rate", 50)],
        activity=[("5.4.5", 1_000_000, "inhabitants")],
    )
    save(wb, name)


@case("zero-population.xlsx", 1, "error", "country", "B4", "population-not-positive")
def _(name):
    save(with_country(population=0), name)


@case("electrification-fraction.xlsx", 1, "error", "country", "B5", "electrification-rate-fraction")
def _(name):
    save(with_country(electrification_rate=0.85), name)


@case("electrification-150.xlsx", 1, "error", "country", "B5", "electrification-rate-range")
def _(name):
    save(with_country(electrification_rate=150), name)


@case("electrification-missing.xlsx", 1, "error", "country", "", "electrification-rate-needed")
def _(name):
    wb = book(
        country=[("country", "Testland"), ("year", 2021), ("population", 1e6)],
        activity=[("5.4.7", 1_000_000, "inhabitants")],
    )
    save(wb, name)


@case("unknown-unit.xlsx", 1, "error", "activity", "C2", "unit-wrong-kind")
def _(name):
    save(with_activity([("5.1.1", 10, "tons")]), name)


@case("incompatible-unit.xlsx", 1, "error", "activity", "C2", "unit-wrong-kind")
def _(name):
    save(with_activity([("5.8.5", 10, "t", "waste water, needs m3")]), name)


@case("activity-without-code.xlsx", 1, "error", "activity", "A3", "activity-without-code")
def _(name):
    save(with_activity([("5.1.1", 10, "t"), ("", 20, "t")]), name)


@case("uncertainty-200.xlsx", 1, "error", "activity", "E2", "uncertainty-range")
def _(name):
    save(with_activity([("5.1.1", 10, "t", "", 200)], header=HEADER + ("uncertainty_pct",)), name)


@case("date-as-activity.xlsx", 1, "error", "activity", "B2", "not-a-number")
def _(name):
    save(with_activity([("5.1.1", dt.date(2021, 3, 1), "t")]), name)


@case("header-missing.xlsx", 1, "error", "activity", "", "activity-header-missing")
def _(name):
    save(with_activity([("5.1.1", 10, "t")], header=("Code", "Quantity", "Unit")), name)


@case("formula-no-result.xlsx", 1, "error", "activity", "B2", "formula-without-value")
def _(name):
    save(with_activity([("5.1.1", "=2*500", "t"), ("5.9.1", 2000, "corpses")]), name)


@case("merged-cells.xlsx", 0, "warning", "activity", "D2", "merged-cells")
def _(name):
    wb = book()
    wb["activity"].merge_cells("D2:E2")
    save(wb, name)


@case("hidden-rows.xlsx", 0, "warning", "activity", "A3", "hidden-rows")
def _(name):
    wb = book()
    wb["activity"].row_dimensions[3].hidden = True
    save(wb, name)


@case("spaces.xlsx", 0, "warning", "activity", "A2", "spaces-removed")
def _(name):
    save(with_activity([(" 5.1.1 ", 10, "t")]), name)


@case("header-on-row-3.xlsx", 0, "warning", "activity", "A3", "header-not-first-row")
def _(name):
    save(book(above=[("Activity data of Testland",), ()]), name)


@case("extra-columns.xlsx", 0, "warning", "activity", "row 1", "extra-columns")
def _(name):
    rows = [("5.1.1", 10, "t", "", "ministry of energy")]
    save(with_activity(rows, header=HEADER + ("source",)), name)


@case("extra-sheet.xlsx", 0, "warning", "Calculations", "", "sheet-ignored")
def _(name):
    wb = book()
    wb.create_sheet("Calculations")["A1"] = "my working"
    save(wb, name)


@case("Côte d'Ivoire 2021.xlsx", 1, "error", "activity", "B3", "activity-negative")
def _(name):
    save(with_activity([("5.1.1", 10, "t"), ("5.9.1", -1, "corpses")]), name)


@case("libreoffice-quirks.xlsx", 0, "warning", "Activity ", "", "sheet-name-variant")
def _(name):
    """As LibreOffice and WPS write it: shared strings, cells and rows without `r`, a formula
    with its saved result, a sheet name typed with a capital and a trailing space."""
    wb = book()
    wb["activity"].title = "Activity "
    path = save(wb, name)

    def change(xml):
        xml = re.sub(r' r="[A-Z]+\d+"', "", xml)
        xml = re.sub(r'<row r="\d+"', "<row", xml)
        return xml.replace("<v>1000</v>", "<f>500*2</f><v>1000</v>")

    rewrite(path, ACTIVITY_XML, change)


@case("prefixed-xml.xlsx", 1, "error", "activity", "B3", "formula-without-value")
def _(name):
    """As the .NET Open XML SDK writes it: every element with a namespace prefix (x:c, x:f);
    here a formula whose result was never calculated."""
    path = save(book(), name)

    def change(xml):
        xml = xml.replace('xmlns="http://schemas', 'xmlns:x="http://schemas', 1)
        xml = re.sub(r"<(/?)([a-zA-Z]+)", r"<\1x:\2", xml)
        xml = xml.replace("<x:?xml", "<?xml")
        return xml.replace('<x:c r="B3" t="n"><x:v>2000</x:v>', '<x:c r="B3"><x:f>1000*2</x:f>')

    rewrite(path, ACTIVITY_XML, change)


@case("sep-line.csv", 1, "error", "", "B9", "activity-negative")
def _(name):
    """Excel's 'sep=;' first line; the cells keep the names Excel shows."""
    _csv(name, "sep=;\n" + CSV_OK.replace("5.9.1;2000", "5.9.1;-2000"))


@case("title-line.csv", 0, "warning", "", "B9", "number-as-text")
def _(name):
    """A title line above the tables, with no separator in it: ';' is still found."""
    text = "Inventaire mercure 2021\n" + CSV_OK.replace("1500,5", "1 500,5")
    _csv(name, text)


@case("semicolon-dot-thousands.csv", 1, "error", "", "B8", "number-unreadable")
def _(name):
    _csv(name, CSV_OK.replace("1500,5", "1.500"))


@case("string-typed-number.xlsx", 0, "warning", "activity", "B2", "number-as-text")
def _(name):
    path = save(book(), name)
    rewrite(path, ACTIVITY_XML, lambda x: x.replace('<c r="B2" t="n">', '<c r="B2" t="str">'))


@case("error-value.xlsx", 1, "error", "activity", "B2", "cell-error-value")
def _(name):
    path = save(book(), name)
    rewrite(
        path,
        ACTIVITY_XML,
        lambda x: x.replace(
            '<c r="B2" t="n"><v>1000</v>', '<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v>'
        ),
    )


@case("xxe-external-entity.xlsx", 1, "error", "", "", "file-unsafe")
def _(name):
    path = save(with_activity([("5.1.1", "PLACEHOLDER", "t")]), name)

    def change(xml):
        doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
        return '<?xml version="1.0"?>' + doctype + xml.replace("PLACEHOLDER", "&xxe;")

    rewrite(path, ACTIVITY_XML, change)


@case("billion-laughs.xlsx", 1, "error", "", "", "file-unsafe")
def _(name):
    path = save(with_activity([("5.1.1", "PLACEHOLDER", "t")]), name)
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]

    def change(xml):
        xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
        doctype = "<!DOCTYPE worksheet [" + "".join(entities) + "]>"
        return '<?xml version="1.0"?>' + doctype + xml.replace("PLACEHOLDER", "&l9;")

    rewrite(path, ACTIVITY_XML, change)


BOMB_BYTES = 201 * 2**20


def _bomb(path: Path) -> None:
    """A real workbook plus one part that inflates to 201 MB of spaces (about 200 kB zipped)."""
    save(book(), path.name)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/media/padding.xml", "w", force_zip64=True) as part:
            block = b" " * 2**20
            for _ in range(BOMB_BYTES // 2**20):
                part.write(block)


@case("zip-bomb.xlsx", 1, "error", "", "", "file-unsafe")
def _(name):
    _bomb(OUT / name)


@case("zip-bomb-lying-sizes.xlsx", 1, "error", "", "", "file-damaged")
def _(name):
    """The same bomb whose zip directory claims the big part is 1 kB."""
    path = OUT / name
    _bomb(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/media/padding.xml")
    # local header: uncompressed size at offset 22 (or in the zip64 extra field)
    start = info.header_offset
    n, m = struct.unpack("<HH", data[start + 26 : start + 30])
    extra = start + 30 + n
    if data[extra : extra + 2] == b"\x01\x00":
        data[extra + 4 : extra + 12] = struct.pack("<Q", 1024)
    else:
        data[start + 22 : start + 26] = struct.pack("<I", 1024)
    # its central directory entry: uncompressed size at offset 24
    eocd = data.rfind(b"PK\x05\x06")
    count, _size, pos = struct.unpack("<HII", data[eocd + 10 : eocd + 20])
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        if data[pos + 46 : pos + 46 + name_len] == b"xl/media/padding.xml":
            data[pos + 24 : pos + 28] = struct.pack("<I", 1024)
        pos += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


@case("not-a-spreadsheet.xlsx", 1, "error", "", "", "file-damaged")
def _(name):
    (OUT / name).write_text("Inventory notes, typed in Notepad and named .xlsx\n")


@case("notes.txt", 1, "error", "", "", "file-wrong-type")
def _(name):
    (OUT / name).write_text("country: Testland\n")


@case("truncated.xlsx", 1, "error", "", "", "file-damaged")
def _(name):
    path = save(book(), name)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@case("damaged-part.xlsx", 1, "error", "", "", "file-damaged")
def _(name):
    path = save(book(), name)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(ACTIVITY_XML)
    start = info.header_offset
    n, m = struct.unpack("<HH", data[start + 26 : start + 30])
    body = start + 30 + n + m
    for i in range(body + 10, body + min(info.compress_size, 60)):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


@case("password-protected.xlsx", 1, "error", "", "", "file-password-protected")
def _(name):
    if (OUT / name).exists():  # its encryption salt is random: keep the committed bytes
        return
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        print(f"  {name}: needs the package msoffcrypto-tool to be written")
        return
    plain = io.BytesIO()
    book().save(plain)
    plain.seek(0)
    with open(OUT / name, "wb") as out:
        OOXMLFile(plain).encrypt("hginv", out)


def _libreoffice(name: str) -> None:
    """A workbook really saved by LibreOffice (as .xlsx or .ods), with a negative activity.
    Kept as committed when it exists (LibreOffice stamps the time) or soffice is missing."""
    target = OUT / name
    if target.exists() or shutil.which("soffice") is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{target.stem}.xlsx"
        book(activity=[("5.1.1", 1000, "t"), ("5.9.1", -3, "corpses")]).save(source)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target.suffix[1:],
                "--outdir",
                str(Path(tmp) / "out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(Path(tmp) / "out" / name, target)


@case("libreoffice-saved.xlsx", 1, "error", "activity", "B3", "activity-negative")
def _(name):
    _libreoffice(name)


@case("libreoffice-saved.ods", 1, "error", "activity", "B3", "activity-negative")
def _(name):
    _libreoffice(name)


def _csv(name: str, text: str, encoding="utf-8") -> None:
    (OUT / name).write_bytes(text.replace("\n", "\r\n").encode(encoding))


CSV_OK = (
    "field;value\n"
    "country;Côte d'Ivoire\n"
    "year;2021\n"
    "population;26378274\n"
    "electrification_rate;72,5\n"
    "\n"
    "code;activity;unit;notes\n"
    "5.1.1;1500,5;t;Centrale thermique\n"
    "5.9.1;2000;corpses;Crématoriums\n"
    "5.2.3;NE;t;\n"
)


@case("semicolon utf8-bom.csv", 0, "none", "", "", "")
def _(name):
    _csv(name, CSV_OK, "utf-8-sig")


@case("semicolon-latin1.csv", 0, "warning", "", "", "csv-not-utf8")
def _(name):
    _csv(name, CSV_OK, "cp1252")


@case("comma-quoted-decimal.csv", 0, "warning", "", "B8", "number-as-text")
def _(name):
    _csv(name, CSV_OK.replace(";", ",").replace("72,5", "72.5").replace("1500,5", '"1500,5"'))


@case("comma-unquoted-decimal.csv", 1, "error", "", "line 8", "csv-extra-values")
def _(name):
    _csv(name, CSV_OK.replace(";", ",").replace("72,5", "72.5"))


@case("comma-unquoted-rate.csv", 1, "error", "", "line 5", "csv-extra-values")
def _(name):
    """electrification_rate,72,5 would otherwise be read as 72."""
    _csv(name, CSV_OK.replace(";", ",").replace("1500,5", "1500.5"))


@case("csv-negative.csv", 1, "error", "", "B9", "activity-negative")
def _(name):
    _csv(name, CSV_OK.replace("5.9.1;2000", "5.9.1;-2000"), "utf-8-sig")


@case("csv-no-country.csv", 1, "error", "", "", "csv-table-missing")
def _(name):
    _csv(name, CSV_OK.split("\n\n", 1)[1], "utf-8-sig")


@case("workbook-named.csv", 1, "error", "", "", "file-wrong-type")
def _(name):
    path = save(book(), name + ".xlsx")
    shutil.move(path, OUT / name)


@case("facility-unknown-control.xlsx", 1, "error", "facilities", "D2", "facility-control-unknown")
def _(name):
    wb = book()
    ws = wb.create_sheet("facilities")
    ws.append(["code", "facility", "activity", "control"])
    ws.append(["5.1.1", "Kessel Bay", 400, "magic-filter"])
    save(wb, name)


@case("facilities-exceed-national.xlsx", 1, "error", "activity", "B2", "facilities-above-national")
def _(name):
    wb = book()
    ws = wb.create_sheet("facilities")
    ws.append(["code", "facility", "activity", "control"])
    ws.append(["5.1.1", "Kessel Bay", 800, "coal-esp"])
    ws.append(["5.1.1", "Northgate", 700, "coal-esp"])
    save(wb, name)


@case("facilities-same-code.xlsx", 0, "none", "", "", "")
def _(name):
    """Two facilities under one code are two facilities, not a duplicate."""
    wb = book()
    ws = wb.create_sheet("facilities")
    ws.append(["code", "facility", "activity", "control"])
    ws.append(["5.1.1", "Kessel Bay", 400, "coal-esp"])
    ws.append(["5.1.1", "Northgate", 300, "coal-esp"])
    save(wb, name)


# --- hostile files, round two (issue 17): the reader must never take the process down --------


def _cfb(stream: bytes) -> bytes:
    """A minimal OLE compound file (what an .xls is) holding one `Workbook` stream."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")
    n = len(stream) // 512
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end] + [3 + i for i in range(n - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16,
        0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0,
    )
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108

    def entry(name, kind, child, start, size):
        raw = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIII", raw, len(raw), kind, 1, free, free, child, b"\0" * 16,
            0, 0, 0, start, size, 0,
        )

    dirs = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream)))
    return header + struct.pack("<128I", *fat) + dirs.ljust(512, b"\0") + stream


def _biff(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(dt_: int) -> bytes:
    return _biff(0x0809, struct.pack("<HHHHII", 0x0600, dt_, 0x0DBB, 0x07CC, 0, 0x06))


def _xls(
    sheet_records: list[bytes], position: int | None = None, global_records: list[bytes] = ()
) -> bytes:
    """An .xls with one sheet 'activity' holding `sheet_records`; `position` overrides where
    the sheet's records are said to start; `global_records` go into the workbook globals."""
    name = b"activity"
    eof = _biff(0x000A, b"")
    globals_ = b"".join(global_records)
    start = len(_bof(5)) + len(globals_) + 4 + 8 + len(name) + len(eof)
    sheet = _biff(0x0085, struct.pack("<IBBBB", position or start, 0, 0, len(name), 0) + name)
    return _cfb(_bof(5) + globals_ + sheet + eof + _bof(0x10) + b"".join(sheet_records) + eof)


@case("biff-huge-dimensions.xls", 1, "error", "activity", "", "xls-damaged")
def _(name):
    """The sheet declares 4 billion rows: calamine's allocation aborts the process (exit 134),
    so the .xls pre-scan refuses it (also where the read runs in the process: Windows)."""
    dims = _biff(0x0200, struct.pack("<IIHHH", 0, 0xFFFFFFFF, 0, 0xFFFF, 0))
    (OUT / name).write_bytes(_xls([dims]))


@case("biff-bad-sheet-offset.xls", 1, "error", "activity", "", "xls-damaged")
def _(name):
    """The sheet is said to start past the end of the stream: calamine panics
    (PanicException, a BaseException); the .xls pre-scan refuses it first."""
    (OUT / name).write_bytes(_xls([], position=999_999))


@case("biff-cut-string.xls", 1, "error", "", "", "file-damaged")
def _(name):
    """A shared string whose extension size is cut off: calamine panics (PanicException).
    The pre-scan does not look into strings: the panic itself is caught, in a child process
    or in this one."""
    sst = struct.pack("<II", 1, 1) + struct.pack("<HB", 1, 0x04) + b"\0\0\0"
    (OUT / name).write_bytes(_xls([], global_records=[_biff(0x00FC, sst)]))


@case("far-corner-cell.xlsx", 1, "error", "", "", "file-unreadable")
def _(name):
    """One value at Excel's last cell: calamine would allocate the whole sheet and abort."""
    path = save(book(), name)
    rewrite(path, ACTIVITY_XML, lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    ))


@case("row-beyond-excel.xlsx", 1, "error", "", "", "file-unreadable")
def _(name):
    """A row number Excel cannot have (2,000,000): invisible in Excel, it must not be read."""
    path = save(book(), name)
    rewrite(path, ACTIVITY_XML, lambda x: x.replace(
        "</sheetData>",
        '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>5.9.1</t></is></c>'
        '<c r="B2000000"><v>5</v></c></row></sheetData>',
    ))


@case("ods-repeated-rows.ods", 1, "error", "", "", "file-unreadable")
def _(name):
    """A value in a row repeated 200,000 times: the reader would expand every copy."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )

    def cell(v):
        kind = "float" if isinstance(v, int) else "string"
        value = f' office:value="{v}"' if kind == "float" else ""
        return (f'<table:table-cell office:value-type="{kind}"{value}><text:p>{v}</text:p>'
                "</table:table-cell>")

    def table(title, rows, repeat_last=1):
        out = [f'<table:table table:name="{title}">']
        for i, r in enumerate(rows):
            rep = f' table:number-rows-repeated="{repeat_last}"' if i == len(rows) - 1 else ""
            out.append(f"<table:table-row{rep}>" + "".join(cell(v) for v in r)
                       + "</table:table-row>")
        return "".join(out) + "</table:table>"

    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
        "<office:spreadsheet>"
        + table("country", [("field", "value"), *COUNTRY])
        + table("activity", [HEADER[:3], ("5.1.1", 1000, "t")], repeat_last=200_000)
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(OUT / name, "w") as z:
        for part, data, how in (
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
            ("content.xml", content, zipfile.ZIP_DEFLATED),
            ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
        ):
            info = zipfile.ZipInfo(part, date_time=(2021, 1, 1, 0, 0, 0))
            info.compress_type = how
            z.writestr(info, data)


@case("unclosed-quote.csv", 1, "error", "", "line 8", "csv-quote-unclosed")
def _(name):
    """Without the check, every row after the quote disappears into one note."""
    _csv(name, CSV_OK.replace("Centrale thermique", '"Centrale thermique'))


@case("overflow-1e308.csv", 1, "error", "", "B8", "activity-above-world-tenfold")
def _(name):
    """1e308 Mt is 1e314 t: more than a float holds (inf kg Hg/y), refused by the plausibility
    screen before any calculation (docs/quality-checks.md)."""
    _csv(name, CSV_OK.replace("1500,5;t", "1e308;Mt"))


@case("control-characters.csv", 0, "warning", "", "B2", "control-characters")
def _(name):
    """BEL and ESC in the country name, NUL-free (a NUL makes it binary): removed, warned."""
    _csv(name, CSV_OK.replace("Côte d'Ivoire", "Côte\x07 d'Ivoire\x1b[31m"))


@case("control-characters.xlsx", 0, "warning", "country", "B2", "control-characters")
def _(name):
    """Excel's escape _x0007_ in a cell: the reader gives the control character."""
    path = save(with_country(country="Testland BELL"), name)
    rewrite(path, COUNTRY_XML, lambda x: x.replace("BELL", "_x0007__x001B_"))


@case("markup-and-formula-text.csv", 0, "none", "", "", "")
def _(name):
    """Text that rich, a spreadsheet or matplotlib would interpret: all of it is data."""
    _csv(
        name,
        CSV_OK.replace("Côte d'Ivoire", "\ufeff=1+1 [bold]Côte[/x] $\\\\frac{1}{0}$")
        .replace("Centrale thermique", "[link=https://example.org]x[/link] $x^2$"),
    )


@case("long-country-name.csv", 0, "none", "", "", "")
def _(name):
    """300 characters: more than a .docx core property holds (255)."""
    _csv(name, CSV_OK.replace("Côte d'Ivoire", "République " + "très " * 58 + "longue"))


def main(only: list[str]) -> None:
    """Write every case, or only the named ones (keeping the committed bytes of the others:
    the LibreOffice cases depend on the time of saving); expected.csv is always rewritten."""
    OUT.mkdir(exist_ok=True)
    for name, *_rest, make in CASES:
        if not only or name in only:
            make(name)
    with open(OUT / "expected.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "exit_code", "severity", "sheet", "cell", "code"])
        for name, exit_code, severity, sheet, cell, code, _make in CASES:
            writer.writerow([name, exit_code, severity, sheet, cell, code])
    print(f"wrote {len(CASES)} files and expected.csv in {OUT}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
