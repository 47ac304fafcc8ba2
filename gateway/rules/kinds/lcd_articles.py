"""ICD-10 coverage from the imported MCD billing and coding articles (``gateway codes import
lcd-articles DIR``): covered groups per CPT, the non-covered list and the group combinations
("a code of group 1 must be billed with a code of group 2") parsed from the group paragraphs.

The article version in force on the date of service is the newest revised on or before it.
An article the rule names but nobody imported checks nothing (``gateway codes status`` lists
what is loaded); the YAML ``dx_coverage`` kind stays for hand-kept lists.
"""

from __future__ import annotations

from collections.abc import Iterator

from gateway.codesets.lcd_articles import LineDx, article_problems, in_force
from gateway.domain.findings import Finding
from gateway.rules.compiled import CompiledRule
from gateway.rules.facts import Facts
from gateway.rules.kinds.base import finding
from gateway.rules.models import LcdArticles


def lcd_articles(rule: CompiledRule, facts: Facts) -> Iterator[Finding]:
    spec = rule.rule
    assert isinstance(spec, LcdArticles)
    loaded = facts.codesets.articles if facts.codesets is not None else {}
    for article_id in spec.articles:
        article = in_force(loaded.get(article_id, ()), facts.dos)
        if article is None:
            continue
        source = f"{article.article} v{article.version} (MCD export)"
        for line in facts.lines:
            dx = tuple(code.replace(".", "") for code in line.dx)
            for message, fix in article_problems(article, LineDx(line.number, line.code, dx)):
                yield finding(rule, message, fix, line.number, source=source)
