"""Time and peak memory of reading hostile .docx files and one huge line: the product's
reader (limits on what is parsed, #16 case 6) beside a naive reader (python-docx over the
whole document, as a loader without limits does; LangChain's Docx2txtLoader needs
langchain-community and docx2txt, which the project does not install).

    python bench/limits.py                       # this tree
    python bench/limits.py --tree /path/to/older/checkout   # the same files, another tree

Cases (written to a temporary folder):
- ``many-paragraphs.docx``: ~190 KB that unpacks to ~56 MB of 600,000 Word paragraphs;
- ``gigabyte.docx``: ~1 MB that unpacks to 1 GiB (one document part of spaces);
- ``long-line.txt``: a 15 MB line without a sentence end; ``long-line-1mb.txt``: 1 MB.

Each read runs in a fresh process (``resource.getrusage`` of that child: peak RSS), at most
``--timeout`` seconds.

With ``--leftovers N`` it also times, on an index of N generated articles (fake embedding),
the two ways to keep an interrupted run's leftover vectors out of the nearest results: the
check at open (one manifest query when nothing is pending; what the product does) against
filtering every vector search to the done articles in Chroma (``where`` on ``article_id``),
and the cost of ``briefing status``'s full store check and of the per-question count.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PARAGRAPH = (
    b'<w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
    b'<w:r><w:t xml:space="preserve">x</w:t></w:r></w:p>'
)


def docx_with_body(
    path: Path, chunks: int, chunk: bytes, head: bytes = b"", tail: bytes = b""
) -> Path:
    """A real .docx (made by python-docx) whose body holds ``head``, ``chunks`` times
    ``chunk`` and ``tail``, written in a stream (a 1 GiB part never sits in memory)."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "word/document.xml":
                dst.writestr(info.filename, data)
                continue
            cut = data.index(b"<w:body>") + len(b"<w:body>")
            with dst.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(data[:cut] + head)
                for _ in range(chunks):
                    part.write(chunk)
                part.write(tail + data[cut:])
    return path


def make_cases(folder: Path) -> dict[str, Path]:
    mib = b" " * (1 << 20)
    return {
        "many-paragraphs.docx": docx_with_body(
            folder / "many-paragraphs.docx", 600, _PARAGRAPH * 1000
        ),
        "gigabyte.docx": docx_with_body(
            folder / "gigabyte.docx",
            1024,
            mib,
            head=b'<w:p><w:r><w:t xml:space="preserve">',
            tail=b"</w:t></w:r></w:p>",
        ),
        "long-line.txt": _long_line(folder / "long-line.txt", 15),
        "long-line-1mb.txt": _long_line(folder / "long-line-1mb.txt", 1),
    }


def _long_line(path: Path, mib: int) -> Path:
    """A title and ``mib`` MiB of words without a sentence end."""
    path.write_text("A title\n\n" + "word " * (mib * 1024 * 1024 // 5), encoding="utf-8")
    return path


_PRODUCT = """
import resource, sys, time
from ingest.loaders import read_source
from ingest.errors import IngestError
t = time.perf_counter()
items = list(read_source(sys.argv[1], 20 * 1024 * 1024))
elapsed = time.perf_counter() - t
out = [f"error: {i.reason}" if isinstance(i, IngestError) else
       f"{len(i.paragraphs)} paragraphs, longest {max(len(p.text) for p in i.paragraphs)} chars"
       for i in items]
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "; ".join(out)[:200])
"""

_NAIVE = """
import resource, sys, time
t = time.perf_counter()
if sys.argv[1].endswith(".docx"):
    import docx
    text = "\\n\\n".join(p.text for p in docx.Document(sys.argv[1]).paragraphs)
else:
    text = open(sys.argv[1], encoding="utf-8").read()
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, f"{len(text)} characters read")
"""


def measure(script: str, path: Path, tree: Path, timeout: float) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=tree,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mb": None, "outcome": f"still running after {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": None, "peak_mb": None, "outcome": f"crashed: {last[:160]}"}
    seconds, rss_kb, outcome = done.stdout.strip().split(" ", 2)
    return {
        "seconds": round(float(seconds), 2),
        "peak_mb": round(int(rss_kb) / 1024),
        "outcome": outcome,
    }


def leftovers(n: int) -> dict[str, float]:
    """Seconds per call of each guard against leftovers, on an index of ``n`` articles."""
    from statistics import median

    from assistant.service import BriefingAssistant
    from assistant.settings import Settings
    from bench.corpus import write_corpus
    from vectorstore.index import check_store

    def timed(call: object, rounds: int = 20) -> float:
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            call()  # type: ignore[operator]
            times.append(time.perf_counter() - t)
        return median(times)

    with tempfile.TemporaryDirectory(prefix="bench-leftovers-") as tmp:
        write_corpus(Path(tmp) / "corpus", n, formats=("md",))
        assistant = BriefingAssistant(Settings(data_dir=Path(tmp) / "data", embedding_model="fake"))
        assistant.indexer().index([Path(tmp) / "corpus"])
        index, store = assistant.index, assistant.store
        vector = assistant.embeddings.embed_query("troops near the border")
        done = list(assistant.manifest.done_hashes())
        collection = store._collection
        figures = {
            "articles": float(len(done)),
            "paragraphs": float(store.count()),
            "tidy_at_open_s": timed(index.tidy),
            "plain_search_60_s": timed(lambda: store.search_with_vectors(vector, 60)),
            "search_filtered_to_done_s": timed(
                lambda: collection.query(
                    query_embeddings=[vector],
                    n_results=60,
                    where={"article_id": {"$in": done}},
                ),
                5,
            ),
            "count_check_per_question_s": timed(
                lambda: (store.count(), assistant.manifest.counts())
            ),
            "full_status_check_s": timed(lambda: check_store(assistant.manifest, store), 3),
        }
        assistant.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose reader to time")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--leftovers", type=int, default=0, metavar="N")
    parser.add_argument("--skip-files", action="store_true")
    args = parser.parse_args()
    extra: dict[str, object] = {}
    if args.leftovers:
        sys.path.insert(0, str(ROOT))
        extra["leftovers"] = figures = leftovers(args.leftovers)
        for key, value in figures.items():
            print(f"{key:>28}: {value:.6f}" if key.endswith("_s") else f"{key:>28}: {value:.0f}")
        if args.skip_files:
            print(json.dumps(extra))
            return
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
        t = time.perf_counter()
        cases = make_cases(Path(tmp))
        print(f"files written in {time.perf_counter() - t:.1f} s")
        for name, path in cases.items():
            size = path.stat().st_size
            row: dict[str, object] = {"file_bytes": size}
            row["product"] = measure(_PRODUCT, path, args.tree, args.timeout)
            if not args.skip_naive:
                row["naive"] = measure(_NAIVE, path, args.tree, args.timeout)
            results[name] = row
            print(f"{name} ({size:,} bytes)")
            for who in ("product", "naive"):
                if who in row:
                    r = row[who]
                    assert isinstance(r, dict)
                    print(f"  {who:>8}: {r['seconds']} s, peak {r['peak_mb']} MB: {r['outcome']}")
    print(json.dumps({"tree": str(args.tree), "cases": results, **extra}))


if __name__ == "__main__":
    main()
