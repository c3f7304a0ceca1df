"""Parse DSL text into the typed AST, with errors that say where and what was expected."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, v_args

from dsl import ast, catalogue
from dsl.errors import DslSyntaxError

GRAMMAR_PATH = Path(__file__).with_name("cricket.lark")


def _keyword_rule(name: str, keywords: Iterable[str]) -> str:
    return f"!{name}: " + " | ".join(json.dumps(keyword) for keyword in keywords)


def catalogue_rules() -> str:
    """The grammar's keyword rules for what can be shown, from the catalogue."""
    rules = [_keyword_rule("group", catalogue.GROUP), _keyword_rule("qualifier", catalogue.QUALIFIER)]
    for subject in catalogue.SUBJECTS:
        rules.append(_keyword_rule(f"{subject}_stat", catalogue.SUBJECT_STATS[subject]))
        if catalogue.SUBJECT_INNINGS_STATS[subject]:
            rules.append(_keyword_rule(f"{subject}_innings_stat", catalogue.SUBJECT_INNINGS_STATS[subject]))
        if catalogue.SUBJECT_LISTS[subject]:
            rules.append(_keyword_rule(f"{subject}_list", catalogue.SUBJECT_LISTS[subject]))
    return "\n".join(rules) + "\n"


def grammar_text() -> str:
    """dsl/cricket.lark with the catalogue's keyword rules: the grammar the parser and decoders use."""
    return GRAMMAR_PATH.read_text(encoding="utf-8") + "\n" + catalogue_rules()


@cache
def _parser() -> Lark:
    # cache=True keeps the LALR tables between processes: building them takes ~2 s.
    return Lark(grammar_text(), parser="lalr", cache=True)


def _words(tree_or_token) -> str:
    """A keyword rule such as `!batting_stat` -> its text ("strike rate")."""
    tokens = tree_or_token.scan_values(lambda v: isinstance(v, Token)) if hasattr(tree_or_token, "scan_values") else [tree_or_token]
    return " ".join(str(t) for t in tokens)


@v_args(inline=True)
class _ToAst(Transformer):
    """Lark tree -> dsl.ast. One method per grammar rule that carries a value."""

    # values
    def PLAYER(self, token): return json.loads(token)
    TEAM = GROUND = PLACE = EVENT = PLAYER
    def YEAR(self, token): return int(token)
    NUMBER = YEAR
    def SEASON(self, token): return str(token)

    # subjects
    def start(self, query): return query
    def batting(self, *parts): return _query("batting", parts)
    def bowling(self, *parts): return _query("bowling", parts)
    def fielding(self, *parts): return _query("fielding", parts)
    def team(self, *parts): return _query("team", parts)
    def partnership(self, *parts): return _query("partnership", parts)

    # filters: (field name, value) pairs for _query
    def player(self, name): return ("player", name)
    def for_team(self, name): return ("team", name)
    def competition(self, words): return ("competition", _words(words))
    def women(self): return ("women", True)
    def opposition(self, name): return ("opposition", name)
    def ground(self, name): return ("ground", name)
    def place(self, name): return ("place", name)
    def home_away(self, *words): return ("home_away", " ".join(map(str, words)))
    def in_year(self, year): return ("span", ast.InYear(year))
    def since(self, year): return ("span", ast.Since(year))
    def before(self, year): return ("span", ast.Before(year))
    def between(self, first, last): return ("span", ast.Between(first, last))
    def season(self, season): return ("span", ast.Season(season))
    def innings_number(self, number): return ("innings_number", number)
    def position(self, first, last=None): return ("position", ast.Position(first, last or first))
    def threshold(self, stat, minimum): return ("threshold", ast.Threshold(_words(stat), minimum))
    def without(self, stat): return ("threshold", ast.Without(_words(stat)))
    def debut(self): return ("debut", True)
    def rivals(self, *names): return ("rivals", names)
    def result(self, *words): return ("result", " ".join(map(str, words)))
    def toss(self, outcome, decision=None):
        return ("toss", ast.Toss(_words(outcome), _words(decision) if decision else None))
    def batting_order(self, *words): return ("batting_order", " ".join(map(str, words)))
    def event(self, name): return ("event", name)
    def stage(self, *words): return ("stage", " ".join(map(str, words)))
    def overs(self, first, last): return ("overs", ast.Overs(first, last))
    def single_over(self, number): return ("overs", ast.Overs(number, number))
    def last(self, count): return ("last", count)
    def phase(self, words): return ("overs", ast.Phase(_words(words)))
    def against_bowler(self, name): return ("against", name)
    def against_batter(self, name): return ("against", name)
    def partner(self, name): return ("against", name)
    def wicket(self, number): return ("wicket", number)
    def dismissal(self, words): return ("dismissal", _words(words))

    # outputs
    def aggregate(self, stat, *more): return ast.Aggregate(_words(stat), tuple(_words(s) for s in more))
    def grouped(self, group, stat): return ast.Grouped(_words(group), _words(stat))
    def ranking(self, rank, count, stat, *options):
        per = next((option for option in options if isinstance(option, str)), None)
        qualification = next((option for option in options if isinstance(option, ast.Qualification)), None)
        return ast.Ranking(_words(rank), count, _words(stat), qualification, per)
    def per(self, unit): return _words(unit)
    def best_innings(self, best, count, stat, qualification=None):
        return ast.BestInnings(_words(best), count, _words(stat), qualification)
    def listing(self, kind): return ast.Listing(_words(kind))
    def milestone(self, count, target, stat, unit): return ast.Milestone(count, target, _words(stat), _words(unit))
    def streak(self, count, stat, minimum): return ast.Streak(count, ast.Threshold(_words(stat), minimum))
    def qualification(self, what, minimum): return ast.Qualification(_words(what), minimum)


def _query(subject: str, parts: tuple) -> ast.Query:
    *filters, output = parts
    if filters and isinstance(filters[0], str):  # the team a team query is about
        filters[0] = ("team", filters[0])
    return ast.Query(subject=subject, output=output, **dict(filters))


def parse(text: str) -> ast.Query:
    """DSL text -> Query. Raises DslSyntaxError with the position and the expected words."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    return _ToAst().transform(tree)


def _syntax_error(text: str, error: UnexpectedInput) -> DslSyntaxError:
    position = getattr(error, "pos_in_stream", None)
    if position is None or isinstance(error, UnexpectedEOF):
        position = len(text)
    expected = sorted(_readable_expected(error))
    if isinstance(error, UnexpectedCharacters):
        found = text[position:position + 12].split(" ")[0] or text[position:position + 1]
    elif isinstance(error, UnexpectedEOF):
        found = "the end of the query"
    else:
        found = str(getattr(error, "token", "")) or "the end of the query"
    return DslSyntaxError(text=text, position=position, found=found, expected=tuple(expected))


def _readable_expected(error: UnexpectedInput) -> set[str]:
    names = getattr(error, "expected", None) or getattr(error, "allowed", None) or set()
    terminals = {t.name: t for t in _parser().terminals}
    readable = set()
    for name in names:
        terminal = terminals.get(name)
        if terminal is None:
            continue
        if name in ("PLAYER", "TEAM", "GROUND", "PLACE", "EVENT"):
            readable.add(f"a quoted {name.lower()} name")
        elif name in ("YEAR", "NUMBER", "SEASON"):
            readable.add(f"a {name.lower()}")
        elif terminal.pattern.type == "str":
            readable.add(terminal.pattern.value)
    return readable
