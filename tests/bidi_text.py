"""User text holding a RIGHT-TO-LEFT OVERRIDE, and a check that on a page it cannot reverse the words after it.

The override runs from where it stands to the end of its bidi paragraph (the block: a cell, a list item, a line of
a heading) unless an isolate ends it first: a <bdi> element, or the characters FSI … PDI where markup cannot go
(<title>, <option>). The texts below end with the override, so that whatever follows one on its line, outside an
isolate, is the page's own words (or other text) that a browser would show reversed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

RLO = "\u202e"
# Elements that start a new line of text (a bidi paragraph of their own; in a chart, each SVG <text> is laid out on
# its own); <br> is not counted as one.
BLOCKS = {"html", "head", "body", "header", "main", "nav", "section", "article", "aside", "footer", "div", "p",
          "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
          "h1", "h2", "h3", "h4", "h5", "h6", "details", "summary", "blockquote", "form", "fieldset", "legend",
          "select", "optgroup", "option", "textarea", "title", "script", "style", "progress", "svg", "g", "text"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
ISOLATED_CHARS = re.compile("\u2068[^\u2069]*\u2069")  # FSI … PDI


def hostile(text: str) -> str:
    """The text as someone pasted it, with a right-to-left override at its end."""
    return text + RLO


class _Lines(HTMLParser):
    """A page's text, line by line (block by block), each piece inside a <bdi> replaced by a mark."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.line: list[str] = []
        self.lines: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.end_line()
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.end_line()
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        self.line.append("[isolated]" if "bdi" in self.stack else ISOLATED_CHARS.sub("[isolated]", data))

    def end_line(self):
        if self.line:
            self.lines.append(" ".join("".join(self.line).split()))
            self.line = []


def overrides_running_on(page: str) -> list[str]:
    """The lines of a page where an override outside an isolate is followed by more text (should be none)."""
    parser = _Lines()
    parser.feed(page)
    parser.close()
    parser.end_line()
    return [line for line in parser.lines if re.search(RLO + r"\s*\S", line)]


def overrides_shown(page: str) -> int:
    """How many overrides the page's text holds (a check that the hostile text is on the page at all)."""
    return page.count(RLO)
