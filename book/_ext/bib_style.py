"""An author-year bibliography to match the author-year citations in the text.

The chapters cite with ``{cite}`key``` and ``bibtex_reference_style: author_year``, which
renders "[Mei and Montanari, 2019]".  pybtex's ``plain`` style numbers the list instead
([1], [2], ...), so a reader cannot find that citation in it by eye.  This extension
registers the pybtex formatting style ``thermo_authoryear`` (``bibtex_default_style`` in
book/_config.yml): the list is sorted by its labels' names, year and title; each entry is
labelled as the text cites it, "Mei and Montanari, 2019" (three or more authors:
"Ghorbani et al., 2019"); works that would share a label get a, b, ... in list order.
The entries' DOI, arXiv and URL links come from pybtex's own ``format_web_refs``.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable, Iterator

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle

STYLE_NAME = "thermo_authoryear"


def _last_name(person) -> str:
    """A person's surname as plain text (TeX accents turned into Unicode)."""
    parts = person.prelast_names + person.last_names
    return Text.from_latex(" ".join(parts)).render_as("text")


def base_label(entry) -> str:
    """The author-year label of one entry, before a, b suffixes.

    Parameters
    ----------
    entry : pybtex.database.Entry
        A parsed bibliography entry with an ``author`` (or ``editor``) list and a ``year``.

    Returns
    -------
    str
        "Surname, year", "Surname and Surname, year" or "Surname et al., year": the form
        of the in-text citations (``bibtex_reference_style: author_year``).
    """
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in persons]
    year = entry.fields.get("year", "n.d.")
    if not names:
        who = entry.fields.get("title", entry.key)[:30]
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Surname et al., 2019", with a, b, ... where two entries would share one."""

    def format_labels(self, sorted_entries: Iterable) -> Iterator[str]:
        entries = list(sorted_entries)
        labels = [base_label(e) for e in entries]
        counts = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if counts[label] > 1:
                yield label + string.ascii_lowercase[seen[label]]
                seen[label] += 1
            else:
                yield label


class LabelOrderSortingStyle(BaseSortingStyle):
    """Sort by the label a reader looks for: its names, then the year, then the title."""

    def sorting_key(self, entry) -> tuple[str, str, str]:
        who, _, year = base_label(entry).rpartition(", ")
        return (who.lower(), year, entry.fields.get("title", "").lower())


class AuthorYearStyle(UnsrtStyle):
    """pybtex's unsrt entry format, in label order, with author-year labels."""

    default_sorting_style = LabelOrderSortingStyle
    default_label_style = AuthorYearLabelStyle


def setup(app):
    register_plugin("pybtex.style.formatting", STYLE_NAME, AuthorYearStyle, force=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
