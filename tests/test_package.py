"""The built distribution, as a new user gets it: files, metadata, and a clean install that works.

The sdist and wheel are built once per session; the wheel goes into a fresh virtualenv
without extras (its dependencies from the package index, or pip's cache).
"""

from __future__ import annotations

import email.parser
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from email.message import Message
from pathlib import Path

import pytest

from bento_async import __version__
from bento_emulator import BentoEmulator

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"bento_async", "bento_sync", "bento_emulator", "bento_cli"}
DIST_INFO = f"bento_sdk-{__version__}.dist-info"
URL = "https://github.com/bento-sdk/bento-sdk"
FIRST_EXAMPLE = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def _run(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env, cwd=cwd)
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sdist and the wheel once, from the working tree."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)])
    return out


@pytest.fixture(scope="session")
def wheel(dist: Path) -> Path:
    """The built wheel."""
    (found,) = dist.glob("bento_sdk-*.whl")
    return found


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the wheel and its runtime dependencies, no extras."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)])
    return python


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        return email.parser.Parser().parsestr(archive.read(f"{DIST_INFO}/METADATA").decode())


def test_wheel_holds_the_four_packages_and_metadata_only(wheel: Path) -> None:
    """Top level: the four import packages and the dist-info, with the license inside."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert {name.split("/")[0] for name in names} == PACKAGES | {DIST_INFO}
    assert f"{DIST_INFO}/licenses/LICENSE" in names
    assert "bento_emulator/pytest_plugin.py" in names
    assert {"bento_async/py.typed", "bento_sync/py.typed"} <= set(names)


def test_sdist_carries_sources_license_and_tests(dist: Path) -> None:
    """The sdist has the license, README, CHANGELOG, packages and tests, and no virtualenv."""
    (sdist,) = dist.glob("bento_sdk-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml"} <= names
    assert {f"{package}/__init__.py" for package in PACKAGES} <= names
    assert not [name for name in names if name.startswith((".venv", "site/", "dist/"))]


def test_metadata_names_license_urls_and_tested_pythons(wheel: Path) -> None:
    """License, author, project URLs, and classifiers for exactly the Pythons CI tests."""
    meta = _metadata(wheel)
    assert meta["Version"] == __version__
    assert meta["License-Expression"] == "MIT"
    assert meta["License-File"] == "LICENSE"
    assert meta["Author"] == "bento-sdk contributors"
    assert meta["Requires-Python"] == ">=3.10"
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL", []))
    assert urls["Homepage"] == urls["Source"] == URL
    assert urls["Changelog"].startswith(URL)
    assert urls["Issues"] == f"{URL}/issues"
    classifiers = meta.get_all("Classifier", [])
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression
    listed = {c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)}
    tested = re.search(r'PYTHONS=\$\{PYTHONS:-"([^"]*)"\}', (ROOT / "dev.sh").read_text())
    assert tested is not None
    default = _run(["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
    assert listed == {*tested.group(1).split(), default.stdout.strip()}
    assert min(listed, key=lambda v: int(v.split(".")[1])) == "3.10"


def test_readme_first_example_runs_from_a_clean_install(
    installed: Path, threaded_emulator: BentoEmulator
) -> None:
    """The wheel alone, without extras, runs the README's first example against the emulator."""
    assert FIRST_EXAMPLE is not None
    assert "AsyncBento" in FIRST_EXAMPLE.group(1)
    creds = threaded_emulator.credentials
    env = {
        "BENTO_PUBLISHABLE_KEY": creds["publishable_key"],
        "BENTO_SECRET_KEY": creds["secret_key"],
        "BENTO_SITE_UUID": creds["site_uuid"],
        "BENTO_BASE_URL": creds["base_url"],
        "PYTHONWARNINGS": "error",
    }
    run = _run([str(installed), "-c", FIRST_EXAMPLE.group(1)], env=env, cwd=installed.parent)
    assert "jesse@example.com" in run.stdout
    assert threaded_emulator.state.tag_names_of("jesse@example.com") == ["customer"]
    agents = {r.headers["user-agent"] for r in threaded_emulator.requests}
    assert agents == {f"bento-python-sdk/{__version__}"}


def test_clean_install_has_no_cli_libraries_and_says_so(installed: Path) -> None:
    """Without the cli extra, `bento` prints one line naming the extra and exits 2."""
    bento = installed.parent / "bento"
    run = subprocess.run([str(bento), "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "pip install 'bento-sdk[cli]'" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_cli_reports_the_version() -> None:
    """`bento --version` prints the package version."""
    run = _run([sys.executable, "-c", "from bento_cli import main; main(['--version'])"])
    assert run.stdout.strip() == f"bento, version {__version__}"


def test_changelog_names_this_version_as_the_latest_release() -> None:
    """Below Unreleased, the first release heading is this version, with its date."""
    headings = re.findall(r"^## \[(.+?)\](.*)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] == ("Unreleased", "")
    version, dated = headings[1]
    assert version == __version__
    assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", dated)
