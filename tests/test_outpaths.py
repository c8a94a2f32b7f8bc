"""qdq.outpaths: names from stored or user data stay one component inside the folder."""

from __future__ import annotations

import os

import pytest

from qdq.errors import ParameterError
from qdq.outpaths import confined_path, output_dir, safe_filename


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "..", ".", "", "a/../../b",
                                  "..\\..\\x", "\x00nul", "~/x", "x" * 5000, ".hidden",
                                  "con:stream", "\u202eevil"])
def test_safe_filename_is_one_harmless_component(tmp_path, name):
    out = safe_filename(name)
    assert out and "/" not in out and "\\" not in out and not out.startswith(".")
    assert len(out) <= 120 and out not in (".", "..")
    assert confined_path(tmp_path, name).parent == tmp_path.resolve()


def test_safe_filename_redacts_secrets(monkeypatch):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "tokTOKENtokTOKEN-0123456789abcdef")
    assert "tokTOKEN" not in safe_filename("run-tokTOKENtokTOKEN-0123456789abcdef-x")


def test_confined_path_refuses_symlinks(tmp_path):
    (tmp_path / "link.json").symlink_to(tmp_path.parent / "elsewhere.json")
    with pytest.raises(ParameterError, match="symbolic link"):
        confined_path(tmp_path, "link.json")


def test_output_dir_says_what_is_wrong(tmp_path):
    f = tmp_path / "f"
    f.write_text("")
    with pytest.raises(ParameterError, match="exists and is not a directory"):
        output_dir(f)
    link = tmp_path / "l"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(ParameterError, match="dangling symbolic link"):
        output_dir(link)
    with pytest.raises(ParameterError, match="cannot create"):
        output_dir(f / "sub")
    assert output_dir(tmp_path / "new" / "dir").is_dir()
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ParameterError, match="not writable"):
            output_dir(locked)
