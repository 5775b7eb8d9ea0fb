"""Export of the (already disclosure-controlled) Kykyviisari results to CSV or Excel.

Only result tables leave KuVa this way, never person-level rows. ``.xlsx`` gives one workbook
with a ``README`` sheet (titles, texts, synthetic flag, parameters) and one sheet per result;
any other path is a folder that gets one ``<key>.csv`` per result (UTF-8 with BOM, ``;``
separated, so Finnish Excel opens it), beside each its disclosure sidecar
(``<key>.disclosure.json``, what ``kuva privacy audit`` reads) and a ``README.txt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaInputError
from kuva.i18n import check_lang, label
from kuva.privacy.audit import write_sidecar


def _readme(results: Sequence[AnalysisResult], lang: str) -> pd.DataFrame:
    rows = []
    for r in results:
        rows.append({
            "key": r.key, "title": r.title(lang), "text": r.text(lang),
            "synthetic": label("synthetic", lang) if r.synthetic else "",
            "sources": ", ".join(r.sources),
            "parameters": "; ".join(f"{k}={v}" for k, v in r.parameters.items()),
        })
    return pd.DataFrame(rows)


def export_results(results: Sequence[AnalysisResult], path: Path | str, *, lang: str = "fi") -> list[Path]:
    """Write result tables to ``path`` (``.xlsx`` workbook or a folder of CSV files).

    Returns the files written.
    """
    check_lang(lang, name="lang")
    if not results:
        raise KuvaInputError("nothing to export: no results")
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        p.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            _readme(results, lang).to_excel(xw, sheet_name="README", index=False)
            for r in results:
                r.table.to_excel(xw, sheet_name=r.key[:31], index=False)
        return [p]
    if p.suffix:
        raise KuvaInputError(f"export path must end in .xlsx or be a folder, got {p}")
    p.mkdir(parents=True, exist_ok=True)
    written = []
    readme = p / "README.txt"
    lines = []
    for _, row in _readme(results, lang).iterrows():
        lines.append("\n".join(f"{k}: {v}" for k, v in row.items() if v != ""))
    readme.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    written.append(readme)
    for r in results:
        f = p / f"{r.key}.csv"
        r.table.to_csv(f, sep=";", index=False, encoding="utf-8-sig")
        written.append(f)
        if r.disclosure is not None:
            written.append(write_sidecar(f, r.disclosure.sidecar))
    return written


__all__ = ["export_results"]
