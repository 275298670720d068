"""Deterministic synthetic news corpus for ingest benchmarks and tests.

    python bench/corpus.py OUT_DIR [--articles 2000] [--seed 7]
        [--formats md,txt,html,jsonl,docx,pdf]

Writes varied made-up news articles (topics, people, places, figures, quotes) in the formats
the indexer reads: Markdown with front matter, plain text, HTML pages with boilerplate,
JSON Lines files of 50 records, and a few .docx and .pdf files. The same seed gives the
same bytes. Prints one JSON line: {"articles": n, "paragraphs": m, "files": k, ...}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("md", "txt", "html", "jsonl", "docx", "pdf")
# Share of articles per format when all are asked for (docx/pdf are slow to write).
WEIGHTS = {"md": 40, "txt": 15, "html": 25, "jsonl": 15, "docx": 3, "pdf": 2}
RECORDS_PER_JSONL = 50

OUTLETS = [
    "Coastal Courier",
    "Northern Ledger",
    "Valley Gazette",
    "Harbour Times",
    "Capital Wire",
    "Plains Observer",
    "Island Herald",
    "Metro Bulletin",
    "River Post",
    "Summit Daily",
]
FIRST = [
    "Mara",
    "Jonas",
    "Elin",
    "Tomas",
    "Ana",
    "Ravi",
    "Leila",
    "Owen",
    "Sofia",
    "Karim",
    "Ingrid",
    "Mateo",
    "Hana",
    "Felix",
    "Noor",
    "Pavel",
    "Grace",
    "Yusuf",
    "Clara",
    "Dmitri",
    "Amara",
]
LAST = [
    "Lindqvist",
    "Pereira",
    "Barre",
    "Keller",
    "Souza",
    "Menon",
    "Haddad",
    "Price",
    "Romano",
    "Nasser",
    "Dahl",
    "Ortega",
    "Sato",
    "Brandt",
    "Qureshi",
    "Novak",
    "Okafor",
    "Vance",
    "Moreau",
]
PLACES = [
    "Port Elsby",
    "Marrow Bay",
    "Kestrel Falls",
    "Ashford",
    "New Calder",
    "Tiverton Cross",
    "Lowmere",
    "Saltcombe",
    "Brindle Point",
    "Eastgate",
    "Harrowfield",
    "Caldera Springs",
]
ROLES = [
    "the city's mayor",
    "a union spokesperson",
    "the regional health director",
    "the port authority's chief executive",
    "an economist at the central bank",
    "the opposition leader",
    "a senior police officer",
    "the school board chair",
    "the environment minister",
    "a local business owner",
    "the hospital's medical director",
]
VERBS = ["said", "told reporters", "warned", "confirmed", "argued", "added", "stressed"]

TOPICS: dict[str, dict[str, list[str]]] = {
    "strike": {
        "title": [
            "{n} workers walk out at {place} {thing}",
            "Strike halts {thing} in {place}",
            "{place} {thing} strike enters day {d}",
        ],
        "thing": ["port", "rail depot", "bus network", "hospital laundry", "steel mill"],
        "fact": [
            "About {n} workers stopped work at the {place} {thing} on {day}, demanding a pay rise"
            " of {p} percent.",
            "Management offered {q} percent over two years, which the union rejected as far below"
            " inflation.",
            "The stoppage has delayed {n2} shipments and cost local firms an estimated {m}"
            " million in lost trade.",
            "Talks are due to resume on {day} under the supervision of a state mediator.",
            "Picket lines formed before dawn outside the main gate, where drivers sounded their"
            " horns in support.",
        ],
    },
    "election": {
        "title": [
            "{place} votes in tight mayoral race",
            "Turnout hits {p} percent in {place} election",
            "Recount ordered in {place} council ward",
        ],
        "thing": ["council", "mayoral race", "referendum"],
        "fact": [
            "Turnout reached {p} percent, the highest in {place} since the boundaries were"
            " redrawn.",
            "The incumbent won by {n} votes, a margin narrow enough to trigger an automatic"
            " recount.",
            "Polling stations stayed open an extra hour after queues stretched around the block.",
            "Officials counted {n2} postal ballots, roughly double the number at the last {thing}.",
            "Observers reported no serious irregularities, though {q} complaints were filed about"
            " accessibility.",
        ],
    },
    "weather": {
        "title": [
            "Floods cut off {place} after {n}mm of rain",
            "Storm damages {n2} homes in {place}",
            "Heatwave strains {place} power grid",
        ],
        "thing": ["storm", "flood", "heatwave"],
        "fact": [
            "Emergency crews evacuated {n2} residents from low-lying streets in {place} overnight.",
            "The river rose {q} metres above its usual level before the barriers held on {day}.",
            "Power was cut to {n} homes for several hours while engineers repaired damaged lines.",
            "Forecasters expect the {thing} to ease by {day}, although more rain is possible in"
            " the hills.",
            "Insurers estimate the damage at around {m} million, most of it to roads and farmland.",
        ],
    },
    "trade": {
        "title": [
            "{place} exports rise {p} percent",
            "New tariff hits {place} {thing} makers",
            "{thing} prices climb as supply tightens",
        ],
        "thing": ["grain", "timber", "copper", "textile", "fish"],
        "fact": [
            "Exports of {thing} from {place} rose {p} percent in the quarter compared with a year"
            " earlier.",
            "Buyers in three neighbouring markets signed contracts worth {m} million on {day}.",
            "Producers blamed higher fuel costs and a shortage of lorry drivers for the rising"
            " prices.",
            "The trade ministry said {n2} companies had applied for export credit since the"
            " scheme opened.",
            "Analysts warned that the gains could fade if the currency strengthens further.",
        ],
    },
    "court": {
        "title": [
            "Court rules on {place} {thing} dispute",
            "Judge delays verdict in {place} case",
            "Appeal lodged over {place} {thing} ruling",
        ],
        "thing": ["land", "pollution", "contract", "housing"],
        "fact": [
            "The judge found that the council had failed to consult residents before approving"
            " the {thing} plan.",
            "Lawyers for the company said they would appeal within {q} weeks.",
            "The case, brought by {n2} households, had been running for almost {q} years.",
            "The court ordered compensation of {m} million to be paid by {day}.",
            "Campaigners gathered outside the courthouse in {place} as the ruling was read.",
        ],
    },
    "health": {
        "title": [
            "{place} hospital opens new {thing} ward",
            "Waiting times fall at {place} clinics",
            "Vaccination drive reaches {n} in {place}",
        ],
        "thing": ["cancer", "maternity", "children's", "emergency"],
        "fact": [
            "The new {thing} ward in {place} adds {n2} beds and will be fully staffed by {day}.",
            "Average waiting times fell to {q} weeks, down from nearly twice that a year ago.",
            "The project cost {m} million, funded jointly by the region and a private foundation.",
            "Nurses said recruitment remained the biggest obstacle to keeping the ward open at"
            " night.",
            "About {n} people were vaccinated in the first month, ahead of the official target.",
        ],
    },
    "tech": {
        "title": [
            "{place} startup raises {m} million",
            "Data centre planned near {place}",
            "{place} council trials {thing} for permits",
        ],
        "thing": ["software", "sensors", "drones", "battery storage"],
        "fact": [
            "The company, founded in {place} four years ago, employs {n2} people and plans to"
            " double that.",
            "Investors backed the {thing} venture with {m} million in its second funding round.",
            "Residents raised concerns about noise and water use at a public meeting on {day}.",
            "The council expects the {thing} trial to cut processing times by {p} percent.",
            "Critics questioned whether the promised jobs would go to local workers.",
        ],
    },
    "sport": {
        "title": [
            "{place} wins regional cup",
            "Stadium upgrade approved in {place}",
            "{place} marathon draws {n} runners",
        ],
        "thing": ["football", "rowing", "athletics", "cycling"],
        "fact": [
            "{place} won the final {q}-{q2} in front of a crowd of about {n} on {day}.",
            "The {thing} club's stadium will gain {n2} seats under plans approved by the council.",
            "Organisers said the race raised {m} million for local charities.",
            "The captain, who scored twice, said the squad had trained through the winter in"
            " borrowed halls.",
            "Ticket prices will rise by {p} percent next season to pay for the upgrade.",
        ],
    },
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    slug: str
    title: str
    source: str
    url: str
    published_at: str
    author: str
    paragraphs: tuple[str, ...]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _fill(template: str, rng: random.Random, slots: dict[str, str]) -> str:
    values = {
        "n": f"{rng.randint(2, 90) * 100:,}",
        "n2": str(rng.randint(12, 900)),
        "p": str(rng.randint(2, 40)),
        "q": str(rng.randint(2, 9)),
        "q2": str(rng.randint(0, 3)),
        "m": f"{rng.randint(1, 250)}.{rng.randint(0, 9)}",
        "d": str(rng.randint(2, 14)),
        "day": rng.choice(DAYS),
        **slots,
    }
    return template.format(**values)


def _quote(rng: random.Random, slots: dict[str, str]) -> str:
    person, role = _person(rng), rng.choice(ROLES)
    lines = [
        "We have done everything we can, and now it is up to the other side",
        "This is a difficult moment for {place}, but not a hopeless one",
        "Nobody expected the {thing} to move this quickly",
        "The figures speak for themselves",
        "We will keep asking questions until we get straight answers",
        "People here are tired of promises",
    ]
    said = rng.choice(VERBS)
    text = _fill(rng.choice(lines), rng, slots)
    return f'"{text}," {person}, {role}, {said}.'


def make_article(i: int, rng: random.Random) -> SyntheticArticle:
    topic_name = rng.choice(sorted(TOPICS))
    topic = TOPICS[topic_name]
    slots = {"place": rng.choice(PLACES), "thing": rng.choice(topic["thing"])}
    title = _fill(rng.choice(topic["title"]), rng, slots)
    title = title[0].upper() + title[1:]
    paragraphs = []
    for _ in range(rng.randint(3, 10)):
        kind = rng.random()
        sentences = [_fill(rng.choice(topic["fact"]), rng, slots) for _ in range(rng.randint(2, 4))]
        if kind < 0.35:
            sentences.insert(rng.randint(0, len(sentences)), _quote(rng, slots))
        paragraphs.append(" ".join(sentences))
    outlet = rng.choice(OUTLETS)
    date = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    slug = f"{i:05d}-{topic_name}-{slots['place'].lower().replace(' ', '-')}"
    host = outlet.lower().replace(" ", "-")
    return SyntheticArticle(
        slug=slug,
        title=title,
        source=outlet,
        url=f"https://{host}.example/{date:%Y/%m}/{slug}",
        published_at=date.isoformat(),
        author=_person(rng),
        paragraphs=tuple(paragraphs),
    )


def generate(n: int, seed: int = 7) -> list[SyntheticArticle]:
    rng = random.Random(seed)
    return [make_article(i, rng) for i in range(n)]


def _markdown(a: SyntheticArticle) -> str:
    front = (
        f"---\ntitle: {json.dumps(a.title)}\nsource: {a.source}\nurl: {a.url}\n"
        f"published_at: {a.published_at}\nauthor: {a.author}\n---\n\n"
    )
    return front + "\n\n".join(a.paragraphs) + "\n"


def _text(a: SyntheticArticle) -> str:
    return a.title + "\n\n" + "\n\n".join(a.paragraphs) + "\n"


def _html(a: SyntheticArticle) -> str:
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in a.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(a.title)} | {e(a.source)}</title>
<link rel="canonical" href="{e(a.url)}">
<meta property="og:site_name" content="{e(a.source)}">
<meta name="author" content="{e(a.author)}">
<meta property="article:published_time" content="{a.published_at}T07:00:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a>
 | <a href="/opinion">Opinion</a></nav>
<div class="cookies">We use cookies to give you the best experience. <button>Accept</button></div>
<article><h1>{e(a.title)}</h1>
<p class="byline">By {e(a.author)}</p>
{body}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Council approves budget</a></li>
<li><a href="/y">Weekend weather outlook</a></li></ul></aside>
<footer><p>© 2024 {e(a.source)}. All rights reserved.</p></footer>
</body></html>
"""


def _record(a: SyntheticArticle) -> dict[str, str]:
    return {
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published_at": a.published_at,
        "author": a.author,
        "body": "\n\n".join(a.paragraphs),
    }


def _docx(a: SyntheticArticle, path: Path) -> None:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title, props.author = a.title, a.author
    props.created = dt.datetime.fromisoformat(a.published_at)
    document.add_heading(a.title, 0)
    for p in a.paragraphs:
        document.add_paragraph(p)
    document.save(str(path))


def _pdf(a: SyntheticArticle, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(a.title)
    pdf.set_author(a.author)
    pdf.set_creation_date(dt.datetime.fromisoformat(a.published_at).replace(tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for p in a.paragraphs:
        pdf.multi_cell(0, 6, p.replace("\u2019", "'"))
        pdf.ln(4)
    pdf.output(str(path))


def write_corpus(
    out: Path, n: int, seed: int = 7, formats: tuple[str, ...] = FORMATS
) -> dict[str, int]:
    """Write ``n`` articles under ``out``; returns counts per format."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    weights = [WEIGHTS[f] for f in formats]
    counts: Counter[str] = Counter()
    records: list[dict[str, str]] = []
    for a in generate(n, seed):
        fmt = rng.choices(formats, weights)[0]
        counts[fmt] += 1
        folder = out / fmt
        folder.mkdir(exist_ok=True)
        if fmt == "jsonl":
            records.append(_record(a))
        elif fmt == "md":
            (folder / f"{a.slug}.md").write_text(_markdown(a), encoding="utf-8")
        elif fmt == "txt":
            (folder / f"{a.slug}.txt").write_text(_text(a), encoding="utf-8")
        elif fmt == "html":
            (folder / f"{a.slug}.html").write_text(_html(a), encoding="utf-8")
        elif fmt == "docx":
            _docx(a, folder / f"{a.slug}.docx")
        elif fmt == "pdf":
            _pdf(a, folder / f"{a.slug}.pdf")
    for start in range(0, len(records), RECORDS_PER_JSONL):
        chunk = records[start : start + RECORDS_PER_JSONL]
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk)
        path = out / "jsonl" / f"feed-{start // RECORDS_PER_JSONL:03d}.jsonl"
        path.write_text(lines, encoding="utf-8")
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    formats = tuple(f for f in args.formats.split(",") if f)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        sys.exit(f"unknown formats: {', '.join(sorted(unknown))}")
    counts = write_corpus(args.out, args.articles, args.seed, formats)
    paragraphs = sum(len(a.paragraphs) for a in generate(args.articles, args.seed))
    files = sum(1 for p in args.out.rglob("*") if p.is_file())
    print(
        f"wrote {args.articles} articles ({paragraphs} paragraphs) in {files} files to {args.out}"
    )
    print(
        json.dumps(
            {
                "articles": args.articles,
                "paragraphs": paragraphs,
                "files": files,
                "formats": counts,
                "seed": args.seed,
            }
        )
    )


if __name__ == "__main__":
    main()
