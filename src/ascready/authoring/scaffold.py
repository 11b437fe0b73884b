"""``ascready init``: the files of a new council evidence repository, and writing them safely.

Plain functions that return data and never print. The answers (council, ONS code, region) are
checked by :func:`check_council`, :func:`check_ons_code` and :func:`check_region`, which the
command line uses for flags and prompts alike. :func:`prepare` works out every file's content
and what already exists before anything is written; :func:`write` then writes only the files
that do not exist, each atomically. Nothing is ever overwritten.

The static files (CI workflows, pre-commit, README, .gitignore, VS Code) live in
``scaffold_files/`` with ``@@PLACEHOLDER@@`` markers replaced by plain text substitution: they
contain GitHub's ``${{ }}`` expressions, which a template language would try to expand.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ascready import __version__
from ascready.authoring.install import InstallSource, default_install
from ascready.errors import TargetFolderError
from ascready.findings import Finding
from ascready.repository import kinds, models
from ascready.repository.framework import BUILTIN_FRAMEWORKS, Framework
from ascready.repository.kinds import BY_FOLDER, DOCUMENT_KINDS
from ascready.repository.project import PROFILE_FILE

#: How many items CQC's information return lists, unless the council's profile says otherwise.
DEFAULT_RETURN_ITEMS: int = models.CouncilProfile.model_fields["information_return_items"].default
DEFAULT_FRAMEWORK: str = BUILTIN_FRAMEWORKS[0]
RETURN_FOLDER = kinds.RETURN.folder
RATINGS_FOLDER = kinds.RATING.folder
#: Folders that start empty (a .gitkeep keeps them in git).
EMPTY_FOLDERS = (
    kinds.EVIDENCE.folder,
    kinds.ACTION.folder,
    kinds.METRIC.folder,
    kinds.FILES_FOLDER,
)
WORKFLOW_FILE = ".github/workflows/ascready.yml"
GITLAB_FILE = ".gitlab-ci.yml"
PRE_COMMIT_FILE = ".pre-commit-config.yaml"
#: The files that install ascready (from the source given to ``init --install``).
INSTALLING_FILES = (WORKFLOW_FILE, GITLAB_FILE, PRE_COMMIT_FILE)
VSCODE_SETTINGS = ".vscode/settings.json"
VSCODE_EXTENSIONS = ".vscode/extensions.json"
#: Repository path -> the file in scaffold_files/ it is made from.
STATIC_FILES = {
    "README.md": "README.md",
    ".gitignore": "gitignore",
    WORKFLOW_FILE: "github-workflow.yml",
    GITLAB_FILE: "gitlab-ci.yml",
    PRE_COMMIT_FILE: "pre-commit-config.yaml",
    VSCODE_EXTENSIONS: "vscode-extensions.json",
}


# --- the answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    council: str
    ons_code: str
    region: str


def _ons_pattern() -> re.Pattern[str]:
    for constraint in models.CouncilProfile.model_fields["ons_code"].metadata:
        pattern = getattr(constraint, "pattern", None)
        if isinstance(pattern, str):
            return re.compile(pattern)
    raise RuntimeError("CouncilProfile.ons_code has no pattern")  # a bug, not user input


ONS_CODE = _ons_pattern()
REGIONS: tuple[str, ...] = tuple(r.value for r in models.Region)


def check_council(value: str) -> str:
    """The council's name on one line, spaces tidied; ValueError says what is wrong."""
    name = " ".join(value.split())
    if not name:
        raise ValueError(
            "the council's name is empty. Type it as it should appear on the self-assessment, "
            "for example: Bath and North East Somerset Council"
        )
    bad = [c for c in name if not c.isprintable()]
    if bad:
        what = unicodedata.name(bad[0], f"U+{ord(bad[0]):04X}").lower()
        raise ValueError(
            f"the council's name contains a character that cannot be shown ({what}). "
            "Type the name again rather than pasting it"
        )
    if len(name) > 200:
        raise ValueError(
            f"the council's name is {len(name)} characters long; give it in at most 200"
        )
    return name


def check_ons_code(value: str) -> str:
    """The ONS code in capitals, e.g. E06000022; ValueError says what is wrong."""
    code = "".join(value.split()).upper()
    if ONS_CODE.match(code):
        return code
    if re.fullmatch(r"E07\d{6}", code):
        raise ValueError(
            f"'{code}' is the code of a district council, which has no adult social care "
            "duties. Use the code of your county council (E10 and six digits)"
        )
    if re.fullmatch(r"[WSN]\d{8}", code):
        raise ValueError(
            f"'{code}' is not an English council's code; CQC assesses councils in England only"
        )
    shown = value.strip() or "(nothing)"
    raise ValueError(
        f"'{shown}' is not an ONS code of a council with adult social care duties. It is E06 "
        "(unitary), E08 (metropolitan borough), E09 (London borough) or E10 (county) followed "
        "by six digits, for example E06000022. The Office for National Statistics lists the "
        "codes, and your council's performance or data team will know it"
    )


def _loose(text: str) -> str:
    return " ".join(text.replace("&", " and ").casefold().split())


def check_region(value: str) -> str:
    """One of the nine English regions as models.Region spells it, whatever the case and
    spacing; ValueError lists them."""
    wanted = _loose(value)
    for region in REGIONS:
        if _loose(region) == wanted:
            return region
    shown = value.strip() or "(nothing)"
    raise ValueError(
        f"'{shown}' is not one of the nine English regions. Use one of: {', '.join(REGIONS)}"
    )


# --- where CI installs ascready from ----------------------------------------------------------


def _pre_commit_hook(install: InstallSource) -> str:
    """The lines of the pre-commit hook that say how ascready is installed."""
    if install.wheel_path is None:
        return (
            "        language: python\n"
            f"        additional_dependencies: [{yaml_quoted(install.requirement)}]"
        )
    return (
        "        # pre-commit cannot install a wheel from the repository it checks, so this\n"
        "        # hook uses the ascready installed on your computer. Install it once with:\n"
        f"        #   python -m pip install {install.requirement}\n"
        "        language: system"
    )


# --- the files ----------------------------------------------------------------------------------


def _static(name: str) -> str:
    return (resources.files("ascready.authoring") / "scaffold_files" / name).read_text(
        encoding="utf-8"
    )


def _fill(text: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    leftover = re.search(r"@@[A-Z_]+@@", text)
    if leftover:  # a packaging bug, never the user's input
        raise RuntimeError(f"scaffold placeholder {leftover.group()} was not filled")
    return text


def yaml_quoted(text: str) -> str:
    """Text as a YAML double-quoted scalar (JSON's escapes are YAML's), so any council name
    (``&``, ``: ``, quotes, ``#``) reads back unchanged; letters stay readable."""
    quoted = json.dumps(text, ensure_ascii=False)
    # Characters YAML would read as line breaks or refuse, escaped as JSON would escape them.
    return re.sub(
        "[\u0085\u2028\u2029\ufeff\ufffe\uffff]", lambda m: f"\\u{ord(m.group()):04x}", quoted
    )


def _markdown_text(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


def profile_text(answers: Answers) -> str:
    region = answers.region
    return f"""\
# The council profile. This file marks the top of the evidence repository.
# Lines starting with # are notes. To use one of the examples below, remove the # at the start of
# its lines (keep the spaces that indent it).

council: {yaml_quoted(answers.council)}
# ONS code: E06, E08, E09 or E10 and six digits.
ons_code: {answers.ons_code}
# One of the nine English regions.
region: {region}
# CQC's assessment framework for local authorities, built into ascready.
framework: {DEFAULT_FRAMEWORK}
# How many items CQC's information return request lists (one file each in information-return/).
information_return_items: {DEFAULT_RETURN_ITEMS}

# The two people who will upload to CQC's portal. A job title is enough: no names are needed.
# Change these to the job titles of the two people your council names to CQC.
portal_uploaders:
  - role: Director of Adult Social Services
  - role: Assurance lead for the CQC assessment

# CQC's key dates, from its notification letter, written YYYY-MM-DD. Fill them in when CQC gives
# notice: ascready gaps then counts the days left.
# dates:
#   notified: 2026-11-09                # when CQC gave notice
#   information_return_due: 2026-11-30  # when the information return and self-assessment are due
#   site_visit: 2027-02-08              # the first day of CQC's visit

# When evidence counts as out of date (these are the usual values).
# review_policy:
#   stale_after_months: 12   # evidence older than this, from its as_of date, is stale
#   due_soon_days: 30        # list evidence due for review within this many days

# How many current evidence items ascready gaps wants for each quality statement and category.
# gaps:
#   minimum_per_cell: 2

# The council's own published contact details, which the personal-data check then accepts.
# Never list a person's own email address or phone number here.
# personal_data:
#   allow: [adult.social.care@council.example, "01632 960000"]
"""


def return_item_path(number: int, total: int) -> str:
    """information-return/IR-01.yaml: numbers padded to the same width, so files sort."""
    width = max(2, len(str(total)))
    return f"{RETURN_FOLDER}/IR-{number:0{width}d}.yaml"


def return_item_text(number: int, total: int) -> str:
    return f"""\
# Item {number} of the {total} in CQC's information return request.
# CQC does not publish the official titles: copy this item's title from the request CQC sends.
number: {number}
title: {return_item_placeholder(number)}
# not-started, in-progress, ready, uploaded or not-applicable
status: not-started
# More you can fill in (remove the # to use a line):
# reason: Why the item does not apply (needed when status is not-applicable)
# owner: Head of Commissioning           # a job title, not a person's name
# due: 2026-11-27                        # written YYYY-MM-DD
# evidence: [EV-001, EV-002]             # ids of the evidence items that answer it
# quality_statements: [QS1]              # the quality statements it is about
# notes: Anything the portal uploaders need to know
"""


def return_item_placeholder(number: object) -> str:
    """The title :func:`return_item_text` gives item ``number`` until the council writes it."""
    return f"Copy the title of item {number} from CQC's information return request"


def unfilled(kind: str, data: Mapping[str, object]) -> frozenset[str]:
    """The fields of a file that still hold what ``init`` wrote for the council to replace (an
    import fills them as it fills empty ones)."""
    if kind != "return" or data.get("title") != return_item_placeholder(data.get("number")):
        return frozenset()
    return frozenset({"title", "status"} if data.get("status") == "not-started" else {"title"})


def _comment_wrapped(text: str, indent: str = "#   ") -> str:
    return "\n".join(
        textwrap.wrap(
            " ".join(text.split()), width=96, initial_indent=indent, subsequent_indent=indent
        )
    )


def rating_text(framework: Framework, qs_id: str) -> str:
    qs = framework.quality_statement_by_id[qs_id]
    theme = next(t for t in framework.themes if t.id == qs.theme)
    labels = "\n".join(
        f"#   {score}: {label}" for score, label in sorted(framework.scoring.score_labels.items())
    )
    return f"""\
# {qs.id} {qs.title}
# Theme {theme.number}: {theme.title}
# "We" statement:
{_comment_wrapped(qs.we_statement)}
#
# The council's self-assessment of this quality statement.
quality_statement: {qs.id}
# Your score from 1 to 4, once the evidence supports it:
{labels}
# To set it, remove the # at the start of the next line and put your score:
# self_score: 2
#
# What the evidence shows, in your own words (Markdown). Replace "" with | and write the text
# on the lines below it, each indented by two spaces, like this:
# narrative: |
#   What we do well, what we know needs to improve, and what we are doing about it.
narrative: ""
strengths: []
areas_for_improvement: []
# The shape of a strength and of an area for improvement. To add yours, replace the [] above
# with lines like these (without the #). Each has its own id; evidence and actions are ids.
# strengths:
#   - id: S-{qs.id}-01
#     text: What works well, in one line
#     evidence: [EV-001, EV-002]
# areas_for_improvement:
#   - id: AFI-{qs.id}-01
#     text: What needs to improve, in one line
#     evidence: [EV-003]
#     actions: [ACT-01]
"""


def vscode_settings() -> str:
    """``yaml.schemas`` for the Red Hat YAML extension: each schema, the files it describes."""
    from ascready.repository.schema import SCHEMAS

    folder_of = {kind.model: kind.folder for kind in DOCUMENT_KINDS}
    mapping: dict[str, list[str]] = {}
    for name, (model, _) in SCHEMAS.items():
        if model is models.CouncilProfile:
            globs = [f"/{PROFILE_FILE}"]
        elif model in folder_of:
            globs = [f"/{folder_of[model]}/**/*.{ext}" for ext in ("yaml", "yml")]
        elif model is Framework:
            # A council's own framework file, named as the README suggests (framework.yaml,
            # my-framework.yaml) at the top of the repository.
            globs = ["/*framework.yaml", "/*framework.yml"]
        else:  # a new kind of schema: add where it applies above
            raise RuntimeError(f"no folder is known for the schema {name}")
        mapping[f"./schemas/{name}"] = globs
    return json.dumps({"yaml.schemas": mapping}, indent=2, ensure_ascii=False) + "\n"


def repository_files(
    answers: Answers,
    framework: Framework,
    *,
    return_items: int = DEFAULT_RETURN_ITEMS,
    seed_return: bool = True,
    seed_ratings: bool = True,
    install: InstallSource | None = None,
) -> dict[str, str]:
    """Repository path -> content of every file of a new repository, in a stable order.

    ``install`` is where its CI and pre-commit install ascready from (by default the release
    of this version from PyPI)."""
    from ascready.repository.schema import schema_documents

    qs_ids = [q.id for q in framework.quality_statements]
    files: dict[str, str] = {PROFILE_FILE: profile_text(answers)}
    if seed_return:
        for n in range(1, return_items + 1):
            files[return_item_path(n, return_items)] = return_item_text(n, return_items)
    if seed_ratings:
        for qs_id in qs_ids:
            files[f"{RATINGS_FOLDER}/{qs_id}.yaml"] = rating_text(framework, qs_id)
    for folder in EMPTY_FOLDERS:
        files[f"{folder}/.gitkeep"] = ""
    for name, text in schema_documents().items():
        files[f"schemas/{name}"] = text
    files[VSCODE_SETTINGS] = vscode_settings()
    install = install or default_install()
    values = {
        "COUNCIL": _markdown_text(answers.council),
        "VERSION": __version__,
        "INSTALL": yaml_quoted(install.requirement),
        "INSTALL_TEXT": install.requirement,
        "PRE_COMMIT_HOOK": _pre_commit_hook(install),
        "ITEMS": str(return_items),
        "LAST_IR": Path(return_item_path(return_items, return_items)).stem,
        "LAST_QS": qs_ids[-1],
    }
    for path, source in STATIC_FILES.items():
        files[path] = _fill(_static(source), values)
    return files


# --- the target folder --------------------------------------------------------------------------


def check_target(target: Path, *, into_existing: bool) -> bool:
    """Whether ``target`` exists. Refuses a file, and a folder that is not empty unless
    ``into_existing``."""
    if not target.exists():
        if target.is_symlink():
            raise TargetFolderError(f"'{target}' is a link to something that does not exist")
        return False
    if not target.is_dir():
        raise TargetFolderError(f"'{target}' is a file, not a folder. Name a new folder")
    if not into_existing:
        entries = sorted(p.name for p in target.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise TargetFolderError(
                f"the folder '{target}' is not empty (it holds {shown}). ascready init starts a "
                "repository in a new or empty folder, so nothing of yours is mixed in or "
                "replaced. Name a new folder, or run again with --into-existing to add only "
                "the files that are missing (nothing already there is changed)"
            )
    return True


def _has_yaml(root: Path, folder: str) -> bool:
    from ascready.repository.loader import discover

    kind = BY_FOLDER[folder].name
    return any(k == kind for _, k in discover(root))


def _existing_setup(root: Path) -> tuple[int, Framework]:
    """The number of return items and the framework an existing ascready.yaml asks for, if it
    is valid; otherwise the defaults."""
    from ascready.checks.load import load_framework
    from ascready.repository.loader import read_and_parse

    profile: models.CouncilProfile | None = None
    if (root / PROFILE_FILE).is_file():
        data, problems = read_and_parse(str(root / PROFILE_FILE))
        if data is not None and not problems:
            try:
                profile = models.CouncilProfile.model_validate(data)
            except ValueError:
                profile = None
    findings: list[Finding] = []
    framework, _ = load_framework(root, profile, findings)
    if findings:  # its own framework file is broken: validate reports it; seed the built-in
        framework, _ = load_framework(root, None, [])
    items = profile.information_return_items if profile else DEFAULT_RETURN_ITEMS
    return items, framework


@dataclass
class Plan:
    """Everything ``init`` would do, worked out before anything is written."""

    root: Path
    files: dict[str, str]
    #: Files that already exist and are left as they are.
    skipped: list[str] = field(default_factory=list)
    #: Folders not seeded (information-return, ratings) because they already hold YAML files.
    not_seeded: list[str] = field(default_factory=list)
    return_items: int = DEFAULT_RETURN_ITEMS

    @property
    def to_write(self) -> dict[str, str]:
        skipped = set(self.skipped)
        return {p: t for p, t in self.files.items() if p not in skipped}


@dataclass
class InitResult:
    root: Path
    written: list[str]
    skipped: list[str]
    not_seeded: list[str]
    return_items: int


def prepare(
    target: Path,
    answers: Answers,
    *,
    into_existing: bool = False,
    install: InstallSource | None = None,
) -> Plan:
    """Check the folder and work out every file's content. Writes nothing."""
    exists = check_target(target, into_existing=into_existing)
    if not exists:
        from ascready.checks.load import load_framework

        framework, _ = load_framework(target, None, [])
        files = repository_files(answers, framework, install=install)
        return Plan(target, files)
    items, framework = _existing_setup(target)
    not_seeded = [f for f in (RETURN_FOLDER, RATINGS_FOLDER) if _has_yaml(target, f)]
    files = repository_files(
        answers,
        framework,
        return_items=items,
        seed_return=RETURN_FOLDER not in not_seeded,
        seed_ratings=RATINGS_FOLDER not in not_seeded,
        install=install,
    )
    for folder in EMPTY_FOLDERS:  # a folder with files of its own needs no placeholder
        base = target / folder
        if base.is_dir() and any(base.iterdir()):
            del files[f"{folder}/.gitkeep"]
    skipped = [p for p in files if (target / p).exists() or (target / p).is_symlink()]
    return Plan(target, files, skipped, not_seeded, items)


def write(plan: Plan) -> InitResult:
    """Write the files that do not exist, all of them or none (even if the process is killed
    part way: see :mod:`ascready.io.writing`); never replace one."""
    from ascready.io.writing import write_files

    skipped = list(plan.skipped)
    to_write: dict[str, str] = {}
    for path, text in plan.to_write.items():
        dest = plan.root / path
        if dest.exists() or dest.is_symlink():  # appeared since prepare(): still not replaced
            skipped.append(path)
        else:
            to_write[path] = text
    write_files(plan.root, creates=to_write, command="ascready init")
    return InitResult(plan.root, list(to_write), skipped, plan.not_seeded, plan.return_items)
