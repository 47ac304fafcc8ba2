"""`gateway codes ...`: import code-set releases from the publishers' files, show what is loaded.

    gateway codes import icd10cm --release FY2027 --codes FILE --tabular FILE --effective 2026-10-01
    gateway codes import ncci-ptp FILE... [--effective DATE] [--release NAME]
    gateway codes import mue FILE [--effective DATE]
    gateway codes import lcd-articles DIR
    gateway codes status [--json]
    gateway codes show CODE [--date DATE]

An import reads and checks the whole file before anything is stored, then stores it in one
transaction; a refused file (named with its line and the column expected) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from gateway.codesets.icd10cm import dotted, plain
from gateway.codesets.icd10cm_files import load_release, sha256_of
from gateway.codesets.lcd_articles import ARTICLE, read_export
from gateway.codesets.ncci import (
    mue_effective_from_name,
    ptp_effective_from_name,
    quarter_name,
    read_mue,
    read_ptp,
)
from gateway.codesets.releases import CodeSetKind, Icd10Catalog, ReleaseInfo
from gateway.codesets.sets import CodeSets, default_code_sets
from gateway.codesets.shipped import package_version
from gateway.errors import CodeSetError
from gateway.settings import Settings
from gateway.store.codesets import load_code_sets, save_articles, save_release
from gateway.store.db import Store

_FILE = click.Path(path_type=Path, dir_okay=False, exists=True)


def _database_exists(settings: Settings) -> bool:
    url = settings.db_url
    return not url.startswith("sqlite") or Path(url.split("///", 1)[-1]).exists()


@click.group("codes")
def codes() -> None:
    """Code sets: ICD-10-CM releases, NCCI PTP/MUE quarters, LCD articles."""


@codes.group("import")
def import_() -> None:
    """Load a code-set release from the publisher's files into the database."""


@import_.command("icd10cm")
@click.option("--release", "name", required=True, help="Release name, e.g. FY2027 or 'April 2027'.")
@click.option("--codes", "codes_file", type=_FILE, required=True, help="Code list (CDC codes/order file).")
@click.option("--tabular", "tabular_file", type=_FILE, required=True, help="Tabular list XML.")
@click.option("--effective", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day in force.")
@click.pass_obj
def import_icd10cm(
    settings: Settings, name: str, codes_file: Path, tabular_file: Path, effective: dt.datetime
) -> None:
    """Import an ICD-10-CM release (code list + tabular XML) in force from --effective."""
    index = load_release(name, codes_file, tabular_file)
    total, billable = index.counts()
    with Store.open(settings.db_url) as store:
        info = save_release(
            store,
            kind=CodeSetKind.ICD10CM,
            name=name,
            effective_from=effective.date(),
            source=index.source,
            sha256=index.sha256,
            rows=billable,
            payload=index.to_blob(),
        )
        window = _window(load_code_sets(store, fresh=True), info)
    click.echo(
        f"ICD-10-CM {name}: {billable:,} billable of {total:,} codes, in force {window} "
        f"(sha256 {index.sha256[:12]})"
    )


@import_.command("ncci-ptp")
@click.argument("files", type=_FILE, nargs=-1, required=True)
@click.option(
    "--effective", type=click.DateTime(["%Y-%m-%d"]), help="Quarter start (default: from the name)."
)
@click.option("--release", "name", help="Release name (default: the quarter, e.g. 2026Q4).")
@click.pass_obj
def import_ptp(
    settings: Settings, files: tuple[Path, ...], effective: dt.datetime | None, name: str | None
) -> None:
    """Import one quarter of NCCI practitioner PTP edits (all its files at once)."""
    day = effective.date() if effective else ptp_effective_from_name(files[0].name)
    if day is None:
        raise CodeSetError(f"{files[0]}: no version (vNNNrN) in the file name; give --effective YYYY-MM-DD")
    edits = [edit for path in files for edit in read_ptp(path)]
    release = name or quarter_name(day)
    with Store.open(settings.db_url) as store:
        save_release(
            store,
            kind=CodeSetKind.NCCI_PTP,
            name=release,
            effective_from=day,
            source=" + ".join(path.name for path in files),
            sha256=sha256_of(*files),
            rows=len(edits),
            ptp=edits,
        )
    click.echo(f"NCCI PTP {release}: {len(edits):,} edits from {len(files)} file(s), in force from {day}")


@import_.command("mue")
@click.argument("file", type=_FILE)
@click.option(
    "--effective", type=click.DateTime(["%Y-%m-%d"]), help="Quarter start (default: from the name)."
)
@click.option("--release", "name", help="Release name (default: the quarter, e.g. 2026Q4).")
@click.pass_obj
def import_mue(settings: Settings, file: Path, effective: dt.datetime | None, name: str | None) -> None:
    """Import one quarter of practitioner MUE values."""
    day = effective.date() if effective else mue_effective_from_name(file.name)
    if day is None:
        raise CodeSetError(f"{file}: no Eff_MM-DD-YYYY in the file name; give --effective YYYY-MM-DD")
    values = read_mue(file)
    release = name or quarter_name(day)
    with Store.open(settings.db_url) as store:
        save_release(
            store,
            kind=CodeSetKind.MUE,
            name=release,
            effective_from=day,
            source=file.name,
            sha256=sha256_of(file),
            rows=len(values),
            mue=values,
        )
    click.echo(f"MUE {release}: {len(values):,} values, in force from {day}")


@import_.command("lcd-articles")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.pass_obj
def import_lcd_articles(settings: Settings, folder: Path) -> None:
    """Import the billing & coding articles of an MCD current-article CSV export (unpacked folder)."""
    articles = read_export(folder)
    files = sorted(path for path in folder.glob("*.csv") if path.name.startswith(ARTICLE.split(".")[0]))
    digest = sha256_of(*files)
    for article in articles:
        article.source, article.sha256 = f"MCD export {folder.name}", digest
    with Store.open(settings.db_url) as store:
        save_articles(store, articles, source=f"MCD export {folder.name}", sha256=digest)
    for article in articles:
        groups = ", ".join(f"{group}: {len(codes)}" for group, codes in article.covered.items())
        combos = ", ".join(f"group {a} with group {b}" for a, b in article.combinations) or "none"
        click.echo(
            f"{article.article} v{article.version} (revised {article.revision or 'date unknown'}): "
            f"CPT {len(article.covered_cpt)}, covered groups {groups or 'none'}, non-covered "
            f"{len(article.noncovered)}, combinations {combos}, unparsed paragraphs {len(article.unparsed)}"
        )


def _window(sets: CodeSets, info: ReleaseInfo) -> str:
    for release in sets.icd10.releases:
        if release.info.name == info.name and release.info.effective_from == info.effective_from:
            return release.info.window()
    return info.window()


def _status(sets: CodeSets, today: dt.date) -> dict[str, Any]:
    releases: list[dict[str, Any]] = []
    for release in sets.icd10.releases:
        entry = release.info.to_dict()
        if release.info.origin.startswith("shipped"):
            index = release.index
            entry["sha256"] = index.sha256
            entry["rows"] = index.counts()[1]
            entry["origin"] = f"shipped (simple-icd-10-cm {package_version()})"
        releases.append(entry)
    ncci = sets.ncci
    if ncci is not None:
        releases.extend(info.to_dict() for info in (*ncci.ptp, *ncci.mue))
    unparsed: list[dict[str, Any]] = []
    for versions in sets.articles.values():
        for article in versions:
            releases.append(
                {
                    "kind": CodeSetKind.LCD_ARTICLES.value,
                    "release": f"{article.article} v{article.version}",
                    "effective_from": article.revision.isoformat() if article.revision else None,
                    "effective_to": None,
                    "source": f"{article.source}: {article.title}",
                    "sha256": article.sha256,
                    "rows": sum(len(c) for c in article.covered.values()) + len(article.noncovered),
                    "origin": "imported",
                    "combinations": [list(pair) for pair in article.combinations],
                }
            )
            unparsed.extend(
                {"article": f"{article.article} v{article.version}", "group": group, "paragraph": text}
                for group, text in article.unparsed
            )
    judged = sets.icd10.judge_day(today)
    ptp = ncci.ptp_release_for(today) if ncci is not None else None
    mue = ncci.mue_release_for(today) if ncci is not None else None
    return {
        "releases": releases,
        "today": {
            "date": today.isoformat(),
            "icd10cm": judged.release.info.name
            if judged.covered
            else f"{judged.release.info.name} (not in force: {judged.note()})",
            "ncci_ptp": ptp.name if ptp else "no quarter loaded: the ncci pack's hand-typed pairs",
            "mue": mue.name if mue else "no quarter loaded: the ncci pack's hand-typed values",
        },
        "unparsed_paragraphs": unparsed,
    }


@codes.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the releases as JSON.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Judge this date instead of today.")
@click.pass_obj
def status(settings: Settings, as_json: bool, day: dt.datetime | None) -> None:
    """Every loaded code set: release, effective window, rows, source file hash; what today uses."""
    today = day.date() if day else dt.date.today()
    if _database_exists(settings):
        with Store.open(settings.db_url) as store:
            document = _status(load_code_sets(store), today)
    else:
        document = _status(default_code_sets(), today)
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(f"{'kind':<12} {'release':<12} {'in force':<26} {'rows':>9}  {'sha256':<12}  source")
    for entry in document["releases"]:
        window = f"{entry['effective_from'] or '?'} .. {entry['effective_to'] or 'open'}"
        click.echo(
            f"{entry['kind']:<12} {entry['release']:<12} {window:<26} {entry['rows']:>9,}  "
            f"{entry['sha256'][:12]:<12}  {entry['source']} [{entry['origin']}]"
        )
    for item in document["unparsed_paragraphs"]:
        click.echo(f"unparsed paragraph: {item['article']} group {item['group']}: {item['paragraph'][:200]}")
    now = document["today"]
    click.echo(
        f"a claim dated {now['date']} is judged by: ICD-10-CM {now['icd10cm']}; NCCI PTP {now['ncci_ptp']}; "
        f"MUE {now['mue']}"
    )


@codes.command("show")
@click.argument("code")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Date of service (default: today).")
@click.pass_obj
def show(settings: Settings, code: str, day: dt.datetime | None) -> None:
    """What ICD-10-CM says of CODE on a date: billable, header (with its codes), 7th character, unknown."""
    when = day.date() if day else dt.date.today()
    if _database_exists(settings):
        with Store.open(settings.db_url) as store:
            catalog: Icd10Catalog = load_code_sets(store).icd10
            _show(catalog, code, when)
    else:
        _show(default_code_sets().icd10, code, when)


def _show(catalog: Icd10Catalog, code: str, when: dt.date) -> None:
    judged = catalog.judge_day(when)
    index = judged.release.index
    status = index.status(code)
    title = index.title(code)
    click.echo(
        f"{dotted(code)}: {status.value} in ICD-10-CM {judged.release.info.name}"
        + (f": {title}" if title else "")
    )
    if not judged.covered:
        click.echo(f"  note: {judged.note()}")
    if status.value != "billable":
        for child in index.billable_under(
            code if status.value != "unknown" else (index.nearest_known(code) or plain(code))
        ):
            click.echo(f"  {dotted(child):<10} {index.title(child) or ''}")
