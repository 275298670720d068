"""Answers written by any LangChain chat model (Ollama, an OpenAI-compatible server,
llama.cpp), checked sentence by sentence before anything reaches the analyst.

Refusal is decided in code before the model is called: the extractive backend answers
first, and when it refuses the model is not asked. Its direct answer line (the lead) opens
the written answer too, streamed before the model starts. The model's output is streamed;
every finished sentence is checked at once:
markers pointing at no provided source are removed and reported; each sentence must be
supported by a paragraph it cites (verbatim, or its content words and numbers are there);
an uncited sentence is cited when one provided paragraph supports it; anything else is
flagged in ``Answer.unsupported`` and left out of the text. Only checked sentences are
streamed, so the streamed text is exactly the final answer's text. When no sentence of the
model survives, the answer is the extractive one, marked ``fallback`` (the chat says so),
with the model's rejected sentences still listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant import attribution
from assistant.backends.base import AnswerStream, Turn
from assistant.backends.extractive import ExtractiveBackend, independent_sources
from assistant.backends.prompt import build_messages
from assistant.citations import best_quote, markers, statements, supports, unmarked, verbatim
from assistant.errors import BackendError, BriefingError
from assistant.models import REFUSAL, Answer, Citation
from ingest.hygiene import is_citable
from ingest.text import sentence_spans
from vectorstore.models import Hit

# A citation marker, or the start of one a streamed chunk cut off ("[1").
_MARKER = re.compile(r"\[\d+(?:\]|$)")


# A sentence of a source that addresses the model instead of reporting anything (a prompt
# injection): never evidence, so an obedient model cannot launder it into a cited claim.
_ADDRESSED = re.compile(
    r"\b(?:ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier|your) "
    r"(?:instructions|rules|prompts?)|you are now|reply only|respond only|answer only|"
    r"the assistant (?:must|should)|cite source|system prompt|maintenance mode)\b"
    r"|^\W*(?:system|assistant|user)\s*:",
    re.IGNORECASE,
)


def evidence_text(text: str) -> str:
    """``text`` with its sentences that address the model blanked out (same length, so
    offsets hold): what a generated sentence may be supported by."""
    out = text
    for start, end in sentence_spans(text):
        if _ADDRESSED.search(text[start:end]):
            out = out[:start] + " " * (end - start) + out[end:]
    return out


def _markers_as_stops(text: str) -> str:
    """``text`` with every citation marker masked as "__." (same length, offsets hold): to
    the sentence splitter a marker run then closes its statement as a full stop does,
    markers after a full stop stay with the sentence they cite, and a cut-off marker starts
    no sentence."""
    return _MARKER.sub(_mask, text)


def _mask(marker: re.Match[str]) -> str:
    closed = marker.group().endswith("]")
    return "_" * (len(marker.group()) - 1) + ("." if closed else "_")


def split_complete(buffer: str) -> tuple[list[str], str]:
    """Finished sentences of ``buffer`` (the toolkit's sentences, markers included) and the
    unfinished rest: a sentence is finished once the next one has begun."""
    spans = sentence_spans(_markers_as_stops(buffer))
    if len(spans) < 2:
        return [], buffer
    return [buffer[s:e] for s, e in spans[:-1]], buffer[spans[-1][0] :]


def _content(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in content
            if isinstance(part, str | dict)
        )
    return str(content)


class Checker:
    """Checks generated sentences against the numbered sources ``hits`` (1-based) and builds
    the Answer; citation numbers are assigned in order of first use."""

    def __init__(
        self, question: str, hits: Sequence[Hit], lead: str = "", cited: Sequence[Citation] = ()
    ) -> None:
        self.question = question
        self.hits = list(hits)
        self.texts = [evidence_text(h.text) for h in self.hits]  # by number - 1
        # the direct answer line that opens the answer, and the citations its markers use
        self.lead = lead
        self.citations: dict[int, Citation] = {c.number: c for c in cited}  # by number
        self._numbers: dict[tuple[str, int, int], int] = {
            (c.passage.id, c.quote_start, c.quote_end): c.number for c in cited
        }  # (paragraph, start, end) → number
        self._lead_bodies = {st.text.rstrip(" .").lower() for st in statements(lead)}
        self._said: set[str] = set()
        self.unsupported: list[str] = []
        self.removed: list[int] = []
        self.parts: list[str] = []
        self.refusal_said = False

    def add(self, sentence: str) -> str | None:
        """The checked sentence with its markers (for the stream), or None when dropped."""
        numbers = markers(sentence)
        body = unmarked(sentence)
        if not body.strip(" .;,"):
            return None
        if _is_refusal(body):
            self.refusal_said = True
            return None
        said = body.rstrip(" .").lower()
        if said in self._lead_bodies or said in self._said:
            return None  # the model repeated the direct answer line or itself (small models loop)
        self._said.add(said)
        valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(self.hits)]
        self.removed.extend(n for n in numbers if not 1 <= n <= len(self.hits))
        backing = [n for n in valid if supports(self.texts[n - 1], body)]
        self.removed.extend(n for n in valid if n not in backing)
        if not backing:  # uncited or miscited: cite a provided paragraph that supports it
            backing = self._supporting(body)[:1]
        if not backing:
            self.unsupported.append(body)
            return None
        cited = [c for c in (self._cite(n, body) for n in dict.fromkeys(backing)) if c]
        if not cited:
            self.unsupported.append(body)
            return None
        count = independent_sources([(c.passage.article.source, c.quote) for c in cited])
        for c in cited:
            if count > c.sources_count:
                self.citations[c.number] = replace(c, sources_count=count)
        text = f"{body} {''.join(f'[{c.number}]' for c in cited)}"
        chunk = text if not self.parts else " " + text
        if not self.parts and self.lead:
            chunk = "\n\n" + text  # the paragraph break after the lead, as extractive answers
        self.parts.append(text)
        return chunk

    def _supporting(self, body: str) -> list[int]:
        verbatim_first = sorted(
            (n for n, t in enumerate(self.texts, start=1) if supports(t, body)),
            key=lambda n: not verbatim(body, self.texts[n - 1]),
        )
        return verbatim_first

    def _cite(self, n: int, body: str) -> Citation | None:
        hit, text = self.hits[n - 1], self.texts[n - 1]
        start, end = best_quote(text, body)
        if not supports(text[start:end], body):
            if text != hit.text:
                return None  # only a quote running over sentences addressed to the model
            start, end = 0, len(hit.text)  # supported by the paragraph as a whole
        key = (hit.id, start, end)
        if key in self._numbers:
            return self.citations[self._numbers[key]]
        for (pid, s0, e0), number in self._numbers.items():
            if pid == hit.id and s0 <= start and end <= e0:
                return self.citations[number]  # inside a quote already cited (the lead's)
        claim = attribution.attribute(hit.text, start, end)
        citation = Citation(
            number=max(self.citations, default=0) + 1,
            passage=hit.passage,
            quote=hit.text[start:end],
            quote_start=start,
            quote_end=end,
            speaker=claim.speaker,
            stance=claim.stance,
        )
        self.citations[citation.number] = citation
        self._numbers[key] = citation.number
        return citation

    def answer(self) -> Answer:
        removed = tuple(dict.fromkeys(self.removed))
        if not self.parts:
            return Answer(
                self.question,
                REFUSAL,
                refused=True,
                unsupported=tuple(self.unsupported),
                related=tuple(h.passage for h in self.hits[:3]),
                removed_markers=removed,
            )
        body = " ".join(self.parts)
        text = f"{self.lead}\n\n{body}" if self.lead else body
        used = set(markers(text))
        return Answer(
            self.question,
            text,
            tuple(c for n, c in sorted(self.citations.items()) if n in used),
            unsupported=tuple(self.unsupported),
            removed_markers=removed,
            lead=self.lead,
        )


def _finished(text: str) -> bool:
    """The model ended the sentence (a full stop or a marker), rather than running out of
    tokens."""
    return bool(re.search(r"(?:[.!?]['\"’”)]*|\])\s*$", text))


def _is_refusal(body: str) -> bool:
    return REFUSAL.rstrip(".").lower() in body.lower()


ModelSource = BaseChatModel | Callable[[], BaseChatModel]


class ChatBackend:
    """A LangChain chat model behind the answer-backend interface."""

    def __init__(
        self,
        name: str,
        model: ModelSource,
        gate: ExtractiveBackend | None = None,
        history_turns: int = 3,
    ) -> None:
        self.name = name
        self._source = model
        self._model: BaseChatModel | None = model if isinstance(model, BaseChatModel) else None
        self.gate = gate
        self.history_turns = history_turns

    @property
    def model(self) -> BaseChatModel:
        """The chat model, built on first use (its package is imported only then)."""
        if self._model is None:
            assert callable(self._source)
            self._model = self._source()
        return self._model

    def answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Answer:
        return self.stream(question, hits, history).answer

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()
    ) -> AnswerStream:
        return AnswerStream(self._run(question, list(hits), history))

    def _run(
        self, question: str, hits: list[Hit], history: Sequence[Turn]
    ) -> Generator[str, None, Answer]:
        if not hits:
            yield REFUSAL
            return Answer(question, REFUSAL, refused=True)
        # the extractive answer decides refusal from the evidence (the model is not called)
        # and gives the direct answer line, and the fallback when nothing the model wrote
        # holds
        base = self.gate.answer(question, hits, history) if self.gate is not None else None
        if base is not None and base.refused:
            yield REFUSAL
            return base
        lead = base.lead if base is not None else ""
        cited = [c for c in base.citations if f"[{c.number}]" in lead] if base else []
        # captions, credits, bylines and boilerplate are never evidence (as for the lead)
        hits = [h for h in hits if is_citable(h.text)]
        checker = Checker(question, hits, lead, cited)
        if lead:
            yield lead
        messages = build_messages(question, hits, history, self.history_turns)
        buffer = ""
        for piece in self._chunks(messages):
            buffer += piece
            done, buffer = split_complete(buffer)
            for sentence in done:
                out = checker.add(sentence)
                if out is not None:
                    yield out
        if buffer.strip() and not _finished(buffer):
            # cut off by the token limit: a verbatim fragment would pass as supported
            checker.unsupported.append(unmarked(buffer))
        elif buffer.strip():
            out = checker.add(buffer.strip())
            if out is not None:
                yield out
        if base is not None and not checker.parts:
            rest = base.text[len(lead) :] if base.text.startswith(lead) else base.text
            if rest:
                yield rest
            return replace(
                base,
                unsupported=tuple(checker.unsupported),
                removed_markers=tuple(dict.fromkeys(checker.removed)),
                fallback=True,
            )
        answer = checker.answer()
        if answer.refused:
            yield REFUSAL
        return answer

    def _chunks(self, messages: list[Any]) -> Iterator[str]:
        try:
            for chunk in self.model.stream(messages):
                yield _content(chunk)
        except BriefingError:
            raise
        except Exception as exc:  # connection refused, timeouts, server errors: one message
            raise BackendError(f"the answer backend '{self.name}' failed: {exc}") from exc
