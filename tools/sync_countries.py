"""Declare every country a graph folder uses in its countries file.

Usage: python tools/sync_countries.py graphs/ graphs/countries.yaml

Reads every graph file (tolerantly: files that do not parse are skipped with a
note), collects country codes from supply entries, suppliers, blocs, country
entries and settings, and rewrites the countries file: existing entries (with
their risk and source) are kept, new codes get their ISO 3166-1 name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from chainmap.errors import GraphFileError
from chainmap.io.countries import country_name
from chainmap.io.yamlout import write_graph
from chainmap.model.load import graph_files, valid_country_code
from chainmap.model.reader import read_file

SOURCE = "ISO 3166-1 country codes and short names (via the pycountry package)"


def _codes(data: Any) -> set[str]:
    out: set[str] = set()
    if not isinstance(data, dict):
        return out
    for section in ("components", "suppliers", "blocs"):
        for item in data.get(section) or []:
            if not isinstance(item, dict):
                continue
            if section == "suppliers" and isinstance(item.get("country"), str):
                out.add(item["country"])
            if section == "blocs":
                out.update(m for m in item.get("members") or [] if isinstance(m, str))
            for entry in item.get("suppliers") or [] if section == "components" else []:
                if isinstance(entry, dict) and isinstance(entry.get("country"), str):
                    out.add(entry["country"])
    settings = data.get("chainmap")
    if isinstance(settings, dict) and isinstance(settings.get("home"), str):
        out.add(settings["home"])
    return out


def main(folder: str, target: str) -> int:
    target_path = Path(target)
    existing: dict[str, dict[str, Any]] = {}
    if target_path.exists():
        doc = read_file(target_path)
        for item in (doc.data or {}).get("countries") or []:
            existing[item["id"]] = item
    used: set[str] = set()
    for file in graph_files(Path(folder)):
        if file.resolve() == target_path.resolve():
            continue
        try:
            used |= _codes(read_file(file).data)
        except GraphFileError as exc:
            print(f"skipped {file}: {exc.lines()[0]}", file=sys.stderr)
    bad = sorted(c for c in used if not valid_country_code(c))
    for code in bad:
        print(f"not an ISO 3166-1 alpha-2 code: {code!r}", file=sys.stderr)
    countries = []
    for code in sorted((used - set(bad)) | set(existing)):
        entry = existing.get(code) or {"id": code, "name": country_name(code), "source": SOURCE}
        countries.append(entry)
    header = "Every country the bundled graphs use (tools/sync_countries.py keeps this list complete).\n" \
             "risk: not given here, so the DESIGN default applies (0 for home, 1 for others); see country-risk.md."
    write_graph(target_path, {"countries": countries}, header)
    print(f"wrote {target_path}: {len(countries)} countries")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
