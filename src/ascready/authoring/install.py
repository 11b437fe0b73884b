"""Where a council's CI and pre-commit install ascready from: ``ascready init --install``.

A version on PyPI, a wheel committed to the repository, a wheel's https address, or a git
address at a tag; anything else is refused with a plain message (``ValueError``), since the
value ends up in the files that CI runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ascready import __version__

#: A public version as PyPI gives it (PEP 440, without a local part): 0.1.0, 1.2rc1, 2.0.post1.
_VERSION = re.compile(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?")
#: A wheel's file name: name-version(-build)?-python-abi-platform.whl (names normalised to _).
_WHEEL_NAME = re.compile(r"(?P<name>[A-Za-z0-9_.]+)-[^-]+(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl")
#: What a source may contain. Everything that installs ascready gets it as a YAML string and,
#: in CI, in a variable, never pasted into a script; still, characters a shell, GitHub (``${{``)
#: or GitLab (``$VAR``) would expand are refused outright.
_SAFE = re.compile(r"[A-Za-z0-9._~:/?#@!&()*+,;=%\[\]-]+")
_INSTALL_FORMS = (
    "Give a version of ascready on PyPI (for example 0.1.0), a wheel committed to the "
    "repository (for example wheels/ascready-0.1.0-py3-none-any.whl), a wheel's https:// "
    "address, or a git address with a tag (for example "
    "git+https://github.com/your-org/ascready@v0.1.0)"
)


@dataclass(frozen=True)
class InstallSource:
    """Where the generated CI and pre-commit files install ascready from.

    ``requirement`` is what ``pip install`` is given; ``wheel_path`` is set for a wheel inside
    the repository (pre-commit cannot install a file of the repository it checks, so its hook
    then uses the ascready installed on the computer).
    """

    requirement: str
    wheel_path: str | None = None


def default_install() -> InstallSource:
    """The release of the running version from PyPI."""
    return InstallSource(f"ascready=={__version__}")


def check_install(value: str) -> InstallSource:
    """A version, a wheel in the repository, a wheel's https URL or a git URL at a tag, as what
    pip installs; ValueError says what is wrong."""
    spec = value.strip()
    shown = spec or "(nothing)"
    if "\\" in spec and spec.lower().endswith(".whl") and "://" not in spec:
        raise ValueError(
            f"'{spec}': write the wheel's path with / between folders, as git and CI do, for "
            "example wheels/ascready-0.1.0-py3-none-any.whl"
        )
    if not spec or not _SAFE.fullmatch(spec):
        bad = next((c for c in spec if not _SAFE.fullmatch(c)), "")
        why = f" (it contains {bad!r})" if bad else ""
        raise ValueError(
            f"'{shown}' is not a place to install ascready from{why}. {_INSTALL_FORMS}"
        )
    lowered = spec.lower()
    if lowered.startswith("git+"):
        return InstallSource(f"ascready @ {_check_git(spec)}")
    if "://" in spec:
        return InstallSource(f"ascready @ {_check_wheel_url(spec)}")
    if lowered.endswith(".whl"):
        path = _check_wheel_path(spec)
        return InstallSource(f"./{path}", wheel_path=path)
    version = spec.removeprefix("ascready==")
    version = version[1:] if version[:1] in ("v", "V") else version
    if _VERSION.fullmatch(version):
        return InstallSource(f"ascready=={version}")
    raise ValueError(f"'{shown}' is not a place to install ascready from. {_INSTALL_FORMS}")


def _check_git(spec: str) -> str:
    if not spec.lower().startswith("git+https://"):
        raise ValueError(
            f"'{spec}' is not a git address CI can fetch: use one that starts with git+https://, "
            "for example git+https://github.com/your-org/ascready@v0.1.0"
        )
    address = spec.split("#", 1)[0]
    path = address[len("git+https://") :]
    host, _, rest = path.partition("/")
    ref = rest.rpartition("@")[2] if "@" in rest else ""
    if not host or not rest or not ref:
        raise ValueError(
            f"'{spec}' names no tag: add @ and the tag of the release to install, for example "
            "git+https://github.com/your-org/ascready@v0.1.0, so the checks do not change "
            "under you when the branch moves on"
        )
    return spec


def _check_wheel_url(spec: str) -> str:
    if not spec.lower().startswith("https://"):
        raise ValueError(
            f"'{spec}' is not an https:// address. Give the wheel's https:// address (CI "
            "refuses to install code fetched over plain http), or a git address that starts "
            "with git+https://"
        )
    file = spec.split("#", 1)[0].split("?", 1)[0].rstrip("/").rpartition("/")[2]
    if not file.lower().endswith(".whl"):
        raise ValueError(
            f"'{spec}' is not the address of a wheel (a file whose name ends in .whl). "
            f"{_INSTALL_FORMS}"
        )
    _check_wheel_name(spec, file)
    return spec


def _check_wheel_path(spec: str) -> str:
    if spec.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", spec):
        raise ValueError(
            f"'{spec}' is outside the repository, so CI cannot install it. Copy the wheel into "
            "the repository (for example into wheels/), commit it, and give its path from the "
            "top of the repository, such as wheels/ascready-0.1.0-py3-none-any.whl"
        )
    parts = [p for p in spec.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(
            f"'{spec}' goes outside the repository (..), so CI cannot install it. Copy the "
            "wheel into the repository and give its path from the top of the repository"
        )
    _check_wheel_name(spec, parts[-1])
    return "/".join(parts)


def _check_wheel_name(spec: str, file: str) -> None:
    match = _WHEEL_NAME.fullmatch(file)
    if match is None or match["name"].lower().replace(".", "_") != "ascready":
        raise ValueError(
            f"'{spec}' is not a wheel of ascready: its file name should look like "
            "ascready-0.1.0-py3-none-any.whl, as `python -m build` makes it"
        )
