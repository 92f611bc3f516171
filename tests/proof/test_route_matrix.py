"""Every endpoint, as every role: the answers ``matrix.MATRIX`` declares, and no other.

One test builds the demo (both promotions) in its rolled-back transaction, adds the few people
and objects the roles need, logs everyone in (``stage``), then sends each request inside a
SAVEPOINT of its own that is rolled back after the answer: an allowed POST (a deletion, a
deactivation, a logout) changes nothing the next request sees, and a refused one is checked to
have written nothing at all (no INSERT, UPDATE or DELETE was sent, and the database's own count
of the rows its transaction wrote did not move). Building the demo once and keeping every
request in that one test is what keeps the matrix within CI's time (a demo per endpoint would
cost ten seconds each); the mismatches are gathered and reported together.

Three checks:

- **home**: each check's URL, built from the scene's own objects (the territory, the cohort,
  the person the page is about), as each role;
- **mixed**: for a URL naming two objects, one of them from the other promotion (a
  membership of another cohort under this cohort's URL, another event's signed sheet...):
  refused for everyone, whatever their rights on either;
- the table itself matches ``app.url_map`` (a separate test, without the demo).
"""

import re
import time
from dataclasses import dataclass

from werkzeug.routing import AnyConverter
from werkzeug.routing import Rule as UrlRule

from tests.proof.matrix import CURRENT, MATRIX, PAST, Check, Who, checks
from tests.proof.stage import RESOLVERS, Answer, Stage, build_stage

LOGIN_PATH = "/login"

# Building the URLs ----------------------------------------------------------------------------


def _choice(rule: UrlRule, name: str) -> str:
    converter = rule._converters[name]
    assert isinstance(converter, AnyConverter), f"<{name}> of {rule.rule} is not a choice"
    return sorted(converter.items)[0]


def _rules(app, endpoint: str) -> list[UrlRule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def _parameters(rule: UrlRule) -> list[str]:
    """The rule's parameters in the order the path names them (the parent first)."""
    return re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule.rule)


def _value(stage: Stage, scene: str, rule: UrlRule, name: str, variant: str):
    if isinstance(rule._converters[name], AnyConverter):
        return _choice(rule, name)
    values = stage.values[scene][name]
    return values.get(variant, values.get("default"))


def _url(stage: Stage, rule: UrlRule, check: Check, scenes: dict[str, str] | None = None) -> str:
    """Build ``rule``'s URL from the check's scene (or, per parameter, from ``scenes``)."""
    values = {}
    for name in _parameters(rule):
        scene = (scenes or {}).get(name, check.scene)
        value = _value(stage, scene, rule, name, check.variants.get(name, "default"))
        assert value is not None, f"{rule.endpoint}: no <{name}> in the {scene} scene"
        values[name] = value
    adapter = stage.app.url_map.bind("localhost")
    return adapter.build(
        rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    )


def _methods(rule: UrlRule) -> list[str]:
    return [method for method in ("GET", "HEAD", "POST") if method in rule.methods]


# Judging the answers --------------------------------------------------------------------------


def _to_login(answer: Answer) -> bool:
    """The pipeline's answer to an anonymous visitor: the login page, to come back after."""
    path, _, query = answer.location.partition("?")
    return answer.status == 302 and path.endswith(LOGIN_PATH) and "next=" in query


def _allowed(method: str, answer: Answer) -> bool:
    # What an allowed GET may write (the record of a download) the pipeline checks itself.
    if _to_login(answer):
        return False
    if answer.status < 400:
        return True
    return method == "POST" and answer.status in (400, 409, 422)


def _expected(check: Check, who: Who) -> str:
    if who in check.state:
        return str(check.state[who])
    if who in check.rule.allowed:
        return "allowed"
    if who is Who.ANONYMOUS:
        return "login"
    return str(check.refusal(who))


def _judge(expected: str, method: str, answer: Answer) -> bool:
    if expected == "allowed":
        return _allowed(method, answer)
    if answer.wrote:
        return False
    if expected == "login":
        return _to_login(answer)
    return str(answer.status) in expected.split("|")


def _as(rule: UrlRule, method: str) -> str:
    """How an answer to ``method`` is judged: a HEAD as the GET it stands for."""
    return "GET" if method == "HEAD" else method


def _got(answer: Answer) -> str:
    text = str(answer.status)
    if answer.error:
        text += f" raised {answer.error[:200]}"
    if answer.location:
        text += f" → {answer.location}"
    if answer.wrote:
        text += f" after writing ({'; '.join(answer.wrote[:3])})"
    return text


@dataclass(frozen=True)
class Mismatch:
    endpoint: str
    who: Who
    method: str
    url: str
    expected: str
    got: Answer

    @property
    def opened(self) -> bool:
        """An answer below 400 (not to the login page) where a refusal was due: a hole."""
        return self.expected != "allowed" and self.got.status < 400 and not _to_login(self.got)

    def __str__(self) -> str:
        return (
            f"{self.endpoint:38} {self.who:18} {self.method:4} {self.url}  "
            f"expected {self.expected}, got {_got(self.got)}"
        )


def _report(mismatches: list[Mismatch], asked: int) -> str:
    holes = [m for m in mismatches if m.opened]
    lines = [
        f"{len(mismatches)} of {asked} answers differ from tests/proof/matrix.py, "
        f"{len(holes)} of them let a refused role through:"
    ]
    lines += [f"  OPEN  {m}" for m in holes]
    lines += [f"        {m}" for m in mismatches if not m.opened]
    return "\n".join(lines)


# The tests ------------------------------------------------------------------------------------


def test_the_table_names_every_endpoint_and_only_those(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    problems = [
        f"missing from tests/proof/matrix.py: {name}" for name in sorted(endpoints - set(MATRIX))
    ]
    problems += [
        f"in tests/proof/matrix.py, gone from the app: {name}"
        for name in sorted(set(MATRIX) - endpoints)
    ]
    assert not problems, "\n".join(problems)


def test_every_url_parameter_has_a_resolver(app):
    parameters = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert parameters - set(RESOLVERS) == set(), "add a resolver to RESOLVERS"


def test_every_role_gets_what_the_table_says_and_nothing_more(app):
    started = time.perf_counter()
    stage = build_stage(app)
    built = time.perf_counter()
    mismatches: list[Mismatch] = []
    declared = mixed = 0
    for endpoint in sorted(MATRIX):
        for rule in _rules(app, endpoint):
            for check in checks(endpoint):
                declared += 1
                url = _url(stage, rule, check)
                for method in _methods(rule):
                    for who in Who:
                        expected = _expected(check, who)
                        answer = stage.ask(
                            stage.people[check.scene].get(who),
                            method,
                            url,
                            refused=expected != "allowed",
                        )
                        if not _judge(expected, _as(rule, method), answer):
                            mismatches.append(
                                Mismatch(endpoint, who, method, url, expected, answer)
                            )
            asked = stage.requests
            mismatches += _mixed(stage, endpoint, rule)
            mixed += stage.requests - asked
    print(
        f"\nroute matrix: {len(MATRIX)} endpoints, {declared} checks × {len(Who)} roles, "
        f"{stage.requests} requests ({mixed} mixed); demo {built - started:.1f} s, "
        f"requests {time.perf_counter() - built:.1f} s"
    )
    assert not mismatches, _report(mismatches, stage.requests)


def _mixed(stage: Stage, endpoint: str, rule: UrlRule) -> list[Mismatch]:
    """A URL naming two objects of different promotions: refused to everyone."""
    ids = [name for name in _parameters(rule) if name.endswith("_id")]
    if len(ids) < 2:
        return []
    found = []
    for check in checks(endpoint):
        other = PAST if check.scene == CURRENT else CURRENT
        for moved in ids:
            if _value(stage, other, rule, moved, check.variants.get(moved, "default")) is None:
                continue
            url = _url(stage, rule, check, {moved: other})
            # A pair the pipeline loads is refused by its loader (404) before any access check;
            # a person the view looks up itself, by the check (403) or by the view (404).
            loaded = stage.app.view_functions[endpoint].access.reads
            refusal = "404" if set(ids) <= set(loaded) else "403|404"
            for method in _methods(rule):
                for who in Who:
                    expected = "login" if who is Who.ANONYMOUS else refusal
                    answer = stage.ask(
                        stage.people[check.scene].get(who),
                        method,
                        url,
                        refused=True,
                    )
                    if not _judge(expected, _as(rule, method), answer):
                        found.append(
                            Mismatch(endpoint, who, method, url, f"{expected} (mixed)", answer)
                        )
    return found
