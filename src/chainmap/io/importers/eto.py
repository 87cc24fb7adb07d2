"""Import the CSET ETO semiconductor supply chain dataset (downloaded by the user).

The dataset (Emerging Technology Observatory, "Semiconductor supply chain"
CSVs) is not bundled: its licence is non-commercial. Tables read:

- ``inputs.csv``: ``input_id, input_name, type, stage_id, ...``
- ``providers.csv``: ``provider_name, alias, provider_id, provider_type``
  (``country`` or ``organization``), ``country`` (ISO alpha-3 or an aggregate
  such as ``EUR``, ``Various countries``)
- ``provision.csv``: ``provider_id, provided_id, share_provided`` (percent,
  ``61`` or ``61%``, may be blank), optional ``year, source`` and
  ``negligible_market_share`` (or ``negligible_share``: ``Negligible``);
  ``provided_id`` names an input (``N1``) or a stage (``S1``-``S3``)
- ``sequence.csv``: ``input_id, goes_into_id, is_type_of_id``
- ``stages.csv`` (optional): ``stage_id, stage_name``: the supply chain's
  stages (design, fabrication, assembly-testing-packaging)

Mapping: every input becomes a component ``eto-<input_id>``; ``goes_into``
makes the later input require the earlier one; ``is_type_of`` makes the
parent require each of its types (a category needs all its kinds: a fab
needs ArF *and* KrF resists); organisations become suppliers located in
their country, country providers become country entries. Each stage (from
``stages.csv``, or named by the inputs' ``stage_id``/``stage_name``) becomes a
component ``eto-s1`` that requires the inputs tagged with it, and takes the
provision rows that point at the stage. Blank shares share what the listed
ones leave (equally; at least 1% each), marked estimates; a provider marked
negligible gets share 0; a provider id listed again (an alias row) is read
once. The latest year wins when a provision is listed for
several; a sequence row naming an input as its own parent is skipped.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()); write_sample(folder)
>>> data = import_eto(folder)
>>> [(c["id"], c.get("requires")) for c in data["components"]][:2]
[('eto-n1', ['eto-n4']), ('eto-n2', ['eto-n1', 'eto-n3'])]
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from chainmap.errors import GraphFileError, Problem
from chainmap.io.countries import alpha3_to_alpha2, country_code, country_name

__all__ = ["TABLES", "import_eto", "write_sample"]

TABLES = ("inputs.csv", "providers.csv", "provision.csv", "sequence.csv")
"""The tables every ETO download has; ``stages.csv`` is read when present."""
STAGES = "stages.csv"
SOURCE = "CSET Emerging Technology Observatory, Semiconductor supply chain dataset"
_AGGREGATES = {"EUR": "EU", "EU": "EU", "EUROPE": "EU", "VARIOUS COUNTRIES": "XR", "VARIOUS": "XR", "ROW": "XR",
               "OTHER": "XR", "ASIA-PACIFIC": "XR", "MAL": "MY"}  # ETO spells Malaysia MAL


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")


def _read(folder: Path, name: str, required: set[str], problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    path = folder / name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = required - set(reader.fieldnames or [])
            if missing:
                problems.append(Problem(str(path), 1, "", f"missing columns: {', '.join(sorted(missing))}"))
                return []
            return [(line, {k: (v or "").strip() for k, v in row.items() if k}) for line, row in enumerate(reader, 2)]
    except OSError as exc:
        problems.append(Problem(str(path), 0, "", f"cannot read: {exc.strerror or exc}"))
        return []


def _country(text: str) -> str | None:
    key = text.strip().upper()
    if key in _AGGREGATES:
        return _AGGREGATES[key]
    if len(key) == 3:
        return alpha3_to_alpha2(key)
    if len(key) == 2:
        return key if country_name(key) != key else None
    return country_code(text)


def import_eto(folder: str | Path, with_countries: bool = True) -> dict[str, Any]:
    """Read the four ETO tables from ``folder`` into graph data."""
    root = Path(folder)
    problems: list[Problem] = []
    inputs = _read(root, "inputs.csv", {"input_id", "input_name"}, problems)
    providers = _read(root, "providers.csv", {"provider_id", "provider_name", "provider_type", "country"}, problems)
    provision = _read(root, "provision.csv", {"provider_id", "provided_id", "share_provided"}, problems)
    sequence = _read(root, "sequence.csv", {"input_id", "goes_into_id", "is_type_of_id"}, problems)
    stages = _read(root, STAGES, {"stage_id", "stage_name"}, problems) if (root / STAGES).exists() else []
    if problems:
        raise GraphFileError(problems)
    comps: dict[str, dict[str, Any]] = {}
    stage_names = {row["stage_id"]: row["stage_name"] for _, row in stages if row["stage_id"]}
    for _, row in inputs:
        if row.get("stage_id") and row["stage_id"] not in stage_names:
            stage_names[row["stage_id"]] = row.get("stage_name") or row["stage_id"]
    by_stage: dict[str, str] = {}
    for stage, name in stage_names.items():
        cid = f"eto-{_slug(stage)}"
        by_stage[stage] = cid
        comps[cid] = {"id": cid, "name": name, "tags": ["stage"]}
    for _, row in inputs:
        cid = f"eto-{_slug(row['input_id'])}"
        comps[cid] = {"id": cid, "name": row["input_name"] or row["input_id"]}
        tags = [t for t in (row.get("type"), row.get("stage_id")) if t]
        if tags:
            comps[cid]["tags"] = tags
        if row.get("stage_id"):
            comps[by_stage[row["stage_id"]]].setdefault("requires", []).append(cid)
    by_input = {row["input_id"]: f"eto-{_slug(row['input_id'])}" for _, row in inputs}
    provided = {**by_stage, **by_input}
    prov_path = str(root / "providers.csv")
    kinds: dict[str, tuple[str, str]] = {}  # provider_id -> ("supplier", id) | ("country", code)
    suppliers: list[dict[str, Any]] = []
    used: set[str] = set()
    for line, row in providers:
        code = _country(row["country"]) if row["country"] else None
        if row["provider_type"] == "country":
            code = code or _country(row["provider_name"])
            if code is None:
                problems.append(Problem(prov_path, line, "country", f"unknown country {row['country'] or row['provider_name']!r}"))
                continue
            if kinds.get(row["provider_id"], ("country", code)) != ("country", code):
                problems.append(Problem(prov_path, line, "provider_id",
                                        f"provider {row['provider_id']!r} listed again with another type or country"))
                continue
            kinds[row["provider_id"]] = ("country", code)
            used.add(code)
        elif row["provider_type"] == "organization":
            if code is None:
                problems.append(Problem(prov_path, line, "country", f"unknown country {row['country']!r}"))
                continue
            sid = f"eto-{_slug(row['provider_id'])}"
            if row["provider_id"] in kinds:  # an alias row (the published table repeats ids with an alias)
                first = next((s for s in suppliers if s["id"] == sid), None)
                if first is None or first["country"] != code:
                    problems.append(Problem(prov_path, line, "provider_id",
                                            f"provider {row['provider_id']!r} listed again with another type or country"))
                continue
            kinds[row["provider_id"]] = ("supplier", sid)
            suppliers.append({"id": sid, "name": row["provider_name"], "country": code, "source": SOURCE})
            used.add(code)
        else:
            problems.append(Problem(prov_path, line, "provider_type", f"expected country or organization, got {row['provider_type']!r}"))
    seq_path = str(root / "sequence.csv")
    requires: dict[str, list[str]] = {}
    for line, row in sequence:
        child = by_input.get(row["input_id"])
        if child is None:
            problems.append(Problem(seq_path, line, "input_id", f"unknown input {row['input_id']!r}"))
            continue
        for column in ("goes_into_id", "is_type_of_id"):
            if not row[column]:
                continue
            parent = provided.get(row[column])
            if parent is None:
                problems.append(Problem(seq_path, line, column, f"unknown input {row[column]!r}"))
                continue
            if parent == child:
                continue  # the published table lists "Etching and cleaning tools" as going into itself
            if child not in requires.setdefault(parent, []):
                requires[parent].append(child)
    provision_path = str(root / "provision.csv")
    latest: dict[tuple[str, str], tuple[int, float | None, str, bool]] = {}
    for line, row in provision:
        comp = provided.get(row["provided_id"])
        if comp is None:
            problems.append(Problem(provision_path, line, "provided_id",
                                    f"unknown input or stage {row['provided_id']!r}"))
            continue
        if row["provider_id"] not in kinds:
            problems.append(Problem(provision_path, line, "provider_id", f"unknown provider {row['provider_id']!r}"))
            continue
        share: float | None = None
        negligible = (row.get("negligible_market_share") or row.get("negligible_share") or "").lower() == "negligible"
        if negligible and not row["share_provided"]:
            share = 0.0
        elif row["share_provided"]:
            try:
                share = float(row["share_provided"].rstrip("%")) / 100.0
            except ValueError:
                problems.append(Problem(provision_path, line, "share_provided", f"not a number: {row['share_provided']!r}"))
                continue
            if not 0.0 <= share <= 1.0:
                problems.append(Problem(provision_path, line, "share_provided", f"out of range: {row['share_provided']!r}"))
                continue
        year = int(row["year"]) if (row.get("year") or "").isdigit() else 0
        key = (comp, row["provider_id"])
        source = f"{SOURCE}; {row['source']}" if row.get("source") else SOURCE
        if key not in latest or year >= latest[key][0]:
            latest[key] = (year, share, source, negligible)
    if problems:
        raise GraphFileError(problems)
    entries: dict[str, list[dict[str, Any]]] = {}
    for (comp, provider), (year, share, source, negligible) in sorted(latest.items()):
        kind, ref = kinds[provider]
        entry: dict[str, Any] = {kind: ref, "share": share, "source": source}
        if year:
            entry["year"] = year
        if negligible and share == 0.0:
            entry.update({"estimate": True, "note": "negligible market share in ETO; entered as 0"})
        entries.setdefault(comp, []).append(entry)
    for comp, listed in entries.items():
        known = sum(e["share"] for e in listed if e["share"] is not None)
        blanks = [e for e in listed if e["share"] is None]
        if blanks:
            each = max((1.0 - known) / len(blanks), 0.01)
            for e in blanks:
                e["share"] = round(min(each, 1.0), 6)
                e["estimate"] = True
                e["note"] = "share blank in ETO; the remainder split equally"
        comps[comp]["suppliers"] = listed
    for parent, children in requires.items():
        comps[parent]["requires"] = [*comps[parent].get("requires", []),
                                     *(c for c in children if c not in comps[parent].get("requires", []))]
    data: dict[str, Any] = {}
    if with_countries:
        data["countries"] = [{"id": c, "name": country_name(c)} for c in sorted(used)]
    data["suppliers"] = sorted(suppliers, key=lambda s: s["id"])
    data["components"] = [comps[c] for c in sorted(comps)]
    return data


def write_sample(folder: Path) -> None:
    """Write a tiny hand-made sample in the ETO table format (for tests and docs)."""
    tables = {
        "inputs.csv": "input_id,input_name,type,stage_id,description\nN1,Photoresist,material,S1,\n"
                      "N2,Lithography,process,S2,\nN3,EUV scanner,tool,S2,\nN4,ArF resist,material,S1,\n",
        "providers.csv": "provider_name,alias,provider_id,provider_type,country\nASML,,P1,organization,NLD\n"
                         "Japan,,P2,country,JPN\nEurope,,P3,country,EUR\nOthers,,P4,country,Various countries\n"
                         "JSR,,P5,organization,JPN\nUSA,,P6,country,\n",
        "provision.csv": "provider_id,provided_id,share_provided,year,source\nP1,N3,100,2021,annual report\n"
                         "P2,N1,90,2021,\nP3,N1,,2021,\nP4,N1,,2021,\nP5,N4,,2020,\nP2,N1,80,2019,old\n"
                         "P2,S2,30%,2021,\nP6,S2,55%,2021,\nP4,S2,,2021,\nP6,S1,100,2021,\n",
        "sequence.csv": "input_id,goes_into_id,is_type_of_id\nN1,N2,\nN3,N2,\nN4,,N1\nN2,N2,\n",
        "stages.csv": "stage_id,stage_name,description\nS1,Design,\nS2,Fabrication,\nS3,\"Assembly, testing, and packaging (ATP)\",\n",
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / name).write_text(text, encoding="utf-8")
