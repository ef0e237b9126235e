"""One dbt parse of the project shared by every warehouse built from this checkout.

dbt keeps its parse of the project in `partial_parse.msgpack` in the target folder, and each
warehouse has its own target folder (`mvoi.paths.dbt_target_dir`). A new warehouse therefore
parsed the whole project again: about 10 s of one core before its first node, where a parse
that dbt can update takes 6 s with dbt's start-up. The parse does not depend on the warehouse:
no model, macro or project setting reads the database path at parse time, and the
environment variables a macro reads (MVOI_WAREHOUSE_DIR, ...) are tracked by dbt, which
reparses what reads them when they change.

dbt throws its saved parse away when the profile's connection details differ, and the
database file's path is one of them (and the path of the spend fact's file, attached beside
it). The dbt entry points of `mvoi build`
(`mvoi.dbt_critical_path`, `mvoi.dbt_finish`) call `install`, which leaves the paths out of
that comparison; everything else dbt compares (dbt's version, the profile's other details,
the project's files and variables) still decides. Before dbt runs, `seed` gives a target
folder without a parse the last one saved; after it, `save` keeps the folder's parse for the
next warehouse. Both are only a cache: a failure to read or write it costs a full parse,
never a build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dbt.constants import PARTIAL_PARSE_FILE_NAME as PARSE_FILE

from mvoi import paths


def cache_path() -> Path:
    """The shared parse: in the project's own dbt target folder, under a name dbt never uses."""
    return paths.PROJECT_DIR / "target" / "mvoi_shared_partial_parse.msgpack"


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy through a temporary file and a rename, so that a reader never sees half a file."""
    temporary = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)


def seed(target_dir: Path) -> None:
    """Give `target_dir` the shared parse when it has none of its own."""
    if not (target_dir / PARSE_FILE).exists() and cache_path().exists():
        _copy_atomically(cache_path(), target_dir / PARSE_FILE)


def save(target_dir: Path) -> None:
    """Keep `target_dir`'s parse as the shared one."""
    if (target_dir / PARSE_FILE).exists():
        _copy_atomically(target_dir / PARSE_FILE, cache_path())


def _without_paths(key: str, value):
    """A profile detail without file paths: the attached databases by alias only (the spend
    fact's file lies beside the database file, profiles.yml)."""
    if key == "attach" and value:
        return [{k: v for k, v in attachment.items() if k != "path"} for attachment in value]
    return value


def _state_check_without_path(build_state_check):
    def state_check(loader):
        import pprint

        from dbt.contracts.files import FileHash

        checked = build_state_check(loader)
        details = sorted((key, _without_paths(key, value))
                         for key, value in loader.root_project.credentials.connection_info() if key != "path")
        checked.profile_hash = FileHash.from_contents(pprint.pformat(details))
        return checked

    state_check.mvoi_without_path = True
    return state_check


def install() -> None:
    """Leave the database path out of dbt's profile comparison in this process."""
    from dbt.parser.manifest import ManifestLoader

    current = getattr(ManifestLoader, "build_manifest_state_check", None)
    if not callable(current):
        raise SystemExit("mvoi.dbt_parse_cache: dbt has no ManifestLoader.build_manifest_state_check any "
                         "more; run plain dbt, or adapt this module to the new dbt")
    if not getattr(current, "mvoi_without_path", False):
        ManifestLoader.build_manifest_state_check = _state_check_without_path(current)
