"""The templates of the news-like benchmark: kinds of story, their paragraphs and the
paraphrased questions about them. All text here is the project's own; names are made up.

A story kind has slots (filled per story), titles, a dateline lead, facts and filler. A fact
is one short paragraph in two phrasings (outlets word it differently) with a question that
avoids its words; ``setup`` is a paragraph placed just before it that carries the words the
question uses, while the fact itself says "it", "the company" or a bare quote. So the
evidence sits in the paragraph after the one that matches, as it does in wire copy.
``evidence="both"``: the question needs the setup too (a quote and the next paragraph's
"..., X said").
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Slots = dict[str, Any]

FIRST = [
    "Mara", "Jonas", "Elin", "Tomas", "Ravi", "Leila", "Owen", "Sofia", "Karim", "Hana",
    "Felix", "Noor", "Pavel", "Grace", "Yusuf", "Clara", "Amara", "Bruno", "Ilse", "Tariq",
    "Odile", "Viktor", "Selma", "Imre", "Priya", "Dario", "Keiko", "Lukas", "Nadia", "Esther",
]  # fmt: skip
LAST = [
    "Lindqvist", "Pereira", "Keller", "Menon", "Haddad", "Price", "Romano", "Dahl", "Ortega",
    "Sato", "Brandt", "Novak", "Okafor", "Vance", "Moreau", "Ferreira", "Aalto", "Brisco",
    "Castell", "Demir", "Eklund", "Falk", "Grieve", "Horvat", "Ibsen", "Jovic", "Kranz",
]  # fmt: skip
PLACES = [
    "Almora", "Brenholt", "Castelva", "Dunmere", "Estrava", "Farrowby", "Galen Bay", "Hollins",
    "Iskar", "Jadeport", "Kelmouth", "Lorvik", "Marrow Hill", "Norbeck", "Pellham",
    "Quarry Ford", "Rensby", "Saltmarsh", "Tovenna", "Ulverby", "Vastra", "Wenlow", "Yarrow",
    "Zelinka", "Ashgrove", "Belcastro", "Corrin", "Drava",
]  # fmt: skip
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
COUNTRIES = [
    "Estravia", "Norland", "Castelmark", "Veloria", "Drenmark", "Ostmark", "Lunavia",
    "Karsten", "Belmora", "Quessany", "Trevania", "Solvakia", "Marenland", "Ardenia",
    "Pallory", "Vesland", "Corvania", "Illyra", "Gendavia", "Rhosmark",
]  # fmt: skip
CARRIERS = [
    "Skyvale", "Corvid", "Aurelia", "Northwind", "Bluecrest", "Pelago", "Starling", "Meridia",
    "Kestrel", "Altair", "Solent", "Halden", "Vireo", "Cirrus", "Borealis", "Tern",
]  # fmt: skip
FIRMS = [
    "Veltro", "Ostrand", "Kaldera", "Minerva", "Trellis", "Halcyon", "Brightwell", "Corax",
    "Dunlin", "Evera", "Fulcrum", "Garnet", "Helix", "Ionis", "Juniper", "Lumen",
]  # fmt: skip
UNIONS = ["Dockers", "Harbour Workers", "Maritime Staff", "Stevedores"]
TRADES = ["Semiconductors", "Batteries", "Components", "Motors"]
HOSPITALS = ["General Hospital", "Royal Infirmary", "Medical Centre"]
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def surname(full: str) -> str:
    return full.split()[-1]


@dataclass(frozen=True)
class Fact:
    texts: tuple[str, str]
    question: str
    setup: tuple[str, str] | None = None
    evidence: str = "fact"  # or "both": the setup is evidence too


@dataclass(frozen=True)
class Kind:
    name: str
    slots: Callable[[random.Random], Slots]
    varies: tuple[str, ...]  # figures outlets report differently
    titles: tuple[str, ...]
    lead: tuple[str, str]
    lead_question: str
    facts: tuple[Fact, ...]
    filler: tuple[str, ...]
    captions: tuple[str, ...]
    headings: tuple[str, ...]
    teaser: str  # a "Read more" headline of another story of this kind
    extra: dict[str, Any] = field(default_factory=dict)


def _airline(rng: random.Random) -> Slots:
    a, b, c = rng.sample(PLACES, 3)
    return {
        "carrier": f"{rng.choice(CARRIERS)} {rng.choice(['Airways', 'Air', 'Airlines'])}",
        "hub": a,
        "d1": b,
        "d2": c,
        "n": rng.randint(3, 9),
        "pct": rng.randint(12, 45),
        "pct2": rng.randint(2, 9),
        "ceo": person(rng),
        "jobs": rng.randint(80, 600),
        "share": rng.randint(22, 38),
        "saving": rng.randint(9, 60),
        "month": rng.choice(MONTHS),
        "year": rng.randint(1961, 2004),
        "fleet": rng.randint(18, 90),
    }  # fmt: skip


AIRLINE = Kind(
    name="airline",
    slots=_airline,
    varies=("n", "jobs", "saving"),
    titles=(
        "{carrier} to drop {n} routes as fuel bills climb",
        "Fuel costs force {carrier} to trim its {hub} schedule",
        "{carrier} cuts flights from {hub}",
    ),
    lead=(
        "{HUB} ({outlet}) - {carrier} will drop {n} loss-making routes from {hub} starting in "
        "{month} as jet fuel bills climb, the company said on {weekday}.",
        "{carrier} is to scrap {n} unprofitable services out of {hub} from {month}, blaming "
        "the rising price of aviation fuel, it announced on {weekday}.",
    ),
    lead_question="Which carrier is reducing its {hub} flights because of what it pays for "
    "kerosene?",
    facts=(
        Fact(
            setup=(
                "Asked which destinations would lose their flights first, the airline pointed "
                "to its winter timetable.",
                "The airline was asked which destinations would be the first to go.",
            ),
            texts=(
                "Services to {d1} and {d2} end first, with the others following before spring.",
                "{d1} and {d2} go first; the remaining connections stop by the spring.",
            ),
            question="Which cities will be the earliest to lose their {carrier} connections?",
        ),
        Fact(
            setup=(
                '"We cannot keep flying half-empty aircraft while fuel costs {pct} percent '
                'more than a year ago."',
                '"Fuel is {pct} percent dearer than last year and we are flying half-empty '
                'planes."',
            ),
            texts=(
                "{ceo}, the chief executive, said the cuts would save about {saving} million a "
                "year.",
                "That was the verdict of chief executive {ceo}, who put the yearly saving at "
                "{saving} million.",
            ),
            question="Who at {carrier} complained about operating planes with many empty seats?",
            evidence="both",
        ),
        Fact(
            texts=(
                "The cabin crew union said it would ballot members over the cuts, which put "
                "{jobs} jobs at risk.",
                "Up to {jobs} posts are threatened, according to the cabin crew union, which "
                "plans a ballot.",
            ),
            question="How many staff could lose their positions at {carrier}, according to "
            "employee representatives?",
        ),
        Fact(
            texts=(
                "Fuel made up {share} percent of the airline's costs last year.",
                "Last year {share} percent of the carrier's spending went on fuel.",
            ),
            question="What portion of {carrier}'s expenses does kerosene account for?",
        ),
        Fact(
            texts=(
                "Founded in {year}, {carrier} operates {fleet} aircraft.",
                "{carrier}, which began flying in {year}, has a fleet of {fleet} planes.",
            ),
            question="When did {carrier} start operating?",
        ),
    ),
    filler=(
        "Shares in the group slipped {pct2} percent in early trading.",
        "Passenger numbers at {hub} rose last summer but fell back in the autumn.",
        "Rival operators have also trimmed their timetables this year.",
        "The regional tourism board said it would seek talks with the carrier.",
        "Airport officials in {hub} declined to comment on the schedule change.",
        "Analysts expect further cuts if oil prices stay high into next year.",
    ),
    captions=(
        "FILE PHOTO: A {carrier} aircraft taxis at {hub} airport.",
        "Pictured: travellers at the {carrier} check-in desks in {hub}.",
        "A {carrier} jet on the apron in {hub}. AP Photo/{photographer}",
    ),
    headings=("Fuel bill", "Staff concerns", "What comes next"),
    teaser="{carrier} adds summer flights to {d1}",
)


def _port(rng: random.Random) -> Slots:
    return {
        "port": rng.choice(PLACES),
        "union": f"{rng.choice(UNIONS)} Union",
        "days": rng.choice(NUMBER_WORDS[1:6]),
        "pay": rng.randint(4, 14),
        "offer": rng.randint(2, 6),
        "ships": rng.randint(12, 70),
        "leader": person(rng),
        "operator": f"{rng.choice(['Tidewater', 'Keystone', 'Anchorage', 'Bay'])} Terminals",
        "containers": rng.randint(3, 40) * 1000,
        "month": rng.choice(MONTHS),
    }  # fmt: skip


PORT = Kind(
    name="port",
    slots=_port,
    varies=("ships", "containers", "pay"),
    titles=(
        "{port} dockworkers walk out over pay",
        "Strike halts cargo at {port}",
        "{union} begins {days}-day stoppage at {port}",
    ),
    lead=(
        "{PORT} ({outlet}) - Dockworkers at {port} began a {days}-day strike on {weekday} "
        "after talks over pay broke down, leaving {ships} vessels waiting offshore.",
        "A {days}-day walkout by {port} dockers started on {weekday}, with {ships} ships "
        "anchored outside the harbour once negotiations collapsed.",
    ),
    lead_question="How many cargo vessels were stuck outside {port} because of the stoppage?",
    facts=(
        Fact(
            texts=(
                "The {union} is demanding a rise of {pay} percent; the terminal operator has "
                "offered {offer} percent.",
                "Members want {pay} percent more, while management's offer stands at {offer} "
                "percent.",
            ),
            question="What wage increase are the {port} dockers asking for?",
        ),
        Fact(
            setup=(
                '"Our members have not had a real increase in five years."',
                '"Five years without a proper raise is enough."',
            ),
            texts=(
                "{leader}, who leads the {union}, said pickets would stay until a better offer "
                "was made.",
                "So said {leader}, the {union}'s general secretary, adding that picket lines "
                "would hold.",
            ),
            question="Which labour leader said the workers had gone years without a meaningful "
            "pay rise at {port}?",
            evidence="both",
        ),
        Fact(
            setup=(
                "{operator}, which runs the main container terminal, was asked about the backlog.",
                "The main container terminal is run by {operator}.",
            ),
            texts=(
                "It said about {containers} containers were stuck on the quays and that "
                "perishable goods were being diverted.",
                "The company estimates {containers} boxes are held up, and fresh produce is "
                "being sent elsewhere.",
            ),
            question="How much freight is piling up at the {port} docks, according to the "
            "terminal firm?",
        ),
        Fact(
            texts=(
                "The last strike at the port, in {month} three years ago, lasted nine days.",
                "Dockers at the harbour last walked out in {month} three years ago, for nine days.",
            ),
            question="When did {port}'s previous industrial action take place?",
        ),
    ),
    filler=(
        "Retailers warned of empty shelves if the dispute dragged on.",
        "The transport ministry urged both sides to return to talks.",
        "Trucks queued for several kilometres on the approach road.",
        "Some shipping lines said they would call at other harbours instead.",
        "Mediators are expected to meet both sides next week.",
    ),
    captions=(
        "FILE PHOTO: Cranes stand idle at the {port} container terminal.",
        "Pictured: striking dockers outside the {port} harbour gates.",
        "Container ships wait off {port}. AP Photo/{photographer}",
    ),
    headings=("Pay gap", "Backlog grows", "Talks"),
    teaser="{operator} reports record volumes at {port}",
)


def _flood(rng: random.Random) -> Slots:
    town, river_town = rng.sample(PLACES, 2)
    return {
        "town": town,
        "river": f"River {rng.choice(['Asker', 'Bryn', 'Colm', 'Dessa', 'Elva', 'Fenn', 'Gara'])}",
        "homes": rng.randint(40, 900),
        "rain": rng.randint(60, 220),
        "hours": rng.choice([12, 24, 36, 48]),
        "official": person(rng),
        "upstream": river_town,
        "cost": rng.randint(3, 90),
        "metres": round(rng.uniform(1.2, 4.8), 1),
        "year": rng.randint(1952, 2015),
    }  # fmt: skip


FLOOD = Kind(
    name="flood",
    slots=_flood,
    varies=("homes", "rain", "cost"),
    titles=(
        "Hundreds leave homes as the {river} bursts its banks",
        "Floods hit {town} after record rain",
        "{town} counts the cost of flooding",
    ),
    lead=(
        "{TOWN} ({outlet}) - Emergency crews evacuated {homes} households in {town} on "
        "{weekday} after the {river} burst its banks following {rain} millimetres of rain in "
        "{hours} hours.",
        "{homes} homes in {town} were cleared on {weekday} when the {river} overflowed; "
        "{rain} mm of rain fell in {hours} hours.",
    ),
    lead_question="How many families had to leave their houses in {town} when the water rose?",
    facts=(
        Fact(
            texts=(
                "The river peaked at {metres} metres above its usual level on {weekday} night.",
                "Water reached {metres} metres above normal at the height of the flood.",
            ),
            question="How high did the {river} climb above its ordinary mark at {town}?",
        ),
        Fact(
            setup=(
                "Regional emergency chief {official} was asked whether the defences had failed.",
                "Questions were put to {official}, head of the regional emergency service, "
                "about the barriers.",
            ),
            texts=(
                "She said the embankment upstream at {upstream} had held but was never built "
                "for this much water.",
                "In her view the {upstream} embankment did its job but was designed for "
                "smaller floods.",
            ),
            question="Which upstream flood wall did the emergency head say had not given way "
            "near {town}?",
        ),
        Fact(
            texts=(
                "Insurers put early damage estimates at {cost} million.",
                "Early insurance estimates of the damage reach {cost} million.",
            ),
            question="What is the preliminary bill for the destruction in {town}, according "
            "to the insurance industry?",
        ),
        Fact(
            texts=(
                "The town was last flooded this badly in {year}.",
                "Not since {year} has the town seen water this high.",
            ),
            question="In what year did {town} previously suffer a comparable inundation?",
        ),
    ),
    filler=(
        "Schools in the district stayed closed for the rest of the week.",
        "Volunteers filled sandbags at the fire station through the night.",
        "Forecasters expect drier weather from the weekend.",
        "Rail services between {town} and {upstream} were suspended.",
        "The regional council opened two sports halls as shelters.",
    ),
    captions=(
        "FILE PHOTO: Residents wade through a flooded street in {town}.",
        "Pictured: the {river} spilling over the quay in {town}.",
        "Rescue boats on a flooded road near {town}. AP Photo/{photographer}",
    ),
    headings=("Rising water", "Defences", "Clean-up"),
    teaser="Flood barrier for {town} delayed again",
)


def _plant(rng: random.Random) -> Slots:
    return {
        "company": f"{rng.choice(FIRMS)} {rng.choice(TRADES)}",
        "town": rng.choice(PLACES),
        "jobs": rng.randint(150, 2400),
        "invest": rng.randint(120, 3000),
        "subsidy": rng.randint(20, 400),
        "minister": person(rng),
        "year": rng.randint(2026, 2031),
        "site": rng.randint(30, 160),
        "mayor": person(rng),
    }  # fmt: skip


PLANT = Kind(
    name="plant",
    slots=_plant,
    varies=("jobs", "invest", "subsidy"),
    titles=(
        "{company} picks {town} for new factory",
        "{town} wins {company} plant",
        "New {company} works to bring jobs to {town}",
    ),
    lead=(
        "{TOWN} ({outlet}) - {company} will build a {invest} million factory in {town}, "
        "creating {jobs} jobs, the firm said on {weekday}.",
        "{company} has chosen {town} for a {invest} million plant that is expected to employ "
        "{jobs} people, it said on {weekday}.",
    ),
    lead_question="Which manufacturer is putting up a production site in {town}?",
    facts=(
        Fact(
            setup=(
                "The government's support for the project was confirmed by industry minister "
                "{minister}.",
                "Industry minister {minister} confirmed state support for the project.",
            ),
            texts=(
                "It amounts to {subsidy} million in grants, paid in stages as hiring targets "
                "are met.",
                "The grants total {subsidy} million and are released as the firm reaches its "
                "hiring goals.",
            ),
            question="How much public money is going to the {company} project?",
        ),
        Fact(
            texts=(
                "Production is due to start in {year} on a {site}-hectare site by the ring road.",
                "The first units should leave the {site}-hectare site in {year}.",
            ),
            question="When will the {town} factory begin manufacturing?",
        ),
        Fact(
            setup=(
                '"This is the biggest thing to happen to our town in a generation."',
                '"Nothing this big has come to our town in a generation."',
            ),
            texts=(
                "{mayor}, the mayor, said the council would fast-track planning permission.",
                "Mayor {mayor} made the remark and promised quick planning approval.",
            ),
            question="Which local official called the {company} investment a once-in-a-"
            "generation event?",
            evidence="both",
        ),
    ),
    filler=(
        "Unemployment in the region is above the national average.",
        "The company already runs two smaller sites abroad.",
        "Environmental groups asked for a review of the water supply plans.",
        "Local colleges plan new courses to train technicians.",
        "Housing associations expect demand for rental flats to rise.",
    ),
    captions=(
        "FILE PHOTO: The empty field in {town} where the plant will stand.",
        "Pictured: {company} staff at an existing production line.",
        "Workers at a {company} site. AP Photo/{photographer}",
    ),
    headings=("Subsidies", "Timeline", "Local reaction"),
    teaser="{company} shares jump on expansion plans",
)


def _hospital(rng: random.Random) -> Slots:
    return {
        "hospital": f"{rng.choice(PLACES)} {rng.choice(HOSPITALS)}",
        "region": rng.choice(PLACES),
        "weeks": rng.randint(9, 40),
        "target": rng.choice([6, 8, 12]),
        "nurses": rng.randint(40, 400),
        "beds": rng.randint(12, 120),
        "director": person(rng),
        "budget": rng.randint(5, 80),
    }  # fmt: skip


HOSPITAL = Kind(
    name="hospital",
    slots=_hospital,
    varies=("weeks", "nurses", "beds"),
    titles=(
        "Waits for surgery lengthen at {hospital}",
        "{hospital} short of nurses, report finds",
        "Patients at {hospital} wait months for operations",
    ),
    lead=(
        "{REGION} ({outlet}) - Patients at {hospital} now wait an average of {weeks} weeks "
        "for planned surgery, against a target of {target}, figures released on {weekday} show.",
        "Planned operations at {hospital} take {weeks} weeks on average to schedule, well over "
        "the {target}-week goal, according to data published on {weekday}.",
    ),
    lead_question="How long are people queuing for non-emergency operations at {hospital}?",
    facts=(
        Fact(
            texts=(
                "The hospital has {nurses} nursing posts unfilled.",
                "Some {nurses} nursing vacancies remain open at the hospital.",
            ),
            question="How many care staff positions are vacant at {hospital}?",
        ),
        Fact(
            setup=(
                "Medical director {director} was asked how the hospital would respond.",
                "The response was set out by {director}, the medical director.",
            ),
            texts=(
                "{beds} extra beds will open in a converted wing by the end of the year, "
                "funded with {budget} million.",
                "A refitted wing with {beds} more beds, costing {budget} million, opens before "
                "year end.",
            ),
            question="What capacity is {hospital} adding to shorten the queue?",
        ),
    ),
    filler=(
        "Patient groups said the delays were causing avoidable pain.",
        "The health ministry said national waiting lists had begun to fall.",
        "Agency staff cost the hospital more than planned last year.",
        "A new scanner was installed in the spring.",
    ),
    captions=(
        "FILE PHOTO: The entrance of {hospital}.",
        "Pictured: a ward at {hospital}.",
        "Ambulances outside {hospital}. AP Photo/{photographer}",
    ),
    headings=("Staffing", "New beds"),
    teaser="{hospital} opens new maternity unit",
)


def _bank(rng: random.Random) -> Slots:
    return {
        "country": rng.choice(COUNTRIES),
        "rate": round(rng.choice([2.25, 2.5, 2.75, 3.0, 3.25, 3.5, 3.75, 4.0, 4.25]), 2),
        "old": 0.0,
        "inflation": round(rng.uniform(2.1, 7.9), 1),
        "governor": person(rng),
        "votes": rng.choice(["seven to two", "six to three", "five to four", "eight to one"]),
        "growth": round(rng.uniform(0.2, 2.4), 1),
        "currency": rng.choice(["krona", "mark", "crown", "lira"]),
        "fx": round(rng.uniform(0.1, 1.4), 1),
    }  # fmt: skip


BANK = Kind(
    name="bank",
    slots=_bank,
    varies=("inflation", "growth"),
    titles=(
        "{country} central bank lowers rates to {rate}%",
        "{country} cuts borrowing costs as prices cool",
        "Rate cut in {country} as inflation eases",
    ),
    lead=(
        "{CAPITAL} ({outlet}) - {country}'s central bank cut its main interest rate to {rate} "
        "percent on {weekday}, saying inflation of {inflation} percent was easing.",
        "The central bank of {country} lowered its benchmark rate to {rate} percent on "
        "{weekday}, with annual inflation at {inflation} percent and falling.",
    ),
    lead_question="Where is {country}'s policy rate now set?",
    facts=(
        Fact(
            texts=(
                "The decision was taken by {votes} on the rate-setting board.",
                "Board members voted {votes} for the move.",
            ),
            question="How divided were the policymakers over the {country} decision?",
        ),
        Fact(
            setup=(
                "Governor {governor} spoke to reporters after the meeting.",
                "After the meeting, governor {governor} took questions.",
            ),
            texts=(
                "He said growth would reach only {growth} percent this year and that further "
                "easing was possible.",
                "In his view the economy will expand by just {growth} percent this year, "
                "leaving room for more cuts.",
            ),
            question="What economic expansion does {country}'s monetary chief expect for the year?",
        ),
        Fact(
            texts=(
                "The {currency} weakened {fx} percent against the euro after the announcement.",
                "After the news the {currency} lost {fx} percent against the euro.",
            ),
            question="How did {country}'s money react on foreign exchange markets?",
        ),
    ),
    filler=(
        "Economists had been split on whether a cut would come this month.",
        "Mortgage lenders are expected to pass on part of the reduction.",
        "Wage growth remains strong in the services sector.",
        "The next policy meeting is scheduled for six weeks' time.",
    ),
    captions=(
        "FILE PHOTO: The central bank headquarters in {capital}.",
        "Pictured: governor {governor} at a news conference.",
        "Banknotes at a cash centre in {capital}. AP Photo/{photographer}",
    ),
    headings=("The vote", "Outlook"),
    teaser="{country} inflation hits a two-year low",
    extra={"capital": True},
)

KINDS: tuple[Kind, ...] = (AIRLINE, PORT, FLOOD, PLANT, HOSPITAL, BANK)
