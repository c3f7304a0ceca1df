"""How well do taught readings carry over to new questions? The rule of serving/pipeline.py,
measured with the train split standing in for the taught pairs.

Each question of the chosen splits takes the taught readings `taught_readings` offers it (the
nearest train pairs' queries moved onto its names and values, dsl/retarget.py) and counts as
right when a reading is its gold query (canonical spelling). Printed: how many questions a reading
of the same form answers outright, and how often it is right; and, per similarity floor, how
often the nearest moved reading (offered to the model as a candidate) is right.

    python -m analysis.taught_threshold [--splits dev dev-new]
"""

from __future__ import annotations

import argparse

from dsl.link import Linker
from dsl.parser import parse
from dsl.printer import to_dsl
from retrieval.store import DEFAULT_CORPUS, load_pairs
from retrieval.taught import TaughtIndex, TaughtPair
from serving.pipeline import TAUGHT_MIN_SIMILARITY, TAUGHT_NEIGHBOURS, taught_readings
from statsdb.database import open_engine

FLOORS = (TAUGHT_MIN_SIMILARITY, 0.93, 0.95, 0.97, 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=["dev", "dev-new"])
    args = parser.parse_args()
    engine = open_engine()
    linker = Linker.from_engine(engine)
    pairs = load_pairs(DEFAULT_CORPUS)
    taught = TaughtIndex([TaughtPair(id=number, question=pair.question, dsl=pair.dsl, verdict="wrong", status="accepted",
                                     confirmations=1, source="corpus", created_at=0.0, decided_at=None)
                          for number, pair in enumerate(pairs) if pair.split == "train"],
                         mask=lambda question: linker.link(question).masked())
    questions = [pair for pair in pairs if pair.split in args.splits]
    same_form, nearest = [], []  # (is right), (similarity, is right)
    for pair in questions:
        gold = to_dsl(parse(pair.dsl))
        linked = linker.link(pair.question)
        readings = taught_readings(linked, taught.nearest(linked.masked(), TAUGHT_NEIGHBOURS), linker, engine)
        if readings and readings[0].same_form:
            same_form.append(to_dsl(parse(readings[0].dsl)) == gold)
        if readings:
            best = max(readings, key=lambda reading: reading.similarity)
            nearest.append((best.similarity, to_dsl(parse(best.dsl)) == gold))
    print(f"{len(questions)} questions of {', '.join(args.splits)}; the train split as the taught pairs")
    print(f"answered by a reading of the same form: {len(same_form)}, right {sum(same_form)}"
          + (f" ({sum(same_form) / len(same_form):.1%})" if same_form else ""))
    print("the nearest moved reading, as a candidate:")
    print(f"{'floor':>6} {'offered':>8} {'right':>6} {'precision':>9}")
    for floor in FLOORS:
        offered = [right for similarity, right in nearest if similarity >= floor]
        precision = f"{sum(offered) / len(offered):.1%}" if offered else "-"
        print(f"{floor:>6} {len(offered):>8} {sum(offered):>6} {precision:>9}")


if __name__ == "__main__":
    main()
