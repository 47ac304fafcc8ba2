"""Imported code-set releases: ICD-10-CM indexes, NCCI PTP and MUE quarters, LCD article exports.

``code_set_releases`` has one row per imported release (kind, name, effective date, source file
names and their sha256, row count).  An ICD-10-CM release keeps its compact index as ``payload``
(the same bytes as the shipped release's cache file), unpacked only when a claim dated in its
window is judged.  PTP pairs and MUE values are rows, queried per claim for the claim's codes.

An import is one transaction: the new release and its rows replace a release of the same kind
and name, or nothing changes (a file refused halfway leaves the previous data in force).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import weakref
from collections.abc import Collection, Iterable, Sequence
from functools import partial

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    delete,
    insert,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.codesets.icd10cm import Icd10Index
from gateway.codesets.lcd_articles import Article
from gateway.codesets.ncci import MueValue, PtpEdit
from gateway.codesets.releases import CodeSetKind, Icd10Catalog, Icd10Release, ReleaseInfo
from gateway.codesets.sets import CodeSets, NcciTables
from gateway.codesets.shipped import shipped_release
from gateway.store.db import Store
from gateway.store.schema import Base

_CHUNK = 5000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CodeSetReleaseRow(Base):
    __tablename__ = "code_set_releases"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class PtpEditRow(Base):
    __tablename__ = "ncci_ptp_edits"
    __table_args__ = (Index("ix_ncci_ptp_edits_release_column1", "release_id", "column1"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("code_set_releases.id", ondelete="CASCADE"))
    column1: Mapped[str] = mapped_column(String(5))
    column2: Mapped[str] = mapped_column(String(5))
    effective: Mapped[dt.date] = mapped_column(Date)
    deletion: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    modifier_indicator: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)


class MueValueRow(Base):
    __tablename__ = "ncci_mue_values"
    __table_args__ = (Index("ix_ncci_mue_values_release_code", "release_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("code_set_releases.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(5))
    mue_value: Mapped[int] = mapped_column(Integer)
    mai: Mapped[int] = mapped_column(Integer)
    mai_text: Mapped[str] = mapped_column(String(80))
    rationale: Mapped[str] = mapped_column(Text)


def _info(row: CodeSetReleaseRow) -> ReleaseInfo:
    return ReleaseInfo(
        kind=CodeSetKind(row.kind),
        name=row.name,
        effective_from=row.effective_from,
        effective_to=None,
        source=row.source,
        sha256=row.sha256,
        rows=row.row_count,
        origin=f"imported {row.imported_at:%Y-%m-%d %H:%M}",
    )


def save_release(
    store: Store,
    *,
    kind: CodeSetKind,
    name: str,
    effective_from: dt.date,
    source: str,
    sha256: str,
    rows: int,
    payload: bytes | None = None,
    ptp: Iterable[PtpEdit] = (),
    mue: Iterable[MueValue] = (),
) -> ReleaseInfo:
    """Store one release (replacing a release of the same kind and name) in one transaction."""
    with store.session() as session:
        old = session.scalars(
            select(CodeSetReleaseRow.id).where(
                CodeSetReleaseRow.kind == kind.value, CodeSetReleaseRow.name == name
            )
        ).all()
        for old_id in old:
            session.execute(delete(PtpEditRow).where(PtpEditRow.release_id == old_id))
            session.execute(delete(MueValueRow).where(MueValueRow.release_id == old_id))
            session.execute(delete(CodeSetReleaseRow).where(CodeSetReleaseRow.id == old_id))
        session.flush()
        row = CodeSetReleaseRow(
            kind=kind.value,
            name=name,
            effective_from=effective_from,
            source=source,
            sha256=sha256,
            row_count=rows,
            payload=payload,
            imported_at=_now(),
        )
        session.add(row)
        session.flush()
        batch: list[dict[str, object]] = []
        for edit in ptp:
            batch.append(
                {
                    "release_id": row.id,
                    "column1": edit.column1,
                    "column2": edit.column2,
                    "effective": edit.effective,
                    "deletion": edit.deletion,
                    "modifier_indicator": edit.modifier_indicator,
                    "rationale": edit.rationale,
                }
            )
            if len(batch) >= _CHUNK:
                session.execute(insert(PtpEditRow), batch)
                batch = []
        if batch:
            session.execute(insert(PtpEditRow), batch)
        values = [
            {
                "release_id": row.id,
                "code": value.code,
                "mue_value": value.value,
                "mai": value.mai,
                "mai_text": value.mai_text,
                "rationale": value.rationale,
            }
            for value in mue
        ]
        for start in range(0, len(values), _CHUNK):
            session.execute(insert(MueValueRow), values[start : start + _CHUNK])
        return _info(row)


def save_articles(
    store: Store, articles: Sequence[Article], *, source: str, sha256: str
) -> list[ReleaseInfo]:
    """Store every article version of one MCD export in one transaction (a version imported before
    is replaced; other versions stay, so a claim is judged by the version revised before its date)."""
    saved: list[ReleaseInfo] = []
    kind = CodeSetKind.LCD_ARTICLES.value
    with store.session() as session:
        for article in articles:
            name = f"{article.article} v{article.version}"
            session.execute(
                delete(CodeSetReleaseRow).where(
                    CodeSetReleaseRow.kind == kind, CodeSetReleaseRow.name == name
                )
            )
            row = CodeSetReleaseRow(
                kind=kind,
                name=name,
                effective_from=article.revision or _now().date(),
                source=source,
                sha256=sha256,
                row_count=sum(len(codes) for codes in article.covered.values()) + len(article.noncovered),
                payload=json.dumps(article.to_json(), sort_keys=True).encode(),
                imported_at=_now(),
            )
            session.add(row)
            session.flush()
            saved.append(_info(row))
    return saved


def _articles(store: Store) -> dict[str, tuple[Article, ...]]:
    with store.session() as session:
        payloads = session.scalars(
            select(CodeSetReleaseRow.payload).where(CodeSetReleaseRow.kind == CodeSetKind.LCD_ARTICLES.value)
        ).all()
    by_id: dict[str, list[Article]] = {}
    for payload in payloads:
        if payload is not None:
            article = Article.from_json(json.loads(payload))
            by_id.setdefault(article.article, []).append(article)
    return {key: tuple(sorted(found, key=lambda a: a.version)) for key, found in by_id.items()}


def list_releases(store: Store) -> list[ReleaseInfo]:
    """Every imported release; none in a database opened without migrating that predates them."""
    if not inspect(store.engine).has_table(CodeSetReleaseRow.__tablename__):
        return []
    with store.session() as session:
        result = session.execute(
            select(
                CodeSetReleaseRow.kind,
                CodeSetReleaseRow.name,
                CodeSetReleaseRow.effective_from,
                CodeSetReleaseRow.source,
                CodeSetReleaseRow.sha256,
                CodeSetReleaseRow.row_count,
                CodeSetReleaseRow.imported_at,
            ).order_by(CodeSetReleaseRow.kind, CodeSetReleaseRow.effective_from)
        ).all()
    return [
        ReleaseInfo(
            kind=CodeSetKind(kind),
            name=name,
            effective_from=start,
            effective_to=None,
            source=source,
            sha256=sha256,
            rows=count,
            origin=f"imported {imported:%Y-%m-%d %H:%M}",
        )
        for kind, name, start, source, sha256, count, imported in result
    ]


def _payload_loader(store: Store, kind: CodeSetKind, name: str) -> Icd10Index:
    with store.session() as session:
        payload = session.scalar(
            select(CodeSetReleaseRow.payload).where(
                CodeSetReleaseRow.kind == kind.value, CodeSetReleaseRow.name == name
            )
        )
    if payload is None:
        raise LookupError(f"ICD-10-CM release {name} has no index stored")
    return Icd10Index.from_blob(payload)


def _release_id(session: Session, release: ReleaseInfo) -> int | None:
    return session.scalar(
        select(CodeSetReleaseRow.id).where(
            CodeSetReleaseRow.kind == release.kind.value, CodeSetReleaseRow.name == release.name
        )
    )


class StoredNcci(NcciTables):
    """PTP pairs and MUE values of the imported quarters, asked per claim."""

    def __init__(self, store: Store, releases: Sequence[ReleaseInfo]) -> None:
        super().__init__(releases)
        self._store = store

    def _fetch_ptp(self, release: ReleaseInfo, codes: Collection[str]) -> list[PtpEdit]:
        with self._store.session() as session:
            release_id = _release_id(session, release)
            rows = session.execute(
                select(PtpEditRow).where(
                    PtpEditRow.release_id == release_id,
                    PtpEditRow.column1.in_(list(codes)),
                    PtpEditRow.column2.in_(list(codes)),
                )
            ).scalars()
            return [
                PtpEdit(
                    column1=row.column1,
                    column2=row.column2,
                    effective=row.effective,
                    deletion=row.deletion,
                    modifier_indicator=row.modifier_indicator,
                    rationale=row.rationale,
                )
                for row in rows
            ]

    def _fetch_mue(self, release: ReleaseInfo, codes: Collection[str]) -> list[MueValue]:
        with self._store.session() as session:
            release_id = _release_id(session, release)
            rows = session.execute(
                select(MueValueRow).where(
                    MueValueRow.release_id == release_id, MueValueRow.code.in_(list(codes))
                )
            ).scalars()
            return [
                MueValue(
                    code=row.code,
                    value=row.mue_value,
                    mai=row.mai,
                    mai_text=row.mai_text,
                    rationale=row.rationale,
                )
                for row in rows
            ]


_REREAD_SECONDS = 60.0
_loaded: weakref.WeakKeyDictionary[Store, tuple[float, CodeSets]] = weakref.WeakKeyDictionary()


def load_code_sets(store: Store, *, fresh: bool = False) -> CodeSets:
    """The shipped ICD-10-CM release plus everything imported into this database.

    Kept per store for a minute, so a daemon screening thousands of claims asks the database once
    a minute and still sees a release imported while it runs.
    """
    now = time.monotonic()
    known = _loaded.get(store)
    if known is not None and not fresh and now - known[0] < _REREAD_SECONDS:
        return known[1]
    sets = _read_code_sets(store)
    _loaded[store] = (now, sets)
    return sets


def _read_code_sets(store: Store) -> CodeSets:
    releases = list_releases(store)
    icd10 = [shipped_release()] + [
        Icd10Release(info, partial(_payload_loader, store, CodeSetKind.ICD10CM, info.name))
        for info in releases
        if info.kind is CodeSetKind.ICD10CM
    ]
    ncci = [info for info in releases if info.kind in (CodeSetKind.NCCI_PTP, CodeSetKind.MUE)]
    has_articles = any(info.kind is CodeSetKind.LCD_ARTICLES for info in releases)
    return CodeSets(
        icd10=Icd10Catalog(icd10),
        ncci=StoredNcci(store, ncci) if ncci else None,
        articles=_articles(store) if has_articles else {},
    )
