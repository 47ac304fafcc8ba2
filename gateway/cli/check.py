"""`gateway check CLAIMS.json [--json]` and `gateway config check`: the payer rules from the shell.

``check`` prints every finding of every claim with its source and fix, grouped by category
(coverage, coding, prior_auth, documentation: "would be denied" apart from "the record is
incomplete"), and exits 1 when any claim is held (errors), 0 when everything may be sent
(warnings allowed).  ``--json`` gives each finding its ``category``.  Earlier claims come
from the database when it exists, so frequency limits see the clinic's history.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from gateway.codesets import CodeSets, default_code_sets
from gateway.domain.claim import Claim
from gateway.domain.findings import Category, Finding, RuleResult, Severity
from gateway.domain.history import History
from gateway.errors import ConfigProblems, RuleViolation
from gateway.intake import load_claims
from gateway.packet.completeness import review
from gateway.rules import engine
from gateway.rules.book import RuleBook, load_rule_book
from gateway.rules.config import load_config
from gateway.rules.dx_import import article_from_export, write_article
from gateway.rules.matrix import build as build_matrix
from gateway.settings import Settings
from gateway.store.codesets import load_code_sets
from gateway.store.db import Store
from gateway.store.history import HistoryProvider


def _open_history(settings: Settings) -> Store | None:
    """The store when a database exists; None (evidence only) for a fresh SQLite setup."""
    url = settings.db_url
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return None
    return Store.open(url, migrate_schema=False)


def _format(finding: Finding) -> list[str]:
    where = f"line {finding.line}" if finding.line is not None else "claim"
    return [
        f"  {finding.severity.value:<7} {where:<7} {finding.rule_id}  [{finding.source}; {finding.status.value}]",
        f"          {finding.message}",
        f"          fix: {finding.fix}",
    ]


def _grouped(findings: tuple[Finding, ...]) -> list[str]:
    """Findings under one heading per category, in the order an operator acts on them."""
    out: list[str] = []
    for category in Category:
        mine = [finding for finding in findings if finding.category is category]
        if not mine:
            continue
        held = sum(finding.severity is Severity.ERROR for finding in mine)
        out.append(f"  {category.value}: {len(mine)} finding(s), {held} holding")
        for finding in mine:
            out.extend(_format(finding))
    return out


def _check_all(
    claims: list[Claim], book: RuleBook, provider: HistoryProvider | None, codes: CodeSets
) -> list[RuleResult]:
    results = []
    for claim in claims:
        history = provider.for_claim(claim) if provider is not None else History.empty()
        results.append(engine.evaluate(claim, history, book, codes))
    return results


@click.command("check")
@click.argument("claims_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Count earlier claims from the database (when it exists).",
)
@click.pass_obj
def check(settings: Settings, claims_file: Path, as_json: bool, history: bool) -> None:
    """Check CLAIMS_FILE against the payer rules; exit 1 when any claim is held."""
    claims = load_claims(claims_file)
    book = load_rule_book(settings.payer_configs)
    # The database, when there is one, also holds the imported code-set releases.
    store = _open_history(settings)
    try:
        codes = load_code_sets(store) if store is not None else default_code_sets()
        provider = HistoryProvider(store) if store is not None and history else None
        results = _check_all(claims, book, provider, codes)
    finally:
        if store is not None:
            store.close()
    held = sum(result.held for result in results)
    if as_json:
        document = [
            {
                "patient_control_number": claim.patient_control_number,
                **result.to_dict(),
                "documentation": review(claim, book)[0].to_dict(),
            }
            for claim, result in zip(claims, results, strict=True)
        ]
        click.echo(json.dumps(document, indent=2))
    else:
        for claim, result in zip(claims, results, strict=True):
            state = "HELD" if result.held else "ok to send"
            click.echo(f"{claim.patient_control_number}  {state}  (rules {result.pack_version})")
            lines = _grouped(result.findings)
            if lines:
                click.echo("\n".join(lines))
            click.echo(f"  {review(claim, book)[0].summary()}")
        warnings = sum(len(result.warnings) for result in results)
        click.echo(
            f"{len(results)} claim(s): {held} held, {len(results) - held} to send, {warnings} warning(s)"
        )
    if held:
        raise RuleViolation(f"{claims_file}: {held} of {len(results)} claim(s) held by payer rules")


@click.group("config")
def config() -> None:
    """Payer rule configuration (payer_configs/)."""


@config.command("check")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to check (default: GATEWAY_PAYER_CONFIGS or payer_configs/).",
)
@click.pass_obj
def config_check(settings: Settings, folder: Path | None) -> None:
    """Validate every payer config file; list every problem by file and key (exit 2)."""
    loaded = load_config(folder or settings.payer_configs)
    book = RuleBook(loaded)
    click.echo(
        f"{loaded.root}: {len(loaded.packs)} packs, {len(loaded.payers)} payers, {len(loaded.dx)} dx "
        f"articles, {len(loaded.routes)} routes, {len(loaded.sources)} sources (digest {book.digest})"
    )
    for name, pack in sorted(loaded.packs.items()):
        for version in pack.versions:
            statuses = Counter(rule.status.value for rule in version.rules)
            detail = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
            click.echo(
                f"  pack  {name} {version.version} (from {version.effective_from}): {len(version.rules)} "
                f"rules ({detail}); {len(version.unknown)} unknown value(s) not enforced"
            )
    for name, payer in sorted(loaded.payers.items()):
        for payer_version in payer.versions:
            ruleset = book.ruleset(payer, payer_version, payer_version.effective_from)
            holds = sum(rule.severity is Severity.ERROR for rule in ruleset.rules)
            until = payer_version.effective_to or "open"
            click.echo(
                f"  payer {name} {payer_version.version} ({payer_version.effective_from} .. {until}): "
                f"{len(ruleset.rules)} rules, {holds} may hold a claim, {len(ruleset.rules) - holds} warn only"
            )
    click.echo("ok")


@config.command("matrix")
@click.option(
    "--check",
    "against",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Compare with this file (docs/coverage_matrix.md) instead of printing; exit 1 when it is stale.",
)
@click.option(
    "--tests",
    "tests_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Tests folder to find the tests that name each rule (default: tests/ beside the payer configs).",
)
@click.pass_obj
def config_matrix(settings: Settings, against: Path | None, tests_dir: Path | None) -> None:
    """Print the coverage matrix (payer_rules.md limitations against the rules) as Markdown."""
    loaded = load_config(settings.payer_configs)
    default_tests = loaded.root.parent / "tests"
    text, found = build_matrix(
        loaded,
        loaded.root / "coverage_matrix.yaml",
        tests_dir or (default_tests if default_tests.is_dir() else None),
    )
    if found:
        raise ConfigProblems(f"{len(found)} problem(s) in the coverage matrix", found)
    if against is None:
        click.echo(text, nl=False)
        return
    try:
        committed = against.read_text()
    except OSError as error:
        raise ConfigProblems(f"{against}: cannot read: {error.strerror}") from None
    if committed != text:
        raise RuleViolation(f"{against} is stale: run gateway config matrix > {against}")
    click.echo(f"{against}: up to date")


@config.command("import-dx")
@click.argument("export_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("article")
@click.option("--mac", help="MAC name to record, e.g. Noridian.")
@click.option("--lcd", help="LCD id the article belongs to, e.g. L38801.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write ARTICLE.yaml (default: the dx/ folder of the payer configs).",
)
@click.pass_obj
def import_dx(
    settings: Settings, export_dir: Path, article: str, mac: str | None, lcd: str | None, out_dir: Path | None
) -> None:
    """Write dx/ARTICLE.yaml from a CMS MCD article export folder (CSV files)."""
    document = article_from_export(export_dir, article, mac=mac, lcd=lcd)
    target = out_dir or settings.payer_configs / "dx"
    target.mkdir(parents=True, exist_ok=True)
    path = write_article(document, target)
    count = sum(len(group["codes"]) for group in document["groups"])
    click.echo(
        f"{path}: {document['article']} v{document['version']}, {len(document['groups'])} group(s), "
        f"{count} code(s); reference it from a payer's dx_coverage rule, then run gateway config check"
    )
