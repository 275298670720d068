"""The shell of every HTML export (answers, conversations, briefings): one self-contained
page whose Content-Security-Policy loads nothing and runs no script."""

from __future__ import annotations

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def page(title_html: str, style: str, main_html: str) -> str:
    """The page around ``main_html``; ``title_html`` is already escaped."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title_html}</title>\n<style>{style}</style>\n</head>\n<body>\n<main>\n"
        f"{main_html}\n</main>\n</body>\n</html>\n"
    )
