"""What the example corpus covers: constructs, competitions, entities, splits, wording variety,
and linking recall (does each gold DSL fit the grammar specialised to its own question?).

`askcric examples stats` prints it; tests/examples assert the corpus issue's thresholds on it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from dsl import ast
from dsl.link import Linked, Linker
from dsl.parser import parse
from dsl.specialize import allowed_values, missing_values
from retrieval.splits import HELD_OUT
from retrieval.store import Pair

def constructs(query: ast.Query) -> list[str]:
    """The grammar constructs a query uses, as readable labels ("filter:vs", "stat:batting/average")."""
    output = query.output
    labels = [f"subject:{query.subject}", f"shape:{type(output).__name__}"]
    for name, value in query.filters().items():
        labels.append(f"filter:{name}")
        if name == "span":
            labels.append(f"span:{type(value).__name__}")
        elif name == "overs":
            labels.append(f"overs:{value.name if isinstance(value, ast.Phase) else _over_kind(value)}")
        elif name in ("competition", "home_away", "result", "batting_order", "stage", "dismissal"):
            labels.append(f"{name}:{value}")
        elif name == "threshold" and isinstance(value, ast.Without):
            labels.append("threshold:without")
        elif name == "toss":
            labels += [f"toss:{value.outcome}"] + ([f"toss decision:{value.decision}"] if value.decision else [])
    if isinstance(output, ast.Grouped):
        labels.append(f"group:{output.group}")
    if isinstance(output, (ast.Ranking, ast.BestInnings)):
        labels.append(f"direction:{output.direction}")
        if output.qualification:
            labels.append(f"qualifier:{output.qualification.stat}")
        if getattr(output, "per", None):
            labels.append(f"per:{output.per}")
    if isinstance(output, ast.Milestone):
        labels.append(f"milestone:{output.unit}")
    if isinstance(output, ast.Listing):
        labels.append(f"list:{query.subject}/{output.kind}")
    elif isinstance(output, ast.Streak):
        labels.append(f"streak:{query.subject}/{output.condition.stat}")
    else:
        labels.append(f"stat:{query.subject}/{output.stat}")
    return labels


def _over_kind(overs: ast.Overs) -> str:
    return "single" if overs.first == overs.last else "range"


_NUMBER = re.compile(r"\d+")


def masked_question(linked: Linked) -> str:
    """Names and numbers masked, lower-cased: the form the uniqueness rule counts."""
    return _NUMBER.sub("<n>", linked.masked().lower()).strip(" ?.!")


@dataclass
class CorpusStats:
    pairs: int
    splits: Counter
    constructs: Counter
    competitions: Counter
    genders: Counter
    players: set[str]
    teams: set[str]
    grounds: set[str]
    places: set[str]
    masked_max_repeat: int
    masked_unique_share: float
    dev_dsl_in_train: int
    linking_misses: list[tuple[str, str, dict]] = field(default_factory=list)  # (id, question, missing)

    @property
    def linking_recall(self) -> float:
        return 1 - len(self.linking_misses) / self.pairs if self.pairs else 0.0


def corpus_stats(pairs: list[Pair], linker: Linker) -> CorpusStats:
    counts: Counter = Counter()
    competitions: Counter = Counter()
    genders: Counter = Counter()
    players, teams, grounds, places = set(), set(), set(), set()
    masked: Counter = Counter()
    misses = []
    # The held-out splits are not part of the corpus (nothing in it is written to cover them).
    pairs = [pair for pair in pairs if pair.split not in HELD_OUT]
    for pair in pairs:
        query = parse(pair.dsl)
        counts.update(constructs(query))
        competitions[query.competition or "all"] += 1
        genders["women" if query.women else "men"] += 1
        players.update(p for p in (query.player, query.against) if p)
        teams.update(t for t in (query.team, query.opposition) if t)
        grounds.update([query.ground] if query.ground else [])
        places.update([query.place] if query.place else [])
        linked = linker.link(pair.question)
        masked[masked_question(linked)] += 1
        missing = missing_values(query, allowed_values(linked))
        if missing:
            misses.append((pair.id, pair.question, missing))
    train_dsls = {p.dsl for p in pairs if p.split == "train"}
    return CorpusStats(
        pairs=len(pairs),
        splits=Counter(p.split for p in pairs),
        constructs=counts,
        competitions=competitions,
        genders=genders,
        players=players,
        teams=teams,
        grounds=grounds,
        places=places,
        masked_max_repeat=max(masked.values(), default=0),
        masked_unique_share=sum(1 for c in masked.values() if c == 1) / len(pairs) if pairs else 0.0,
        dev_dsl_in_train=sum(1 for p in pairs if p.split != "train" and p.dsl in train_dsls),
        linking_misses=misses,
    )
