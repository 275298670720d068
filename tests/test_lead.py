"""The direct answer line, as an analyst expects it, from the shipped reader model: one
short, cited line that answers (the model's span for who / when / where / how many, the
sentence or its clause otherwise), built only from verbatim spans and fixed words (so every
citation check still passes), and refusals where the articles do not answer. These are the
product's promises on invented paragraphs; the model's own figures are in bench/ and its
model card."""

import pytest

from assistant.backends.extractive import ExtractiveBackend
from assistant.citations import citation_checks
from assistant.question import analyse
from assistant.reader.speakers import asked_speaker
from assistant.sentences import quoted_spans
from ingest.text import sentence_spans
from tests.test_answers import para

HITS = [
    para(
        "desert",
        "About 18 North Korean soldiers deserted from their positions in Russia's Kursk and "
        "Bryansk regions, the public broadcaster Suspilne reported on Tuesday.",
        "Baltic Observer",
        "2024-11-06",
    ),
    para(
        "arms",
        "Moscow and Pyongyang have denied any arms transfers but have promised to deepen "
        "their military cooperation.",
        "Kyiv Ledger",
        "2024-10-22",
    ),
    para(
        "treaty",
        "Putin and Kim Jong Un signed the mutual defence treaty in Pyongyang in June 2024.",
        "Capital Dispatch",
        "2024-11-01",
    ),
    para(
        "claim",
        "Ukrainian President Volodymyr Zelensky accused North Korea of sending about 10,000 "
        "troops to Russia, citing intelligence briefings.",
        "Kyiv Ledger",
        "2024-10-22",
    ),
    para(
        "cond",
        "White House spokesperson Sean Savett said that if the reports were true, the "
        "deployment of troops would mark a dangerous escalation.",
        "Atlantic Wire",
        "2024-10-23",
    ),
    para(
        "caption",
        "Soldiers march in Kyiv on Monday. REUTERS/Gleb Garanich",
        "Baltic Observer",
        "2024-11-06",
    ),
]

# (question, answer type, what the lead must contain, what it must not)
CASES = [
    ("How many North Korean soldiers deserted?", "number", "About 18", None),
    ("Where did the soldiers desert from?", "place", "Kursk and Bryansk regions", None),
    ("Who reported the desertions?", "person_or_organisation", "Suspilne", None),
    ("When did Putin and Kim sign the treaty?", "date", "June 2024", None),
    ("Did Moscow admit any arms transfers?", "yes_no", "No:", "Yes:"),
    ("Did Pyongyang deny any arms transfers?", "yes_no", "Yes:", "No:"),
    # no denial of that: the nearest sentence is quoted, with no yes taken from it
    ("Did North Korea deny sending troops to Russia?", "yes_no", "", "Yes:"),
    # "What did X say?": X's words
    ("What did Zelensky say about the troops?", "thing", "Zelensky accused", None),
    (
        "Who confirmed the number of troops?",
        "stance",
        "No source in these articles confirms it independently.",
        "Confirmed by",
    ),
]


def backend() -> ExtractiveBackend:
    return ExtractiveBackend()


@pytest.mark.parametrize(("question", "answer_type", "wanted", "unwanted"), CASES)
def test_lead_answers_first_and_every_citation_checks(question, answer_type, wanted, unwanted):
    answer = backend().answer(question, HITS)
    assert not answer.refused
    assert answer.answer_type == answer_type
    assert answer.text.startswith(answer.lead) and wanted in answer.lead
    assert unwanted is None or unwanted not in answer.lead
    checks = citation_checks(answer)
    assert checks and all(ok for _c, _s, ok in checks)


def test_stance_lead_names_who_claimed_and_who_only_said_if_true():
    answer = backend().answer("Who confirmed the number of troops?", HITS)
    assert "Claimed by Ukrainian President Volodymyr Zelensky (Kyiv Ledger, 2024-10-22)" in (
        answer.lead
    )
    assert "said conditionally (if true) by White House spokesperson Sean Savett" in answer.lead


def test_captions_are_never_cited():
    answer = backend().answer("Where do soldiers march on Monday in Kyiv?", HITS)
    assert all(c.passage.article.id != "caption" for c in answer.citations)


def test_a_lead_with_a_word_from_nowhere_fails_the_check():
    answer = backend().answer("Who reported the desertions?", HITS)
    forged = type(answer)(
        answer.question,
        answer.text.replace(answer.lead, "Reuters [1]"),
        answer.citations,
        lead="Reuters [1]",
    )
    assert not all(ok for _c, _s, ok in citation_checks(forged))


SEGMENTS = [
    (
        "The strike at 9:48 p.m. ET on Saturday was authorised by the president. He said so.",
        ["The strike at 9:48 p.m. ET on Saturday was authorised by the president.", "He said so."],
    ),
    (
        "They met at 9 p.m. The next day they left.",
        ["They met at 9 p.m.", "The next day they left."],
    ),
    ("Gen. Flynn spoke. The U.S. Army replied.", ["Gen. Flynn spoke.", "The U.S. Army replied."]),
    (
        "It ended at 10 a.m. local time in Kyiv. Officials left.",
        ["It ended at 10 a.m. local time in Kyiv.", "Officials left."],
    ),
]


@pytest.mark.parametrize(("text", "sentences"), SEGMENTS)
def test_sentences_do_not_break_at_abbreviations_or_clock_times(text, sentences):
    assert [text[a:b] for a, b in sentence_spans(text)] == sentences


def test_a_quotation_stays_with_its_speaker_across_sentences():
    text = "The minister spoke. “We will not send troops. We never did,” he said. Aides agreed."
    spans = quoted_spans(text, sentence_spans(text))
    assert [text[a:b] for a, b in spans] == [
        "The minister spoke.",
        "“We will not send troops. We never did,” he said.",
        "Aides agreed.",
    ]


def test_a_name_no_retrieved_paragraph_mentions_is_refused():
    answer = backend().answer("What did China say about the soldiers who deserted?", HITS)
    assert answer.refused and answer.citations == ()


def test_a_hedged_report_is_not_a_yes():
    hits = [
        *HITS,
        para(
            "hedge",
            "About 18 soldiers deserted, the broadcaster reported. The desertion report has "
            "not been independently confirmed.",
            "Baltic Observer",
            "2024-11-06",
        ),
    ]
    answer = backend().answer("Has the desertion report been independently confirmed?", hits)
    assert answer.lead.startswith("No:") and "not been independently confirmed" in answer.lead


# Where the shipped reader model (assistant/reader/model) still answers wrongly: kept in the
# tables as strict expected failures, so a model that gets them right shows up (XPASS fails)
# and the case moves back. Counted in docs/answers.md, not hidden.
MODEL_MISS = pytest.mark.xfail(strict=True, reason="the shipped reader model misses this case")
# Refusals a deleted check gave: on the held-out articles the check refused more answerable
# questions than unanswerable ones (bench/answers.py --ablate; docs/answers.md), so these
# few are now answered, wrongly. Kept as strict expected failures for the next model.
CHECK_DELETED = pytest.mark.xfail(
    strict=True, reason="refused by a check the held-out ablation deleted"
)


@MODEL_MISS
def test_who_is_answered_by_the_doer_of_the_question_verb():
    hits = [
        para(
            "elect",
            "The members of the assembly are elected by citizens of the member states every "
            "five years.",
            "Civic Times",
            "2024-05-01",
        )
    ]
    answer = backend().answer("Who elects the members of the assembly?", hits)
    assert answer.lead == "citizens of the member states [1]"


# (paragraph, question, the lead it must give): who a question asks for by its verb's role,
# the grain of time or amount it asks for, and spans that keep their words whole
SPAN_CASES = [
    # a relative date keeps the word that makes it one
    pytest.param(
        "He said reports of the losses, published by local media the week before, were true.",
        "When were the losses published?",
        "the week before [1]",
        marks=MODEL_MISS,
    ),
    # the "by" agent of a participle, not the name-bearing phrase it qualifies
    (
        "He said reports about Ruritanian troop losses, reported by Freedonian media the week "
        "before, were likely to be true.",
        "Who reported the losses?",
        "Freedonian media [1]",
    ),
    pytest.param(
        "Border guards detained two smugglers near the crossing on Friday, the agency said.",
        "Who was detained near the crossing?",
        "two smugglers [1]",
        marks=MODEL_MISS,
    ),
    (
        "The deputy minister is responsible for the evacuation plan, officials said.",
        "Who is responsible for the evacuation plan?",
        "The deputy minister [1]",
    ),
    (
        "The council meets on Wednesdays, a 40-minute session held since 2019.",
        "What day of the week does the council meet?",
        "Wednesdays [1]",
    ),
    (
        "The mill worked for 10 years, from age 18 to 28, before the closure.",
        "How long did the mill work before the closure?",
        "10 years [1]",
    ),
    pytest.param(
        "The court has recognised the principle since the 1950s.",
        "How long has the court recognised the principle?",
        "since the 1950s [1]",
        marks=MODEL_MISS,
    ),
    pytest.param(
        "The fee rose from US$3 a visit to nearly $12 by March.",
        "What was the fee in March?",
        "nearly $12 [1]",
        marks=MODEL_MISS,
    ),
    (
        "The pact was signed by France, Italy, Belgium, the Netherlands and Luxembourg.",
        "Which countries signed the pact?",
        "France, Italy, Belgium, the Netherlands and Luxembourg [1]",
    ),
    # who someone is: the title that comes with the name, not the country that owns it
    (
        "Last week, Norway’s Defence Minister Ola Berg said a second deployment was likely.",
        "Who is Ola Berg?",
        "Norway’s Defence Minister Ola Berg [1]",
    ),
    # who "it" is, never the object in its place
    pytest.param(
        'The "Harbour Council" is made up of the mayors of the five ports. It appoints the '
        "wardens and the board of the pilot service.",
        "Who appoints the board of the pilot service?",
        'The "Harbour Council" [1]',
        marks=MODEL_MISS,
    ),
    # where someone spoke, not the place their words were about
    (
        "The general told an event in Lisbon that the troops in Kursk had lost ground.",
        "Where did the general speak?",
        "Lisbon [1]",
    ),
    (
        "The minister spoke about Kursk at a news conference closing the BRICS summit in "
        "Kazan on Thursday.",
        "In which city was the minister speaking?",
        "Kazan [1]",
    ),
    # a date asked for: with its day of the month, not the weekday alone
    (
        "The agency said on Friday, October 18, that the ships had left port.",
        "On what date did the agency say the ships had left port?",
        "Friday, October 18 [1]",
    ),
    # the full name the sentence before gave, not the bare surname
    pytest.param(
        "The survey was led by a geographer named Ines Varga. Varga was the director of the "
        "survey office in 1914.",
        "Who was the director of the survey office in 1914?",
        "Ines Varga [1]",
        marks=MODEL_MISS,
    ),
    # "Seoul's spy agency" is whose agency, not where
    (
        "The soldiers landed in Vladivostok, Seoul's spy agency said.",
        "Where did the soldiers land?",
        "Vladivostok [1]",
    ),
]


@pytest.mark.parametrize(("text", "question", "lead"), SPAN_CASES)
def test_the_lead_is_the_span_of_the_asked_role_and_grain(text, question, lead):
    answer = backend().answer(question, [para("p", text, "Civic Times", "2024-05-01")])
    assert answer.lead == lead
    assert all(ok for _c, _s, ok in citation_checks(answer))


@pytest.mark.parametrize(
    "question",
    ["Who founded the Telenett network?", "WHat did the Kilbrandonn report recommend?"],
)
def test_a_name_typed_with_a_slip_is_not_a_missing_name(question):
    hits = [
        para(
            "net",
            "The Telenet network was founded by engineers who left the agency. The "
            "Kilbrandon report recommended an assembly.",
            "Civic Times",
            "2024-05-01",
        )
    ]
    assert not backend().answer(question, hits).refused


def test_a_sentence_that_opens_with_a_pronoun_is_quoted_with_the_one_before():
    hits = [
        para(
            "board",
            "The oversight board was set up in 2019 by the regional assembly. It appoints the "
            "auditors of the port authority every two years.",
            "Civic Times",
            "2024-05-01",
        )
    ]
    answer = backend().answer("Which body appoints the auditors of the port authority?", hits)
    quote = answer.citations[0].quote
    assert quote.startswith("The oversight board was set up") and quote.endswith("two years.")
    assert all(ok for _c, _s, ok in citation_checks(answer))


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("How many seats are there in the 231-seat chamber?", True),
        ("How many seats does the chamber have after 5 years?", False),
        ("What happened to the chamber after World War 2?", False),
    ],
)
def test_a_figure_no_evidence_states_is_refused(question, refused):
    hits = [
        para(
            "seats",
            "There are 131 seats in the chamber, five years after the hall was rebuilt "
            "following World War II.",
            "Civic Times",
            "2024-05-01",
        )
    ]
    assert backend().answer(question, hits).refused is refused


def test_who_did_not_deny_is_not_listed_as_a_denial():
    hits = [
        para(
            "putin",
            "The Russian president did not deny the reports of foreign troops in the region.",
            "Wire",
            "2024-10-25",
        ),
        para(
            "pyong",
            "The foreign ministry in Pyongyang denied the reports of foreign troops in the "
            "region on Friday.",
            "Wire",
            "2024-10-26",
        ),
    ]
    answer = backend().answer("Who denied the reports of foreign troops?", hits)
    assert answer.lead.startswith("Denied by")
    assert "president" not in answer.lead


def test_a_followup_asks_beyond_the_figure_the_last_answer_gave():
    from assistant.conversations import HistoryTurn

    hits = [
        para(
            "wave",
            "The agency said about 1,500 special forces soldiers had been sent so far. It "
            "estimated that up to 12,000 troops could be sent in total.",
            "Civic Times",
            "2024-10-18",
        )
    ]
    first = backend().answer("How many special forces soldiers had been sent so far?", hits)
    assert first.lead.startswith("about 1,500")
    history = (HistoryTurn("How many special forces soldiers had been sent so far?", first.text),)
    answer = backend().answer("And how many could be sent in total?", hits, history)
    assert "12,000" in answer.lead and "1,500" not in answer.lead


@pytest.mark.parametrize(
    ("first", "question"),
    [
        # a discourse word leans on the sentence before as a pronoun does
        ("The result was a run on the banks.", "Why was there a run on the banks?"),
        ("All of this set the stage for the merger.", "What set the stage for the merger?"),
        # an opening clause before the pronoun: "Never formally revoked, it ..."
        ("Never formally revoked, it lapsed after 1932.", "When did the rule lapse?"),
    ],
)
def test_a_sentence_that_leans_on_the_one_before_is_quoted_with_it(first, question):
    cause = "The regulators raised reserve requirements for the rule twice in a year."
    hits = [para("lean", f"{cause} {first}", "Civic Times", "2024-05-01")]
    answer = backend().answer(question, hits)
    assert not answer.refused
    assert answer.citations[0].quote == f"{cause} {first}"


CHARTER = (
    "The charter protects the freedom of the press and the right of assembly.",
    "The 1995 budget for the courts was not frozen by the assembly.",
)
AAA = (
    "The American Automobile Association said 20% of stations ran dry in February. "
    "The User Datagram Protocol guarantees nothing about delivery.",
)
TFEU = ("Article 30 of the TFEU bans quotas on trade.",)
DESERTED = "About 18 soldiers deserted {} near the border."
PAID = "{} to serve near the border."
KIMS = (
    "Defence Minister Kim Yong-hyun said a deployment was highly likely. "
    "Kim Jong Un signed the treaty on the deployment in June.",
)
RULING = ("The Court of Justice held that Mr Steymann was entitled to stay in the country.",)
PESKOV = ("Kremlin spokesman Dmitry Peskov said the deployment was a sovereign matter.",)
WASHINGTON = (
    "Washington is concerned by the deployment to Moscow, a White House spokesperson said.",
)
JUDGES = ("Some 27 judges sit on the court, one from each member state.",)
SPEAKING = (
    "The chair can reduce speaking time when many members wish to speak. "
    "The assembly first met in Edinburgh on 12 May 1999.",
)

# (paragraphs, question, refused): refusal from evidence, and what is not a reason to refuse
REFUSALS = [
    (CHARTER, "What does the charter protect?", False),
    # the lead sentence says what it protects: that answers the opposite question
    pytest.param(CHARTER, "What does the charter not protect?", True, marks=CHECK_DELETED),
    # a figure another paragraph states, but not the paragraph that would answer
    (CHARTER, "What did the charter protect in 1995?", True),
    # an acronym the evidence spells out, a name typed without its space: no missing name
    (AAA, "According to the AAA, how many stations ran dry?", False),
    (AAA, "What does the User Datagram Protocol guarantee?", False),
    (AAA, "What does the UserDatagram Protocol guarantee?", False),
    (AAA, "According to the IAEA, how many stations ran dry?", True),  # named nowhere
    # two letters swapped in an acronym are a typo; other letters are another name
    (TFEU, "Which article of the TEFU bans quotas on trade?", False),
    (TFEU, "Which article of the TUFE bans quotas on trade?", True),
    # a date or a sum asked for needs one in the lead sentence
    # the lead sentence says the opposite, or another month, in the same place
    (SPEAKING, "When can the chair reduce speaking time?", False),
    pytest.param(SPEAKING, "When can the chair increase speaking time?", True, marks=CHECK_DELETED),
    pytest.param(
        SPEAKING, "Where did the assembly meet on 12 March 1999?", True, marks=CHECK_DELETED
    ),
    # "What did X say?" needs X's words: another Kim's, or a sentence naming X, do not do
    (KIMS, "What did Kim Yong-hyun say about the deployment?", False),
    pytest.param(KIMS, "What did Kim Jong Un say about the deployment?", True, marks=CHECK_DELETED),
    # a court's ruling is its word; a city speaks through its officials
    (RULING, "What did the Court of Justice say Steymann was entitled to?", False),
    pytest.param(
        PESKOV, "What did Moscow say about the deployment?", False, marks=MODEL_MISS
    ),  # the Kremlin's words
    pytest.param(
        WASHINGTON, "What did Moscow say about the deployment?", True, marks=CHECK_DELETED
    ),  # Washington's words
    # a seat of power speaks for its nation, not the nation's other voices for it
    (WASHINGTON, "What did the Pentagon say about the deployment?", True),
    # a count of a kind the article never names ("female") is not the count asked for
    (JUDGES, "How many judges sit on the court?", False),
    (JUDGES, "How many total judges sit on the court?", False),
    pytest.param(JUDGES, "How many female judges sit on the court?", True, marks=CHECK_DELETED),
    ((DESERTED.format("from their positions"),), "On what date did the soldiers desert?", True),
    ((DESERTED.format("on October 18"),), "On what date did the soldiers desert?", False),
    pytest.param(
        (PAID.format("Some 1,500 soldiers were paid"),),
        "How much are the soldiers paid to serve near the border?",
        True,
        marks=CHECK_DELETED,
    ),
    (
        (PAID.format("Each of the soldiers is paid $2,000 a month"),),
        "How much are the soldiers paid to serve near the border?",
        False,
    ),
]


@pytest.mark.parametrize(("texts", "question", "refused"), REFUSALS)
def test_refusal_from_evidence(texts, question, refused):
    hits = [
        para(f"p{i}", text, "Civic Times", f"2024-05-0{i + 1}", i) for i, text in enumerate(texts)
    ]
    assert backend().answer(question, hits).refused is refused


def test_a_lead_in_never_names_a_pronoun_as_the_speaker():
    hits = [
        para(
            "they",
            "They claim that 40 tankers were held at the northern harbour for a week.",
            "Civic Times",
            "2024-05-01",
        )
    ]
    answer = backend().answer("How many tankers were held at the northern harbour?", hits)
    assert not answer.refused
    assert "by They" not in answer.text


@MODEL_MISS
def test_a_count_of_losses_is_no_count_of_the_force():
    hits = [
        para(
            "force",
            "Some 18 soldiers near the border are believed to have deserted, officials said. "
            "The army said about 9,000 soldiers serve in the border region.",
            "Civic Times",
            "2024-05-01",
        )
    ]
    answer = backend().answer("How many soldiers are near the border?", hits)
    assert answer.lead == "about 9,000 soldiers [1]"  # not "Some 18 soldiers": deserters


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("How many soldiers deserted from the front?", "Some 18 soldiers [1]"),
        # the figure counts deserters: never given as the number killed, and with no count
        # of the killed the question is not answered
        pytest.param("How many soldiers were killed at the front?", None, marks=CHECK_DELETED),
    ],
)
def test_a_count_answers_only_for_the_question_verb(question, lead):
    hits = [
        para(
            "desert",
            "Some 18 soldiers are believed to have deserted from the front, officials said.",
            "Civic Times",
            "2024-05-01",
        )
    ]
    answer = backend().answer(question, hits)
    assert answer.refused is (lead is None)
    if lead is not None:
        assert answer.lead == lead


@MODEL_MISS
def test_has_x_confirmed_is_answered_from_what_x_said():
    hits = [
        para(
            "ministry",
            "The transport ministry confirmed on Monday that 40 tankers were held at the "
            "northern harbour.",
            "Civic Times",
            "2024-05-01",
        ),
        para(
            "port",
            "Harbour master Ada Lind of the port authority said the figure of 40 tankers, if "
            "true, would be a record for the northern harbour.",
            "Civic Times",
            "2024-05-02",
        ),
    ]
    answer = backend().answer(
        "Did the port authority confirm that 40 tankers were held at the northern harbour?", hits
    )
    assert answer.lead.startswith("No: Harbour master Ada Lind")
    assert all(ok for _c, _s, ok in citation_checks(answer))


def test_a_followup_is_not_led_by_the_sentence_just_quoted():
    from assistant.conversations import HistoryTurn

    hits = [
        para(
            "peskov",
            "Kremlin spokesman Dmitry Peskov dismissed the reports of foreign troops as fake.",
            "Wire",
            "2024-10-18",
        ),
        para(
            "putin",
            "A week later President Vladimir Putin, asked about the reports, declined to deny "
            "them.",
            "Wire",
            "2024-10-25",
        ),
    ]
    question = "Who dismissed the reports of foreign troops as fake?"
    first = backend().answer(question, hits)
    history = (HistoryTurn(question, first.text),)
    answer = backend().answer("And who later declined to deny them?", hits, history)
    assert "Peskov" not in answer.lead and "Putin" in answer.lead


def test_what_did_x_claim_lists_x_only_and_reports_are_nobody():
    hits = [
        para(
            "lind",
            "Harbour master Ada Lind claimed that 40 tankers were held at the northern harbour.",
            "Civic Times",
            "2024-05-01",
        ),
        para(
            "reports",
            "Reports citing port officials have claimed that 40 tankers were held at the "
            "northern harbour for weeks.",
            "Evening Copy",
            "2024-05-02",
        ),
    ]
    lead = backend().answer("What did Ada Lind claim?", hits).lead
    assert "Ada Lind" in lead and "Reports" not in lead
    lead = backend().answer("Who claimed that 40 tankers were held at the harbour?", hits).lead
    assert "Ada Lind" in lead and "Reports" not in lead


@MODEL_MISS
def test_the_paragraph_retrieval_ranked_first_is_quoted_when_it_speaks_to_the_question():
    # retrieval read the first paragraph whole (and its title and neighbours); its sentence
    # shares few words with the question but is the one that names the network
    hits = [
        para(
            "p0",
            "Its designers at the institute called the research network CYCLADES.",
            "Civic Times",
            "2024-05-01",
        ),
        para(
            "p1",
            "The French network was designed for research, a French network for French "
            "research institutes.",
            "Civic Times",
            "2024-05-02",
            1,
        ),
        para(
            "p2",
            "A French research network was designed in the 1970s alongside others.",
            "Civic Times",
            "2024-05-03",
            2,
        ),
        para(
            "p3",
            "Research networks were designed by many French teams.",
            "Civic Times",
            "2024-05-04",
            3,
        ),
    ]
    answer = backend().answer("What research network was designed by the French?", hits)
    assert "CYCLADES" in answer.text
    assert all(ok for _c, _s, ok in citation_checks(answer))


@pytest.mark.parametrize(
    ("text", "question", "opening"),
    [
        # a why-answer keeps the sentence beside it that gives the reason
        pytest.param(
            "Because the fees were set in dollars, the ports lost income as the dollar fell. "
            "In March the port council said it would set its harbour fees in gold from then on.",
            "Why did the port council set its harbour fees in gold?",
            "Because the fees were set in dollars",
            marks=MODEL_MISS,
        ),
        # a how-question is led by the sentence that states its action
        (
            "The agency said about 1,500 soldiers of the special forces were sent to the "
            "eastern ports this month. The special forces were carried aboard navy ships.",
            "How were the soldiers of the special forces carried?",
            "The special forces were carried aboard navy ships",
        ),
    ],
)
def test_the_lead_opens_with_the_sentence_that_answers(text, question, opening):
    answer = backend().answer(question, [para("p", text, "Civic Times", "2024-05-01")])
    assert answer.lead.startswith(opening)
    assert all(ok for _c, _s, ok in citation_checks(answer))


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What did Kim Jong Un say about the troops?", "Un"),
        ("What did the Kremlin claim about the reports?", "Kremlin"),
        ("What did he say?", None),  # a follow-up: its speaker comes from the last answer
        ("What did officials say?", None),  # nobody in particular
        ("What did NATO negotiate?", None),  # no saying
        ("Who said the troops were in Kursk?", None),
    ],
)
def test_the_speaker_a_what_did_x_say_question_asks_for(question, speaker):
    assert asked_speaker(analyse(question)) == speaker


@MODEL_MISS
def test_the_sentence_after_the_answer_is_not_quoted_for_its_context():
    # the model reads a sentence beside the one before it; when that one answers, the next
    # scores high too. A second read without the context fixed this case but changed no
    # figure on the held-out articles, so it was not kept (docs/answers.md)
    text = (
        "The defence ministry confirmed that artillery shells were sent to Russia. "
        "The harbour's ferry timetable changes in winter."
    )
    answer = backend().answer(
        "Were artillery shells sent to Russia?", [para("p", text, "Civic Times", "2024-05-01")]
    )
    assert not answer.refused
    assert all("ferry" not in c.quote for c in answer.citations)
