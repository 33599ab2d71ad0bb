"""The .xls pre-scan (read.xls_scan): a real .xls (saved by LibreOffice) reads as its .xlsx
does; malformed compound files and BIFF records are located refusals, never a hang or a crash,
also where the read runs in this process (Windows)."""

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hginventory.cli import main
from hginventory.core.errors import InputFileError
from hginventory.read import gate
from hginventory.read.xls_scan import scan_xls
from tests.conftest import codes

BAD = Path(__file__).parent / "data" / "bad"
EXAMPLE = Path(__file__).parent.parent / "examples" / "valdoria-2021.xlsx"
END, FREE, FATSECT, DIFSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFC


@pytest.fixture(scope="module")
def good_xls(tmp_path_factory):
    """The example workbook saved as Excel 97-2003 by LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    d = tmp_path_factory.mktemp("xls")
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={(d / 'profile').as_uri()}", "--headless",
         "--convert-to", "xls", "--outdir", str(d), str(EXAMPLE)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    path = d / "valdoria-2021.xls"
    assert done.returncode == 0 and path.is_file(), done.stderr
    return path


def test_a_real_xls_reads_as_its_xlsx(good_xls, tmp_path, monkeypatch):
    monkeypatch.setenv("HGINV_READ_IN_PROCESS", "1")
    scan_xls(good_xls)
    assert CliRunner().invoke(main, ["validate", str(good_xls)]).exit_code == 0
    out = {}
    for src in (good_xls, EXAMPLE):
        csv = tmp_path / f"{src.suffix[1:]}.csv"
        result = CliRunner().invoke(main, ["compute", str(src), "--csv-only", "--csv", str(csv)])
        assert result.exit_code == 0, result.output
        out[src.suffix] = csv.read_bytes()
    assert out[".xls"] == out[".xlsx"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_mutated_xls_in_process_is_read_or_refused(good_xls, tmp_path, monkeypatch, changes, cut):
    """Random bytes changed (or the file cut) in a real .xls, read in this process: a
    reader abort would end the test run itself."""
    monkeypatch.setenv("HGINV_READ_IN_PROCESS", "1")
    data = bytearray(good_xls.read_bytes())
    for where, value in changes:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path / f"m{abs(hash((tuple(changes), cut)))}.xls"
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "unexpected problem" not in result.output
    path.unlink()


def _refused(data: bytes, tmp_path: Path, fragment: str, code: str = "xls-damaged") -> None:
    path = tmp_path / "t.xls"
    path.write_bytes(data)
    with pytest.raises(InputFileError, match=fragment) as caught:
        scan_xls(path)
    assert codes(caught) == [code]  # the message says which part is damaged
    assert str(path) in str(caught.value)


def _set_fat(data: bytes, sector: int, value: int) -> bytes:
    """The corpus files have one FAT sector, the file's sector 0 (at byte 512)."""
    out = bytearray(data)
    struct.pack_into("<I", out, 512 + 4 * sector, value)
    return bytes(out)


def test_a_sector_chain_that_loops_or_leaves_the_file_is_refused(tmp_path):
    data = (BAD / "biff-huge-dimensions.xls").read_bytes()  # the stream starts at sector 2
    _refused(_set_fat(data, 3, 2), tmp_path, "a chain of sectors loops")
    _refused(_set_fat(data, 3, 99_999), tmp_path, "points outside the file")
    _refused(data[:1024], tmp_path, "points outside the file")
    _refused(data[:300], tmp_path, "ends inside its header")


def _biff(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _workbook(sheet_records: bytes = b"", position: int | None = None) -> bytes:
    """A BIFF8 workbook stream with one sheet 'activity'."""
    bof = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 5, 0x0DBB, 0x07CC, 0, 6))
    eof = _biff(0x000A, b"")
    start = len(bof) + 4 + 8 + 8 + len(eof)
    sheet = _biff(0x0085, struct.pack("<IBBBB", position or start, 0, 0, 8, 0) + b"activity")
    return bof + sheet + eof + bof + sheet_records + eof


def _cfb(stream: bytes, *, fat_sectors: int = 1, at: int = 0) -> bytes:
    """A compound file holding `stream` as `Workbook`: in the mini stream when under 4,096
    bytes, else in regular sectors starting at sector `at` (to need the DIFAT: more than 109
    FAT sectors, the sectors of the stream covered by the last one)."""
    per = 128
    mini = len(stream) < 4096
    dir_at = fat_sectors + (1 if fat_sectors > 109 else 0)  # after the FAT and DIFAT sectors
    mini_fat_at = dir_at + 1
    body_at = max(mini_fat_at + 1, at)
    body = stream
    if mini:
        body = stream.ljust(-(-len(stream) // 64) * 64, b"\0")
    body = body.ljust(-(-len(body) // 512) * 512, b"\0")
    n = body_at + len(body) // 512
    fat = [FREE] * (fat_sectors * per)
    fat[:fat_sectors] = [FATSECT] * fat_sectors
    if fat_sectors > 109:
        fat[fat_sectors] = DIFSECT
    fat[dir_at] = fat[mini_fat_at] = END
    for i in range(body_at, n):
        fat[i] = i + 1 if i + 1 < n else END
    mini_fat = [FREE] * per
    k = -(-len(stream) // 64) if mini else 0
    for i in range(k):
        mini_fat[i] = i + 1 if i + 1 < k else END
    difat = list(range(min(fat_sectors, 109))) + [FREE] * (109 - min(fat_sectors, 109))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16,
        0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, fat_sectors, dir_at, 0, 4096,
        mini_fat_at, 1, fat_sectors if fat_sectors > 109 else END, 1 if fat_sectors > 109 else 0,
    ) + struct.pack("<109I", *difat)  # fmt: skip

    def entry(name, kind, start, size):
        raw = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIII", raw, len(raw), kind, 1, FREE, FREE, 1 if kind == 5 else FREE,
            b"\0" * 16, 0, 0, 0, start, size, 0,
        )  # fmt: skip

    root = entry("Root Entry", 5, body_at if mini else END, len(body) if mini else 0)
    book = entry("Workbook", 2, 0 if mini else body_at, len(stream))
    sectors = [b""] * n
    for i in range(fat_sectors):
        sectors[i] = struct.pack(f"<{per}I", *fat[i * per : (i + 1) * per])
    if fat_sectors > 109:
        rest = list(range(109, fat_sectors))
        sectors[fat_sectors] = struct.pack(
            f"<{per}I", *(rest + [FREE] * (per - 1 - len(rest))), END
        )
    sectors[dir_at] = (root + book).ljust(512, b"\0")
    sectors[mini_fat_at] = struct.pack(f"<{per}I", *mini_fat)
    for i in range(body_at, n):
        sectors[i] = body[(i - body_at) * 512 : (i - body_at + 1) * 512]
    return header + b"".join(s.ljust(512, b"\0") for s in sectors)


def test_the_stream_is_found_in_the_mini_stream_and_beyond_the_header_difat(tmp_path):
    """A workbook under 4,096 bytes lives in the mini stream; a file of more than 109 FAT
    sectors lists the others in DIFAT sectors. A sound stream passes, and a sheet said to
    start past its end is refused (so the stream was found and read)."""
    sound, bad = _workbook(), _workbook(position=9_999)
    path = tmp_path / "ok.xls"
    for pad, layout in ((0, {}), (4096, {"fat_sectors": 110, "at": 109 * 128 + 5})):
        path.write_bytes(_cfb(sound.ljust(pad, b"\0"), **layout))
        scan_xls(path)
        _refused(_cfb(bad.ljust(pad, b"\0"), **layout), tmp_path, "said to start past the end")


def test_record_and_area_limits(tmp_path):
    big = _biff(0x0200, struct.pack("<IIHHH", 0, 30_000, 0, 4, 0))
    _refused(_cfb(_workbook(big)), tmp_path, "hginv reads at most 25,000 rows", "sheet-too-large")
    cell = _biff(0x0203, struct.pack("<HHHd", 3, 300, 0, 1.0))
    _refused(_cfb(_workbook(cell)), tmp_path, "an .xls sheet holds at most 65,536 rows and 256")
    backwards = _biff(0x0200, struct.pack("<IIHHH", 9, 2, 0, 4, 0))
    _refused(_cfb(_workbook(backwards)), tmp_path, "ends before it starts")
    huge = struct.pack("<HH", 0x0203, 9000) + b"\0" * 9000
    _refused(_cfb(_workbook(huge)), tmp_path, "a record of 9,000 bytes")
    cut = struct.pack("<HH", 0x0203, 100) + b"\0" * 10
    _refused(_cfb(_workbook(cut)), tmp_path, "runs past the end")
    not_a_sheet = _workbook(position=4)
    _refused(_cfb(not_a_sheet), tmp_path, "where no sheet starts")


def test_a_file_that_is_not_a_compound_file_is_left_to_the_reader(tmp_path, monkeypatch):
    monkeypatch.setenv("HGINV_READ_IN_PROCESS", "1")
    for name, data in (("zip.xls", EXAMPLE.read_bytes()), ("text.xls", b"country,year\n")):
        path = tmp_path / name
        path.write_bytes(data)
        scan_xls(path)
        result = CliRunner().invoke(main, ["validate", "--json", str(path)])
        assert result.exit_code == 1
        assert codes(result) == ["file-damaged"]


def test_a_crash_the_prescan_does_not_know_ends_only_the_reader_child(monkeypatch):
    """With `fork` the child process stays the guard for what the pre-scan does not check:
    with the pre-scan switched off, the 4-billion-row sheet aborts the child alone."""
    monkeypatch.delenv("HGINV_READ_IN_PROCESS", raising=False)
    monkeypatch.setattr(gate, "scan_xls", lambda path: None)
    with pytest.raises(InputFileError, match="the spreadsheet reader stopped") as caught:
        gate.read_book(BAD / "biff-huge-dimensions.xls", {"activity"})
    assert codes(caught) == ["file-unreadable"]
