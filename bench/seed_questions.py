"""The seed article alone, asked the two questions the product was first written for and
three rewordings of each, as an analyst would type them: every answer printed whole with its
trace (best score, lead rule, checks fired, what refused).

    python bench/seed_questions.py [SEEDS_DIR]     # default ../shared/seeds
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.service import BriefingAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

QUESTIONS = [
    "Who confirmed the troop numbers?",
    "Has anyone confirmed how many North Korean troops are in Russia?",
    "Which officials confirmed the number of North Korean soldiers?",
    "Who verified the figure for North Korean troops sent to Russia?",
    "Who reported the desertion of North Korean soldiers?",
    "Which outlet first reported that North Korean soldiers deserted?",
    "Who said North Korean soldiers had deserted?",
    "According to whom did North Korean troops desert?",
]


def main() -> None:
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seeds"
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        assistant = BriefingAssistant(Settings(data_dir=Path(tmp)))
        assistant.indexer().index([seeds])
        for q in QUESTIONS:
            t = time.perf_counter()
            answer = assistant.ask(q, conversation=None)
            took = time.perf_counter() - t
            tr = answer.trace
            fired = [n for n, _ in tr.checks] if tr else []
            print(f"### {q}")
            print(
                f"(ask {took:.2f} s; best score {tr.score if tr else '-'}, lead rule "
                f"{tr.lead_rule if tr else '-'!r}, checks fired {fired}, refused by "
                f"{tr.refused_by if tr else '-'!r})\n"
            )
            print(answer.text, end="\n\n")
        assistant.close()


if __name__ == "__main__":
    main()
