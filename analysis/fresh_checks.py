"""Issue 13's independent check: fresh phrasings of each new kind of question, askcric's answer
beside SQL written by hand against the stats database (SQLite), printed side by side.

    python -m analysis.fresh_checks

The questions are not in examples/ (written for this check); the hand SQL uses the tables directly
(statsdb/schema.py), not askcric's compiler. Where askcric restricts itself on purpose (careers and
debuts only after the data's incomplete early years), the hand SQL applies the same year from
dsl.coverage, named in the query.
"""

from __future__ import annotations

import sqlite3

from dsl.coverage import complete_careers_after
from serving.cli import open_backend
from serving.pipeline import Pipeline
from statsdb.database import default_url, open_engine, sqlite_path

PID = "(SELECT id FROM players WHERE full_name = '{}')"
TID = "(SELECT id FROM teams WHERE name = '{}')"
BOWLER_KINDS = "('bowled','caught','caught and bowled','lbw','stumped','hit wicket')"
# a player's first match in a format, when it is after the data's incomplete years
DEBUTS = """(SELECT mp.player_id, mp.match_id FROM match_players mp JOIN matches m2 ON m2.id=mp.match_id
   WHERE m2.competition='{c}' AND m2.gender='male' AND m2.start_date = (SELECT min(m3.start_date) FROM match_players q
   JOIN matches m3 ON m3.id=q.match_id WHERE q.player_id=mp.player_id AND m3.competition='{c}' AND m3.gender='male')
   AND m2.year > {y})"""


def checks(after: dict) -> list[tuple[str, str, str]]:
    """(kind, question, hand SQL) for each check."""
    AFTER = after  # noqa: N806 - the name the SQL templates below use
    return [
 ("over phases / single overs", "What was Chennai Super Kings' death-overs run rate in IPL 2023?",
  f"""SELECT round(sum(d.total_runs)*6.0/sum(d.is_legal),2) FROM deliveries d JOIN innings i ON i.id=d.innings_id JOIN matches m ON m.id=d.match_id
      WHERE i.batting_team_id={TID.format('Chennai Super Kings')} AND m.competition='IPL' AND m.year=2023 AND d.over BETWEEN 16 AND 20"""),
 ("over phases / single overs", "how many wickets fell in the first over of ODIs in 2019",
  """SELECT sum(d.wicket_kind IN ('bowled','caught','caught and bowled','lbw','stumped','hit wicket')) FROM deliveries d JOIN matches m ON m.id=d.match_id
      WHERE m.competition='ODI' AND m.gender='male' AND m.year=2019 AND d.over=1"""),
 ("over phases / single overs", "Hardik Pandya's strike rate in the 20th over of IPL innings",
  f"""SELECT round(sum(d.batter_runs)*100.0/sum(d.wides=0),2) FROM deliveries d JOIN matches m ON m.id=d.match_id
      WHERE d.batter_id={PID.format('Hardik Pandya')} AND m.competition='IPL' AND d.over=20"""),
 ("matches as the answer", "Australia's biggest ODI wins by runs",
  f"""SELECT m.start_date, m.win_by_runs FROM matches m WHERE m.competition='ODI' AND m.gender='male' AND m.winner_id={TID.format('Australia')}
      AND m.win_by_runs IS NOT NULL AND m.win_by_innings IS NOT 1 ORDER BY m.win_by_runs DESC, m.start_date LIMIT 3"""),
 ("matches as the answer", "closest Test wins by runs since 2010",
  """SELECT m.start_date, m.win_by_runs FROM matches m WHERE m.competition='Test' AND m.gender='male' AND m.year>=2010
      AND m.win_by_runs IS NOT NULL AND m.win_by_innings IS NOT 1 ORDER BY m.win_by_runs, m.start_date LIMIT 3"""),
 ("matches as the answer", "India's heaviest T20I defeats",
  f"""SELECT m.start_date, m.win_by_runs FROM matches m WHERE m.competition='T20I' AND m.gender='male' AND {TID.format('India')} IN (m.team1_id, m.team2_id)
      AND m.winner_id != {TID.format('India')} AND m.win_by_runs IS NOT NULL ORDER BY m.win_by_runs DESC, m.start_date LIMIT 3"""),
 ("records within one season / edition / match", "most wickets by a bowler in one IPL season",
  """SELECT p.full_name, m.season, sum(b.wickets) w FROM bowling b JOIN matches m ON m.id=b.match_id JOIN players p ON p.id=b.player_id
      WHERE m.competition='IPL' AND m.gender='male' GROUP BY b.player_id, m.season ORDER BY w DESC LIMIT 3"""),
 ("records within one season / edition / match", "most Test runs in a calendar year",
  """SELECT p.full_name, m.year, sum(b.runs) r FROM batting b JOIN matches m ON m.id=b.match_id JOIN players p ON p.id=b.player_id
      WHERE m.competition='Test' AND m.gender='male' GROUP BY b.player_id, m.year ORDER BY r DESC LIMIT 3"""),
 ("records within one season / edition / match", "most sixes by a batter in a single ODI match",
  """SELECT p.full_name, m.start_date, sum(b.sixes) s FROM batting b JOIN matches m ON m.id=b.match_id JOIN players p ON p.id=b.player_id
      WHERE m.competition='ODI' AND m.gender='male' GROUP BY b.player_id, m.id ORDER BY s DESC LIMIT 3"""),
 ("partnerships", "highest opening partnerships in ODIs",
  """SELECT m.start_date, pa.runs FROM partnerships pa JOIN matches m ON m.id=pa.match_id
      WHERE m.competition='ODI' AND m.gender='male' AND pa.wicket=1 ORDER BY pa.runs DESC, pa.balls LIMIT 3"""),
 ("partnerships", "Babar Azam and Mohammad Rizwan's T20I partnership runs",
  f"""SELECT sum(pa.runs), count(*) FROM partnerships pa JOIN matches m ON m.id=pa.match_id WHERE m.competition='T20I' AND m.gender='male'
      AND pa.first_id IN ({PID.format('Babar Azam')}, {PID.format('Mohammad Rizwan')})
      AND pa.second_id IN ({PID.format('Babar Azam')}, {PID.format('Mohammad Rizwan')})"""),
 ("partnerships", "which pairs have the most century stands in Tests",
  """SELECT pa.first_id, pa.second_id, sum(pa.runs>=100) c FROM partnerships pa JOIN matches m ON m.id=pa.match_id
      WHERE m.competition='Test' AND m.gender='male' GROUP BY pa.first_id, pa.second_id ORDER BY c DESC LIMIT 3"""),
 ("how many times / thresholds", "how many times has Steve Smith scored 150 or more in Tests",
  f"""SELECT count(*) FROM batting b JOIN matches m ON m.id=b.match_id WHERE b.player_id={PID.format('Steve Smith')} AND m.competition='Test' AND b.runs>=150"""),
 ("how many times / thresholds", "number of 3-wicket hauls for Yuzvendra Chahal in the IPL",
  f"""SELECT count(*) FROM bowling b JOIN matches m ON m.id=b.match_id WHERE b.player_id={PID.format('Yuzvendra Chahal')} AND m.competition='IPL' AND b.wickets>=3"""),
 ("how many times / thresholds", "how often has Babar Azam made 50+ in ODIs",
  f"""SELECT count(*) FROM batting b JOIN matches m ON m.id=b.match_id WHERE b.player_id={PID.format('Babar Azam')} AND m.competition='ODI' AND b.runs>=50"""),
 ("several stats at once", "Kane Williamson's Test runs, average and hundreds",
  f"""SELECT sum(b.runs), round(sum(b.runs)*1.0/sum(b.is_out),2), sum(b.runs>=100) FROM batting b JOIN matches m ON m.id=b.match_id
      WHERE b.player_id={PID.format('Kane Williamson')} AND m.competition='Test'"""),
 ("several stats at once", "Rashid Khan IPL wickets and economy",
  f"""SELECT sum(b.wickets), round(sum(b.runs)*6.0/sum(b.legal_balls),2) FROM bowling b JOIN matches m ON m.id=b.match_id
      WHERE b.player_id={PID.format('Rashid Khan')} AND m.competition='IPL'"""),
 ("several stats at once", "Shaheen Afridi's ODI wickets, average and economy",
  f"""SELECT sum(b.wickets), round(sum(b.runs)*1.0/sum(b.wickets),2), round(sum(b.runs)*6.0/sum(b.legal_balls),2) FROM bowling b JOIN matches m ON m.id=b.match_id
      WHERE b.player_id={PID.format('Shaheen Shah Afridi')} AND m.competition='ODI'"""),
 ("awards / appearances", "most player of the match awards in T20Is",
  """SELECT p.full_name, count(*) c FROM matches m JOIN players p ON p.id=m.player_of_match_id WHERE m.competition='T20I' AND m.gender='male'
      GROUP BY m.player_of_match_id ORDER BY c DESC LIMIT 3"""),
 ("awards / appearances", "how many man of the match awards has Jasprit Bumrah won in Tests",
  f"""SELECT count(*) FROM matches m WHERE m.competition='Test' AND m.player_of_match_id={PID.format('Jasprit Bumrah')}"""),
 ("awards / appearances", "most POTM awards in women's ODIs",
  """SELECT p.full_name, count(*) c FROM matches m JOIN players p ON p.id=m.player_of_match_id WHERE m.competition='ODI' AND m.gender='female'
      GROUP BY m.player_of_match_id ORDER BY c DESC LIMIT 3"""),
 ("head-to-head", "best ODI batting average against a single opponent, min 1000 runs",
  """SELECT p.full_name, t.name, round(sum(b.runs)*1.0/sum(b.is_out),2) a FROM batting b JOIN innings i ON i.id=b.innings_id JOIN matches m ON m.id=b.match_id
      JOIN players p ON p.id=b.player_id JOIN teams t ON t.id=i.bowling_team_id WHERE m.competition='ODI' AND m.gender='male'
      GROUP BY b.player_id, i.bowling_team_id HAVING sum(b.runs)>=1000 ORDER BY a DESC LIMIT 3"""),
 ("head-to-head", "most Test wickets against one team",
  """SELECT p.full_name, t.name, sum(b.wickets) w FROM bowling b JOIN innings i ON i.id=b.innings_id JOIN matches m ON m.id=b.match_id
      JOIN players p ON p.id=b.player_id JOIN teams t ON t.id=i.batting_team_id WHERE m.competition='Test' AND m.gender='male'
      GROUP BY b.player_id, i.batting_team_id ORDER BY w DESC LIMIT 3"""),
 ("head-to-head", "highest T20I strike rate against any one opposition, min 300 runs",
  """SELECT p.full_name, t.name, round(sum(b.runs)*100.0/sum(b.balls),2) s FROM batting b JOIN innings i ON i.id=b.innings_id JOIN matches m ON m.id=b.match_id
      JOIN players p ON p.id=b.player_id JOIN teams t ON t.id=i.bowling_team_id WHERE m.competition='T20I' AND m.gender='male'
      GROUP BY b.player_id, i.bowling_team_id HAVING sum(b.runs)>=300 ORDER BY s DESC LIMIT 3"""),
 ("grounds as the answer", "most ODI runs by a batter at a single ground",
  """SELECT p.full_name, v.ground, sum(b.runs) r FROM batting b JOIN matches m ON m.id=b.match_id JOIN venues v ON v.id=m.venue_id
      JOIN players p ON p.id=b.player_id WHERE m.competition='ODI' AND m.gender='male' GROUP BY b.player_id, v.id ORDER BY r DESC LIMIT 3"""),
 ("grounds as the answer", "Joe Root's Test runs by ground",
  f"""SELECT v.ground, sum(b.runs) r FROM batting b JOIN matches m ON m.id=b.match_id JOIN venues v ON v.id=m.venue_id
      WHERE b.player_id={PID.format('Joe Root')} AND m.competition='Test' GROUP BY v.ground ORDER BY r DESC LIMIT 3"""),
 ("grounds as the answer", "at which grounds has Nathan Lyon taken the most Test wickets",
  f"""SELECT v.ground, sum(b.wickets) w FROM bowling b JOIN matches m ON m.id=b.match_id JOIN venues v ON v.id=m.venue_id
      WHERE b.player_id={PID.format('Nathan Lyon')} AND m.competition='Test' GROUP BY v.ground ORDER BY w DESC LIMIT 3"""),
 ("recent form", "Marnus Labuschagne's last 6 Test innings",
  f"""SELECT m.start_date, b.runs FROM batting b JOIN matches m ON m.id=b.match_id WHERE b.player_id={PID.format('Marnus Labuschagne')}
      AND m.competition='Test' ORDER BY m.start_date DESC, b.innings_id DESC LIMIT 6"""),
 ("recent form", "Kuldeep Yadav economy in his last 8 ODIs",
  f"""SELECT round(sum(r)*6.0/sum(l),2) FROM (SELECT b.runs r, b.legal_balls l FROM bowling b JOIN matches m ON m.id=b.match_id
      WHERE b.player_id={PID.format('Kuldeep Yadav')} AND m.competition='ODI' ORDER BY m.start_date DESC, b.innings_id DESC LIMIT 8)"""),
 ("recent form", "England's last 5 Test results",
  f"""SELECT m.start_date, m.winner_id={TID.format('England')} FROM matches m WHERE m.competition='Test' AND m.gender='male'
      AND {TID.format('England')} IN (m.team1_id, m.team2_id) ORDER BY m.start_date DESC LIMIT 5"""),
 ("milestone speed and debuts", "quickest T20I fifty ever, in balls",
  """WITH f AS (SELECT d.innings_id, d.batter_id, d.id, sum(d.batter_runs) OVER w r, sum(d.wides=0) OVER w b, d.batter_runs x
       FROM deliveries d JOIN matches m ON m.id=d.match_id WHERE m.competition='T20I' AND m.gender='male'
       WINDOW w AS (PARTITION BY d.innings_id, d.batter_id ORDER BY d.id))
     SELECT p.full_name, f.b FROM f JOIN players p ON p.id=f.batter_id WHERE f.r>=50 AND f.r-f.x<50 ORDER BY f.b LIMIT 3"""),
 ("milestone speed and debuts", "which bowlers got to 150 ODI wickets in the fewest matches",
  f"""WITH c AS (SELECT b.player_id, m.start_date, sum(b.wickets) OVER (PARTITION BY b.player_id ORDER BY m.start_date, m.id) w, b.wickets x,
       dense_rank() OVER (PARTITION BY b.player_id ORDER BY m.start_date, m.id) n
       FROM bowling b JOIN matches m ON m.id=b.match_id WHERE m.competition='ODI' AND m.gender='male')
     SELECT p.full_name, c.n FROM c JOIN players p ON p.id=c.player_id WHERE c.w>=150 AND c.w-c.x<150
       AND (SELECT min(m.year) FROM match_players q JOIN matches m ON m.id=q.match_id WHERE q.player_id=c.player_id AND m.competition='ODI' AND m.gender='male') > {AFTER[('ODI','male')]}
     ORDER BY c.n, c.start_date LIMIT 3"""),
 ("milestone speed and debuts", "highest scores on T20I debut",
  f"""SELECT p.full_name, b.runs FROM batting b JOIN players p ON p.id=b.player_id
     WHERE (b.player_id, b.match_id) IN {DEBUTS.format(c='T20I', y=AFTER[('T20I','male')])} ORDER BY b.runs DESC LIMIT 3"""),
 ("streaks and hat-tricks", "longest sequence of ODI innings with a half-century",
  """WITH i AS (SELECT b.player_id, b.runs>=50 ok, row_number() OVER (PARTITION BY b.player_id ORDER BY m.start_date, m.id, b.innings_id)
        - row_number() OVER (PARTITION BY b.player_id, b.runs>=50 ORDER BY m.start_date, m.id, b.innings_id) g
        FROM batting b JOIN matches m ON m.id=b.match_id WHERE m.competition='ODI' AND m.gender='male')
     SELECT p.full_name, max(n) FROM (SELECT player_id, count(*) n FROM i WHERE ok GROUP BY player_id, g) s JOIN players p ON p.id=s.player_id
     GROUP BY s.player_id ORDER BY max(n) DESC LIMIT 3"""),
 ("streaks and hat-tricks", "how many hat-tricks have been taken in IPL history",
  f"""WITH s AS (SELECT d.match_id, d.bowler_id, d.wicket_kind IN {BOWLER_KINDS} AND d.wicket_kind IS NOT NULL w, d.id
        FROM deliveries d JOIN matches m ON m.id=d.match_id WHERE m.competition='IPL' AND (d.is_legal OR d.wicket_kind IN {BOWLER_KINDS})),
     l AS (SELECT w, lag(w,1) OVER o w1, lag(w,2) OVER o w2, lag(w,3) OVER o w3 FROM s WINDOW o AS (PARTITION BY match_id, bowler_id ORDER BY id))
     SELECT count(*) FROM l WHERE w AND w1 AND w2 AND NOT coalesce(w3, 0)"""),
 ("streaks and hat-tricks", "most consecutive Test innings with at least 2 wickets",
  """WITH i AS (SELECT b.player_id, b.wickets>=2 ok, row_number() OVER (PARTITION BY b.player_id ORDER BY m.start_date, m.id, b.innings_id)
        - row_number() OVER (PARTITION BY b.player_id, b.wickets>=2 ORDER BY m.start_date, m.id, b.innings_id) g
        FROM bowling b JOIN matches m ON m.id=b.match_id WHERE m.competition='Test' AND m.gender='male')
     SELECT p.full_name, max(n) FROM (SELECT player_id, count(*) n FROM i WHERE ok GROUP BY player_id, g) s JOIN players p ON p.id=s.player_id
     GROUP BY s.player_id ORDER BY max(n) DESC LIMIT 3"""),
 ("comparisons", "Warner or Head - who has the higher ODI strike rate?",
  """SELECT p.full_name, round(sum(b.runs)*100.0/sum(b.balls),2) sr FROM batting b JOIN matches m ON m.id=b.match_id JOIN players p ON p.id=b.player_id
     WHERE p.full_name IN ('David Warner','Travis Head') AND m.competition='ODI' GROUP BY p.id ORDER BY sr DESC"""),
 ("comparisons", "compare Bumrah and Shaheen Afridi in T20Is: wickets and economy",
  """SELECT p.full_name, sum(b.wickets) w, round(sum(b.runs)*6.0/sum(b.legal_balls),2) FROM bowling b JOIN matches m ON m.id=b.match_id JOIN players p ON p.id=b.player_id
     WHERE p.full_name IN ('Jasprit Bumrah','Shaheen Shah Afridi') AND m.competition='T20I' GROUP BY p.id ORDER BY w DESC"""),
 ("comparisons", "Pakistan or Sri Lanka, more T20I wins?",
  """SELECT t.name, sum(m.winner_id=t.id) w FROM matches m JOIN teams t ON t.id IN (m.team1_id, m.team2_id)
     WHERE t.name IN ('Pakistan','Sri Lanka') AND m.competition='T20I' AND m.gender='male' GROUP BY t.id ORDER BY w DESC"""),
 ("innings lists and records with conditions", "Jofra Archer's wicketless ODI outings",
  f"""SELECT m.start_date, b.runs FROM bowling b JOIN matches m ON m.id=b.match_id WHERE b.player_id={PID.format('Jofra Archer')}
     AND m.competition='ODI' AND b.wickets=0 ORDER BY m.start_date LIMIT 5"""),
 ("innings lists and records with conditions", "Rohit Sharma's scores in World Cup knockouts",
  f"""SELECT m.start_date, b.runs FROM batting b JOIN matches m ON m.id=b.match_id WHERE b.player_id={PID.format('Rohit Sharma')}
     AND m.event IN ('ICC Cricket World Cup','World Cup') AND m.stage IS NOT NULL AND m.stage != '' ORDER BY m.start_date"""),
 ("innings lists and records with conditions", "Mitchell Starc's bowling on Test debut",
  f"""SELECT m.start_date, b.wickets || '/' || b.runs FROM bowling b JOIN matches m ON m.id=b.match_id
     WHERE (b.player_id, b.match_id) IN {DEBUTS.format(c='Test', y=AFTER[('Test','male')])} AND b.player_id={PID.format('Mitchell Starc')}""")
    ]


def main() -> None:
    engine = open_engine()
    after = {(c, g): year for c, g, year in complete_careers_after(engine)}
    pipeline = Pipeline.open(open_backend("local"), engine)
    database = sqlite3.connect(sqlite_path(default_url()))
    for kind, question, sql in checks(after):
        answer = pipeline.ask(question)
        said = f"{answer.error.kind}: {answer.error.message[:100]}" if answer.error else f"{answer.dsl}\n      -> {answer.rows[:3]}"
        try:
            hand = database.execute(sql).fetchall()[:3]
        except sqlite3.Error as error:
            hand = f"SQL error {error}"
        print(f"[{kind}] {question}\n  askcric: {said}\n  hand SQL: {hand}\n")


if __name__ == "__main__":
    main()
