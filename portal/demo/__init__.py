"""The demo newsroom that `manage.py seed_demo` loads, kept as TOML data files beside this module.

newsroom.toml holds the site, sections, accounts, a first discussion and unpublished stories; ads.toml the
ad slots, ads and 플러스업체; articles/<section slug>.toml each section's published stories. All of it is
original, fictional text written for this project.

An article's body is plain text in blocks separated by a blank line: a block starting `## ` is a
subheading, `> ` a quotation, lines starting `- ` a bulleted list, and any other block a paragraph.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.utils.html import format_html, format_html_join

DATA_DIR = Path(__file__).resolve().parent


def load(name: str) -> dict:
    """Parse one data file, named without `.toml`: "newsroom", "ads" or "articles/economy"."""
    return tomllib.loads((DATA_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def articles() -> list[dict]:
    """The published stories of every section, in menu order, each with its section's slug."""
    return [
        {**article, "section": section["slug"]}
        for section in load("newsroom")["sections"]
        for article in load(f"articles/{section['slug']}")["articles"]
    ]


def body_html(text: str) -> str:
    """The HTML of an article body written in the markup above."""
    blocks = []
    for block in text.strip().split("\n\n"):
        if block.startswith("## "):
            blocks.append(format_html("<h2>{}</h2>", block[3:]))
        elif block.startswith("> "):
            blocks.append(format_html("<blockquote><p>{}</p></blockquote>", block[2:]))
        elif block.startswith("- "):
            items = format_html_join("", "<li><p>{}</p></li>", ((line[2:],) for line in block.splitlines()))
            blocks.append(format_html("<ul>{}</ul>", items))
        else:
            blocks.append(format_html("<p>{}</p>", block))
    return "".join(blocks)
