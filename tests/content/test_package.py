"""A module as a zip: export, import, the round trip, and zips that must be refused whole."""

from __future__ import annotations

import io
import json
import stat
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ehealth.cli import cli
from ehealth.content.loader import content_hash, load_module_folder
from ehealth.content.package import (
    ExportError,
    ImportResult,
    ZipLimits,
    canonical_json,
    export_zip,
    import_zip,
)
from ehealth.content.walk import media_references
from tests.content.module_content import changed, sample_content, step

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = sorted(path for path in (ROOT / "modules").iterdir() if path.is_dir())
MEDIA = ROOT / "media"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10"/></svg>\n'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def shipped(folder: Path) -> tuple[dict[str, Any], dict[str, bytes], str]:
    """A shipped module's content, its media and its content hash, as the loader reads them."""
    result = load_module_folder(folder, MEDIA)
    assert result.module is not None, result.problems
    content = result.module.content
    media = {ref.src: (MEDIA / ref.src).read_bytes() for ref in media_references(content)}
    return content, media, result.module.content_hash


def sample_zip(change: Callable[[dict[str, Any]], None] | None = None) -> bytes:
    """The sample module (every step type) as a zip, with its cover."""
    content = sample_content()
    if change:
        change(content)
    return export_zip(content, {"proef/cover.svg": SVG})


def build_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    """A zip with exactly these entries (duplicates and odd names included)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names: that is the test
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def entries_of(data: bytes) -> list[tuple[str, bytes]]:
    """(name, bytes) of every member of a zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def messages(result: ImportResult) -> list[str]:
    """Every problem as ``file: path: message``."""
    return [str(problem) for problem in result.problems]


def assert_refused(result: ImportResult, *expected: str) -> None:
    """Nothing imported, and each expected text is in some problem."""
    assert result.content is None
    assert result.media == {}
    assert result.module is None
    assert not result.ok
    found = messages(result)
    for text in expected:
        assert any(text in line for line in found), (text, found)


# -- the round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", SHIPPED, ids=[path.name for path in SHIPPED])
def test_every_shipped_module_survives_the_round_trip(folder: Path) -> None:
    content, media, digest = shipped(folder)
    data = export_zip(content, media)
    result = import_zip(data)
    assert result.ok, messages(result)
    assert result.content == content
    assert content_hash(result.content) == digest
    assert result.media == media
    assert export_zip(result.content, result.media) == data
    for name, raw in entries_of(data):
        if name.endswith(".json"):
            assert raw == canonical_json(json.loads(raw))


def test_the_unzipped_export_passes_check_modules(tmp_path: Path) -> None:
    for folder in SHIPPED:
        content, media, _ = shipped(folder)
        with zipfile.ZipFile(io.BytesIO(export_zip(content, media))) as archive:
            archive.extractall(tmp_path)
    assert sorted(p.name for p in (tmp_path / "modules").iterdir()) == [p.name for p in SHIPPED]
    result = CliRunner().invoke(cli, ["check-modules", str(tmp_path / "modules"), "--media",
                                      str(tmp_path / "media"), "--no-database"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{len(SHIPPED)} module(s) OK" in result.output


def test_the_zip_holds_the_module_folder_and_its_media_in_module_order() -> None:
    content, media, _ = shipped(ROOT / "modules" / "wat-gaat-er-goed")
    names = [name for name, _ in entries_of(export_zip(content, media))]
    lessons = content["module"]["lessons"]
    assert names == [
        "modules/wat-gaat-er-goed/module.json",
        *(f"modules/wat-gaat-er-goed/lessons/{lesson}.json" for lesson in lessons),
        *(f"media/{src}" for src in dict.fromkeys(ref.src for ref in media_references(content))),
    ]


def test_the_json_is_canonical_two_spaces_utf8_keys_as_authored_and_a_final_newline() -> None:
    content = sample_content()
    content["module"] = {"$schema": "x.json", **content["module"]}
    content["module"]["title"] = {"nl": "Één proef", "en": "A trial"}
    files = dict(entries_of(export_zip(content, {})))
    text = files["modules/proef/module.json"].decode("utf-8")
    assert text.startswith('{\n  "id": "proef",\n  "version": "1.2.3",\n')
    assert '"nl": "Één proef"' in text
    assert text.endswith("}\n")
    assert "$schema" not in text
    assert list(json.loads(text)) == [k for k in content["module"] if k != "$schema"]


def test_the_same_content_gives_the_same_zip_byte_for_byte() -> None:
    assert sample_zip() == sample_zip()


def test_only_media_the_content_names_are_written() -> None:
    content = sample_content()
    names = [name for name, _ in entries_of(export_zip(content, {
        "proef/cover.svg": SVG, "proef/unused.svg": SVG, "../elders.svg": SVG}))]
    assert [n for n in names if n.startswith("media/")] == ["media/proef/cover.svg"]


def test_a_draft_with_problems_is_exported_and_its_problems_come_back_on_import() -> None:
    draft = sample_content()
    del step(draft, "sample-choice")["question"]
    result = import_zip(export_zip(draft, {"proef/cover.svg": SVG}))
    assert_refused(result, "modules/proef/lessons/begin.json: steps[5].question: Missing data")


def test_export_refuses_names_that_cannot_be_files() -> None:
    content = sample_content()
    content["module"]["id"] = "../elders"
    with pytest.raises(ExportError, match="module id"):
        export_zip(content, {})
    content = sample_content()
    content["lessons"]["../elders"] = {"id": "x"}
    with pytest.raises(ExportError, match="lesson id"):
        export_zip(content, {})
    with pytest.raises(ExportError, match="Not module content"):
        export_zip({"module": []}, {})


# -- zips that are not zips ----------------------------------------------------------------------


def test_not_a_zip_is_refused() -> None:
    assert_refused(import_zip(b"this is not a zip"), "module.zip: $: Not a zip file")


def test_a_truncated_zip_is_refused() -> None:
    data = sample_zip()
    assert_refused(import_zip(data[: len(data) // 2]), "Not a zip file, or a damaged one")


def test_a_damaged_member_is_refused_with_its_name() -> None:
    data = bytearray(sample_zip())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("modules/proef/lessons/begin.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + 100
    data[start:start + 40] = b"\x00" * 40
    assert_refused(import_zip(bytes(data)),
                   "modules/proef/lessons/begin.json: $: Cannot be read from the zip")


# -- what a zip may hold -------------------------------------------------------------------------


def test_bad_json_in_a_lesson_is_reported_with_every_other_problem() -> None:
    entries = entries_of(sample_zip())
    entries = [(name, b'{"id": "verder", "title": ' if name.endswith("verder.json") else data)
               for name, data in entries]
    entries.append(("media/proef/extra.svg", SVG))
    result = import_zip(build_zip(entries))
    assert_refused(result,
                   "modules/proef/lessons/verder.json: $: Invalid JSON at line 1, column 27",
                   "media/proef/extra.svg: $: Not used by the module")


def test_duplicate_keys_are_found_by_the_loaders_parser() -> None:
    entries = [(name, data.replace(b'"id": "proef",', b'"id": "proef", "id": "proef",', 1)
                if name.endswith("module.json") else data)
               for name, data in entries_of(sample_zip())]
    assert_refused(import_zip(build_zip(entries)), "module.json: id: Duplicate key")


@pytest.mark.parametrize("name", [
    "../evil.json", "modules/proef/../../evil.json", "/etc/passwd", "C:/boot.ini",
    "modules\\proef\\evil.json", "modules/./proef/x.json", "modules//proef/x.json",
])
def test_a_member_outside_the_zip_or_with_an_odd_path_is_refused(name: str) -> None:
    data = build_zip([*entries_of(sample_zip()), (name, b"{}")])
    assert_refused(import_zip(data), "module.zip: $: Refused entry")


def test_a_symbolic_link_is_refused() -> None:
    link = zipfile.ZipInfo("media/proef/link.svg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = build_zip([*entries_of(sample_zip()), (link, b"/etc/passwd")])
    assert_refused(import_zip(data), "it is a symbolic link")


def test_an_encrypted_member_is_refused() -> None:
    data = bytearray(build_zip([("media/proef/secret.svg", SVG)]))
    # Set the "encrypted" flag in the local and the central header (zipfile cannot encrypt).
    data[data.find(b"PK\x03\x04") + 6] |= 0x1
    data[data.find(b"PK\x01\x02") + 8] |= 0x1
    assert_refused(import_zip(bytes(data)), "it is encrypted")


def test_a_name_twice_is_refused_even_in_other_capitals() -> None:
    entries = entries_of(sample_zip())
    twice = build_zip([*entries, entries[1]])
    assert_refused(import_zip(twice), "is in the zip twice.")
    capitals = build_zip([*entries, ("MODULES/proef/module.json", entries[0][1])])
    assert_refused(import_zip(capitals), "differ only in capitals")


def test_a_bomb_like_member_is_refused_before_it_is_unpacked() -> None:
    bomb = b"\x00" * (3 * 1024 * 1024)
    data = build_zip([*entries_of(sample_zip()), ("media/proef/bom.svg", bomb)])
    assert len(data) < 100_000
    assert_refused(import_zip(data), "media/proef/bom.svg: $: Refused: it unpacks to 3,145,728 "
                                     "bytes", "a zip bomb?")


def test_a_member_that_lies_about_its_size_is_refused() -> None:
    info = zipfile.ZipInfo("modules/proef/lessons/begin.json")
    data = bytearray(build_zip([(info, b"x" * 5000)]))
    # Claim (in both headers) that the member is smaller than it is: reading stops there and
    # the checksum does not match.
    header = data.find(b"PK\x03\x04")
    data[header + 22:header + 26] = (100).to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    assert_refused(import_zip(bytes(data)), "Cannot be read from the zip")


def test_sizes_and_counts_over_the_limits_are_refused() -> None:
    data = sample_zip()
    assert_refused(import_zip(data, limits=ZipLimits(archive_bytes=1000)),
                   "at most 1,000 are allowed")
    assert_refused(import_zip(data, limits=ZipLimits(members=3)),
                   f"The zip has {len(entries_of(data))} entries; at most 3")
    assert_refused(import_zip(data, limits=ZipLimits(json_bytes=500)),
                   "modules/proef/lessons/begin.json: $: Too large")
    assert_refused(import_zip(data, limits=ZipLimits(total_bytes=1000)),
                   "The zip unpacks to")
    assert_refused(import_zip(data, limits=ZipLimits(media_bytes=10)),
                   "media/proef/cover.svg: $: Too large")


def test_two_module_folders_are_refused() -> None:
    entries = entries_of(sample_zip())
    other = [(name.replace("modules/proef/", "modules/ander/"), raw) for name, raw in entries
             if name.startswith("modules/")]
    assert_refused(import_zip(build_zip([*entries, *other])),
                   "2 module folders (proef, ander): a module zip holds exactly one.")


def test_a_zip_without_module_json_is_refused() -> None:
    entries = [e for e in entries_of(sample_zip()) if not e[0].endswith("module.json")]
    assert_refused(import_zip(build_zip(entries)),
                   "modules/proef/module.json: $: Missing module.json")


def test_a_zip_without_a_module_folder_is_refused() -> None:
    assert_refused(import_zip(build_zip([("proef/module.json", b"{}")])),
                   "No module folder: expected modules/<module-id>/module.json.",
                   'proef/module.json: $: Unexpected file: a module zip holds modules/')


def test_files_out_of_place_are_refused() -> None:
    entries = [*entries_of(sample_zip()),
               ("modules/proef/notes.txt", b"x"),
               ("modules/proef/lessons/begin.txt", b"x"),
               ("modules/proef/lessons/oud/begin.json", b"{}"),
               ("media/proef/run.exe", b"MZ"),
               ("README.md", b"x")]
    assert_refused(import_zip(build_zip(entries)),
                   "modules/proef/notes.txt: $: Unexpected file: a module folder holds",
                   "modules/proef/lessons/begin.txt: $: Only .json lesson files",
                   "modules/proef/lessons/oud/begin.json: $: Only .json lesson files",
                   "media/proef/run.exe: $: Not a media file this format allows",
                   "README.md: $: Unexpected file")


def test_what_zip_tools_add_is_ignored() -> None:
    entries = [*entries_of(sample_zip()), ("__MACOSX/modules/._module.json", b"junk"),
               ("modules/proef/.DS_Store", b"junk"), ("modules/", b""),
               ("modules/proef/", b""), ("modules/proef/lessons/", b""), ("media/", b"")]
    result = import_zip(build_zip(entries))
    assert result.ok, messages(result)


def test_a_media_file_must_be_what_its_name_says() -> None:
    entries = [(name, PNG if name.endswith("cover.svg") else raw)
               for name, raw in entries_of(sample_zip())]
    assert_refused(import_zip(build_zip(entries)),
                   "media/proef/cover.svg: $: The content is not a .svg file")


def test_a_named_media_file_must_be_in_the_zip_or_the_media_folder(tmp_path: Path) -> None:
    entries = [e for e in entries_of(sample_zip()) if not e[0].startswith("media/")]
    data = build_zip(entries)
    assert_refused(import_zip(data), 'modules/proef/module.json: cover.src: Media file '
                                     '"proef/cover.svg" is not in the zip (media/proef/cover.svg).')
    (tmp_path / "proef").mkdir()
    (tmp_path / "proef" / "cover.svg").write_bytes(SVG)
    result = import_zip(data, tmp_path)
    assert result.ok, messages(result)
    assert result.media == {}  # already stored: nothing new to store


def test_the_checkers_problems_name_the_files_in_the_zip() -> None:
    def break_it(content: dict[str, Any]) -> None:
        content["module"]["id"] = "anders"
        content["lessons"]["begin"]["id"] = "start"
        step(content, "sample-summary")["steps"].append("nergens")

    result = import_zip(sample_zip(break_it))
    assert_refused(
        result,
        'modules/anders/lessons/begin.json: id: Lesson id "start" does not match its file name',
        'modules/anders/lessons/verder.json: steps[4].steps[7]: Unknown step "nergens"')


def test_a_module_id_must_match_its_folder_in_the_zip() -> None:
    entries = [(name.replace("modules/proef/", "modules/ander/"), raw)
               for name, raw in entries_of(sample_zip())]
    assert_refused(import_zip(build_zip(entries)),
                   'modules/ander/module.json: id: Module id "proef" does not match its folder '
                   'name "ander".')


def test_a_good_zip_imports_content_media_and_the_checked_module() -> None:
    result = import_zip(sample_zip())
    assert result.ok
    assert result.content == changed(sample_content())
    assert result.media == {"proef/cover.svg": SVG}
    assert result.module is not None
    assert result.module.step_count == 11


def test_problems_come_zip_first_then_module_json_then_lessons_in_module_order() -> None:
    def break_it(content: dict[str, Any]) -> None:
        content["module"]["estimated_minutes"] = 0
        del step(content, "sample-goal")["prompt"]
        del step(content, "sample-text")["body"]

    entries = [*entries_of(sample_zip(break_it)), ("../x", b"")]
    files = [p.file for p in import_zip(build_zip(entries)).problems]
    assert files == ["module.zip", "modules/proef/module.json",
                     "modules/proef/lessons/begin.json", "modules/proef/lessons/verder.json"]
