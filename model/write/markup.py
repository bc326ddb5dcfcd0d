"""The report as a list of blocks (heading, paragraph, list, table, image), rendered to markdown
and to one self-contained html page (images embedded as base64); no markdown package needed.

Text is markdown-like: **bold** spans and `code`. User text (ids from the workbook) is marked
with `user()` and escaped once by each renderer, so markup in an id is shown as typed. Numbers
are put in words here too (num, musd, pct, year_ranges, ...), for the report and the summary sheet.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis import short_name

# --- numbers in words ----------------------------------------------------------------------

def num(x: float, decimals: int = 0) -> str:
    """Thousands separators, no '-0' for values that round to zero."""
    text = f"{float(x):,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def musd(x: float) -> str:
    return f"USD {num(x, 1)} million"


def tonnes(x: float) -> str:
    return num(x)


def pct(x: float, digits: int = 1) -> str:
    text = f"{float(x):.{digits}%}"
    return text[1:] if text.startswith("-") and not text.strip("-0.%") else text


def year_ranges(years) -> str:
    """[2030, 2031, 2032, 2035] -> '2030-2032, 2035'."""
    ys = sorted({int(y) for y in years})
    parts, start = [], None
    for i, y in enumerate(ys):
        if start is None:
            start = y
        if i + 1 == len(ys) or ys[i + 1] != y + 1:
            parts.append(str(start) if start == y else f"{start}-{y}")
            start = None
    return ", ".join(parts)


def price_range(values) -> str:
    v = [float(x) for x in values if pd.notna(x)]
    if not v:
        return "n/a"
    lo, hi = num(min(v)), num(max(v))
    return lo if lo == hi else f"{lo}-{hi}"


def ratio_range(values) -> str:
    v = [float(x) for x in values if pd.notna(x)]
    if not v:
        return "n/a"
    lo, hi = num(min(v), 3), num(max(v), 3)
    return lo if lo == hi else f"{lo}-{hi}"


def median_and_top(values: pd.Series, years: pd.Series, decimals: int = 0) -> str:
    """A price over years as a median and its highest year ('median 26,300; highest 32,380 in
    2030'): never a min-max range, which over orders of magnitude tells a reader nothing."""
    v = pd.Series(values.astype(float).to_numpy(), index=years.astype(int).to_numpy()).dropna()
    if v.empty:
        return "n/a"
    if num(v.min(), decimals) == num(v.max(), decimals):
        return f"{num(v.iloc[0], decimals)} in {year_ranges(v.index)}"
    return f"median {num(v.median(), decimals)}; highest {num(v.max(), decimals)} in {int(v.idxmax())}"


# --- names beside ids ----------------------------------------------------------------------

class Namer:
    """Ids as readers see them: 'Full name (id)', or the id alone without a name (summary.json
    `names`). `wrap` marks user text (markup.user in the report, str in a workbook)."""

    def __init__(self, summary: dict, wrap=str):
        self.names = summary.get("names") or {}
        self.wrap = wrap

    def _label(self, kind: str, key, short: bool = False) -> str:
        name = self.names.get(kind, {}).get(str(key))
        if not name:
            return self.wrap(key)
        return self.wrap(f"{short_name(name) if short else name} ({key})")

    def project(self, key) -> str:
        return self._label("projects", key)

    def policy(self, key) -> str:
        return self._label("policies", key)

    def offer(self, key) -> str:
        return self._label("supply", key)

    def stock(self, key) -> str:
        return self._label("stocks", key)

    def region(self, key) -> str:
        return self._label("regions", key, short=True)

    def commodity(self, key) -> str:
        return self._label("commodities", key, short=True)

    def regions(self, keys) -> str:
        return ", ".join(self.region(k) for k in keys)


@dataclass
class Doc:
    blocks: list = field(default_factory=list)

    def h(self, level: int, text: str) -> None:
        self.blocks.append(("h", level, text))

    def p(self, *parts: str) -> None:
        """A paragraph; parts are text, with **bold** spans marked as in markdown."""
        self.blocks.append(("p", " ".join(x for x in parts if x)))

    def ul(self, items: list[str]) -> None:
        if items:
            self.blocks.append(("ul", items))

    def table(self, headers: list[str], rows: list[list], right: set[int] | None = None) -> None:
        self.blocks.append(("table", headers, rows, right or set()))

    def img(self, path: Path, caption: str) -> None:
        self.blocks.append(("img", path, caption))


def _md_escape(text: str) -> str:
    """Escape user text for markdown. Underscores inside words are left alone (CommonMark does not
    read them as emphasis), so ids like crma_processing stay searchable in the .md file. Line
    breaks become spaces: one would end a table row or a list item."""
    text = " ".join(str(text).splitlines())
    for ch in "\\`*|[]":
        text = text.replace(ch, "\\" + ch)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def user(text) -> str:
    """Mark user text (workbook ids); each renderer escapes it once."""
    return f"\x00{text}\x01"


def _plain_text(text: str) -> str:
    return re.sub(r"[\x00\x01]", "", text).replace("**", "")


def _render_inline(text: str, target: str) -> str:
    out, i = [], 0
    bold = False
    while i < len(text):
        if text[i] == "\x00":
            j = text.index("\x01", i)
            raw = text[i + 1:j]
            out.append(_md_escape(raw) if target == "md" else html.escape(raw))
            i = j + 1
        elif text.startswith("**", i):
            if target == "md":
                out.append("**")
            else:
                out.append("</strong>" if bold else "<strong>")
            bold = not bold
            i += 2
        else:
            j = i
            while j < len(text) and text[j] != "\x00" and not text.startswith("**", j):
                j += 1
            chunk = text[i:j]
            if target == "html":
                chunk = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(chunk, quote=False))
            out.append(chunk)
            i = j
    return "".join(out)


def to_markdown(doc: Doc, folder: Path) -> str:
    lines: list[str] = []
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            lines += ["#" * b[1] + " " + _render_inline(b[2], "md"), ""]
        elif kind == "p":
            lines += [_render_inline(b[1], "md"), ""]
        elif kind == "ul":
            lines += [f"* {_render_inline(x, 'md')}" for x in b[1]] + [""]
        elif kind == "table":
            headers, rows, right = b[1], b[2], b[3]
            lines.append("| " + " | ".join(_render_inline(h, "md") for h in headers) + " |")
            lines.append("|" + "|".join("---:" if j in right else "---" for j in range(len(headers))) + "|")
            for r in rows:
                lines.append("| " + " | ".join(_render_inline(str(c), "md") for c in r) + " |")
            lines.append("")
        elif kind == "img":
            rel = Path(b[1]).relative_to(folder).as_posix() if Path(b[1]).is_relative_to(folder) else Path(b[1]).name
            lines += [f"![{_render_inline(b[2], 'md')}]({rel})", "", f"*{_render_inline(b[2], 'md')}*", ""]
    return "\n".join(lines).rstrip() + "\n"


CSS = """
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
h1 { color: #1F4E78; border-bottom: 2px solid #1F4E78; padding-bottom: .2em; }
h2 { color: #1F4E78; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0 1em; font-size: .92em; }
th { background: #1F4E78; color: white; text-align: left; padding: .3em .6em; }
td { border-bottom: 1px solid #d9d9d9; padding: .25em .6em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2em 0; }
img { max-width: 100%; height: auto; border: 1px solid #e0e0e0; }
figcaption { font-size: .9em; color: #595959; }
@media print { h2 { page-break-after: avoid; } figure { page-break-inside: avoid; } }
"""


def to_html(doc: Doc, title: str) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>"]
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append(f"<h{b[1]}>{_render_inline(b[2], 'html')}</h{b[1]}>")
        elif kind == "p":
            out.append(f"<p>{_render_inline(b[1], 'html')}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_render_inline(x, 'html')}</li>" for x in b[1]) + "</ul>")
        elif kind == "table":
            headers, rows, right = b[1], b[2], b[3]
            out.append("<table><thead><tr>" + "".join(f"<th>{_render_inline(h, 'html')}</th>" for h in headers)
                       + "</tr></thead><tbody>")
            for r in rows:
                out.append("<tr>" + "".join(
                    f'<td class="num">{_render_inline(str(c), "html")}</td>' if j in right
                    else f"<td>{_render_inline(str(c), 'html')}</td>" for j, c in enumerate(r)) + "</tr>")
            out.append("</tbody></table>")
        elif kind == "img":
            data = base64.b64encode(Path(b[1]).read_bytes()).decode("ascii")
            cap = _render_inline(b[2], "html")
            alt = html.escape(_plain_text(b[2]))
            out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
                       f"<figcaption>{cap}</figcaption></figure>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
