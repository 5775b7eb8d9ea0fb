"""Settings: environment variables first, then ``kuva.toml`` in the working directory, then
defaults. Secrets (the pseudonymisation key) come only from the environment.

=====================  ==========================  ==================================
setting                environment variable        default
=====================  ==========================  ==================================
warehouse path         ``KUVA_WAREHOUSE``          ``kuva-data/kuva.duckdb``
minimum cell size      ``KUVA_MIN_CELL``           ``5`` (below 3 only with the override)
min-cell override      ``KUVA_MIN_CELL_OVERRIDE``  ``no`` (``yes`` allows 1–2; logged)
controlled rounding    ``KUVA_ROUNDING``           ``0`` (none; or 5 or 10)
pilot membership CSV   ``KUVA_PILOTS_CSV``         bundled ``pilots_2021.csv``
pseudonym key          ``KUVA_PSEUDONYM_KEY``      none (required for person data)
query engine           ``KUVA_ENGINE``             ``duckdb`` (or ``spark``, ``postgres``)
engine address         ``KUVA_ENGINE_URL``         Spark ``local[2]``; PostgreSQL: required
DuckDB memory limit    ``KUVA_MEMORY_LIMIT``       DuckDB's own (80 % of RAM); e.g. ``6GB``
=====================  ==========================  ==================================

``kuva.toml`` takes the same settings under ``[kuva]`` with the keys ``warehouse``,
``min_cell``, ``min_cell_override``, ``rounding``, ``pilots_csv``, ``engine``, ``engine_url`` and
``memory_limit`` (never the key).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kuva.errors import KuvaConfigError
from kuva.privacy.policy import DisclosurePolicy, policy

DEFAULT_WAREHOUSE = Path("kuva-data") / "kuva.duckdb"
DEFAULT_MIN_CELL = 5

#: Every setting, its environment variable and its ``kuva.toml`` key (documented in docs/cli.md).
SETTINGS: dict[str, tuple[str, str | None]] = {
    "warehouse": ("KUVA_WAREHOUSE", "warehouse"),
    "min_cell": ("KUVA_MIN_CELL", "min_cell"),
    "min_cell_override": ("KUVA_MIN_CELL_OVERRIDE", "min_cell_override"),
    "rounding": ("KUVA_ROUNDING", "rounding"),
    "pilots_csv": ("KUVA_PILOTS_CSV", "pilots_csv"),
    "pseudonym_key": ("KUVA_PSEUDONYM_KEY", None),
    "engine": ("KUVA_ENGINE", "engine"),
    "engine_url": ("KUVA_ENGINE_URL", "engine_url"),
    "memory_limit": ("KUVA_MEMORY_LIMIT", "memory_limit"),
}
ENGINES: tuple[str, ...] = ("duckdb", "spark", "postgres")
#: a DuckDB memory amount: a number and a unit (``6GB``, ``6 GiB``, ``512MB``)
MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B)", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`."""

    warehouse: Path = DEFAULT_WAREHOUSE
    min_cell: int = DEFAULT_MIN_CELL
    pilots_csv: Path | None = None
    min_cell_override: bool = False
    rounding: int = 0  #: controlled rounding base of confidential counts (0, 5 or 10)
    engine: str = "duckdb"  #: where the measures run: duckdb, spark or postgres (docs/scale.md)
    engine_url: str | None = None  #: Spark master or ``sc://`` Spark Connect URL; PostgreSQL URL
    #: DuckDB's ``memory_limit`` for the warehouse (e.g. ``6GB``): beyond it DuckDB spills to
    #: ``<warehouse>.tmp/``; None leaves DuckDB's default (80 % of the machine's memory)
    memory_limit: str | None = None

    @property
    def disclosure(self) -> DisclosurePolicy:
        """The disclosure policy every output uses (validated when the settings are loaded)."""
        return policy(self.min_cell, override=self.min_cell_override, rounding=self.rounding)


def _read_toml(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KuvaConfigError(f"{path}: not valid TOML: {exc}") from exc
    section = data.get("kuva", {})
    if not isinstance(section, dict):
        raise KuvaConfigError(f"{path}: [kuva] must be a table")
    unknown = sorted(set(section) - {k for _, k in SETTINGS.values() if k})
    if unknown:
        allowed = sorted(k for _, k in SETTINGS.values() if k)
        raise KuvaConfigError(f"{path}: unknown key(s) {unknown} in [kuva]; allowed: {allowed}")
    return section


def load_settings(cwd: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Resolve settings from the environment, ``kuva.toml`` and defaults (in that order)."""
    env = os.environ if environ is None else environ
    base = Path.cwd() if cwd is None else cwd
    toml = _read_toml(base / "kuva.toml")

    def pick(name: str) -> object | None:
        var, key = SETTINGS[name]
        if var in env and env[var] != "":
            return env[var]
        if key is not None and key in toml:
            return toml[key]
        return None

    warehouse = pick("warehouse")
    min_cell_raw = pick("min_cell")
    pilots = pick("pilots_csv")
    min_cell = DEFAULT_MIN_CELL
    if min_cell_raw is not None:
        try:
            min_cell = int(str(min_cell_raw))
        except ValueError as exc:
            raise KuvaConfigError(
                f"KUVA_MIN_CELL / min_cell must be a whole number, got {min_cell_raw!r}"
            ) from exc
    override_raw = pick("min_cell_override")
    override = _flag(override_raw) if override_raw is not None else False
    rounding_raw = pick("rounding")
    try:
        rounding = int(str(rounding_raw)) if rounding_raw is not None else 0
    except ValueError as exc:
        raise KuvaConfigError(f"KUVA_ROUNDING / rounding must be 0, 5 or 10, got {rounding_raw!r}") from exc
    policy(min_cell, override=override, rounding=rounding)  # refuses min_cell < 3 without the override
    engine = str(pick("engine") or "duckdb")
    if engine not in ENGINES:
        raise KuvaConfigError(f"KUVA_ENGINE / engine must be one of {list(ENGINES)}, got {engine!r}")
    engine_url = pick("engine_url")
    memory = pick("memory_limit")
    if memory is not None and not MEMORY_LIMIT.fullmatch(str(memory).strip()):
        raise KuvaConfigError(f"KUVA_MEMORY_LIMIT / memory_limit must be an amount such as 6GB or 512MiB, "
                              f"got {memory!r}")
    return Settings(
        warehouse=Path(str(warehouse)) if warehouse is not None else DEFAULT_WAREHOUSE,
        min_cell=min_cell,
        pilots_csv=Path(str(pilots)) if pilots is not None else None,
        min_cell_override=override,
        rounding=rounding,
        engine=engine,
        engine_url=str(engine_url) if engine_url is not None else None,
        memory_limit=str(memory).strip() if memory is not None else None,
    )


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "yes", "true", "on"):
        return True
    if text in ("0", "no", "false", "off", ""):
        return False
    raise KuvaConfigError(f"KUVA_MIN_CELL_OVERRIDE / min_cell_override must be yes or no, got {value!r}")


def pseudonym_key(environ: dict[str, str] | None = None) -> bytes:
    """The secret key for keyed pseudonyms, from ``KUVA_PSEUDONYM_KEY`` only.

    It is never read from a file in the project and never stored in the warehouse.
    """
    env = os.environ if environ is None else environ
    key = env.get("KUVA_PSEUDONYM_KEY", "")
    if len(key) < 16:
        raise KuvaConfigError(
            "KUVA_PSEUDONYM_KEY must be set to a secret of at least 16 characters "
            "to pseudonymise person-level data"
        )
    return key.encode("utf-8")
