"""Linux desktop files and the app icon: validators, sizes, SVG source, ICO/ICNS containers.

``desktop-file-validate`` (desktop-file-utils) and ``appstreamcli`` (appstream) are
required, not optional: ``.ci/run`` installs both, and a missing one fails the test
with the package to install.
"""

from __future__ import annotations

import configparser
import glob
import importlib.util
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtSvg import QSvgRenderer

from llmasos.apps.gui.common.icons import APP_ID, ICON_SIZES, app_icon, icon_files, icons_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "resources" / "linux"
ICONS = ROOT / "resources" / "icons"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SVG = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def load_render_icons():
    """packaging/render_icons.py as a module (packaging/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "render_icons", ROOT / "packaging" / "render_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package {package} (.ci/run does)"
    return path


def run_validator(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def test_desktop_file_is_valid():
    output = run_validator(tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP))
    assert "error:" not in output and "warning:" not in output, output


def test_desktop_file_names_the_icon_and_launcher():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive in desktop files
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Icon"] == APP_ID
    assert section["Exec"].split()[0] == "llmasos-gui"  # the [project.gui-scripts] launcher
    assert (
        "llmasos-gui"
        in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["gui-scripts"]
    )
    assert section["Name[zh_CN]"] and section["Comment[zh_CN]"]


def test_metainfo_is_valid_appstream():
    output = run_validator(tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO))
    errors = [line for line in output.splitlines() if line.startswith(("E:", "W:"))]
    assert not errors, output


def test_metainfo_matches_desktop_file():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("project_license") == "Apache-2.0"
    assert any(r.get("version") for r in root.iter("release"))


def test_svg_parses_and_qt_can_draw_it():
    root = ET.parse(SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    renderer = QSvgRenderer(str(SVG))
    assert renderer.isValid()
    assert renderer.defaultSize().width() == 256


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_exists_with_its_size(size: int):
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is missing or not a PNG"
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # the rounded corner is transparent
    assert image.pixelColor(size // 2, size // 2).alpha() == 255


def mean_difference(a: QImage, b: QImage) -> float:
    a = a.convertToFormat(QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QImage.Format.Format_RGBA8888)
    pa, pb = bytes(a.constBits()), bytes(b.constBits())
    assert len(pa) == len(pb)
    return sum(abs(x - y) for x, y in zip(pa, pb, strict=True)) / len(pa)


def test_committed_renders_match_the_svg(qapp, tmp_path: Path):
    """Fails when the SVG was edited without running packaging/render_icons.py."""
    render_icons = load_render_icons()
    render_icons.render_all(SVG, tmp_path)
    for size in (16, 48, 256):
        fresh = QImage(str(render_icons.png_path(size, tmp_path)))
        committed = QImage(str(render_icons.png_path(size, ICONS)))
        # a little slack for antialiasing differences between Qt versions
        assert mean_difference(fresh, committed) < 2.0, f"{size} px: run packaging/render_icons.py"


def test_ico_holds_every_size_as_png():
    data = (ICONS / "llmasos.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, _h, _c, _r, _p, _bpp, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    reader = QImageReader(str(ICONS / "llmasos.ico"))  # and Qt's own reader agrees
    assert reader.imageCount() == count


def test_icns_chunks_cover_the_file():
    data = (ICONS / "llmasos.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack_from(">I", data, 4)[0] == len(data)
    kinds, offset = [], 8
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack_from(">I", data, offset + 4)[0]
        assert data[offset + 8 : offset + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind)
        offset += length
    assert offset == len(data)
    assert kinds == [kind for kind, _size in load_render_icons().ICNS_TYPES]


def test_app_icon_has_every_size(qapp):
    assert icons_dir() is not None
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == list(ICON_SIZES)
    assert not icon.pixmap(20, 20).isNull()  # between sizes, Qt scales (or draws the SVG)


def test_app_icon_falls_back_to_the_svg_without_pngs(qapp, tmp_path: Path, monkeypatch):
    import shutil

    from llmasos.apps.gui.common import icons

    scalable = tmp_path / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy(ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", scalable)
    monkeypatch.setattr(icons, "icons_dir", lambda: tmp_path)
    assert not icons.app_icon().pixmap(48, 48).isNull()


def test_icon_files_tolerate_a_missing_tree(tmp_path: Path):
    assert icon_files(tmp_path) == []


def test_package_data_ships_the_icons():
    """setuptools' package-data globs (resolved as setuptools does) cover what app_icon loads."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["llmasos"]
    package = ROOT / "src" / "llmasos"
    shipped = {Path(p).resolve() for g in globs for p in glob.glob(str(package / g))}
    wanted = {path.resolve() for path, _size in icon_files(ICONS)}
    assert len(wanted) == len(ICON_SIZES) + 1
    assert wanted <= shipped, f"not in [tool.setuptools.package-data]: {sorted(wanted - shipped)}"


def test_render_script_runs(tmp_path: Path):
    """The script itself, as a user runs it, writes every output."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "render_icons.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(ICON_SIZES) + 2
    assert (tmp_path / "llmasos.icns").is_file()
