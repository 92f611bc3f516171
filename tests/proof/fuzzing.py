"""Property-based fuzzing of the POST entry points: what to post, and what must hold after.

- :func:`post_endpoints` lists every endpoint of the URL map that takes a POST.
- :func:`form_classes` finds the WTForms classes a view builds, by reading the names its code
  (and the code of the functions of its module it calls) refers to; :func:`fields_of` turns
  a form class into the names a browser would post (``items-0-title`` for a list of rows),
  each with the kind of value it expects.
- :func:`submissions` is the Hypothesis strategy of one request body: a form (URL-encoded or
  multipart, files included) built from the fields and a valid submission read from the page,
  a few of them replaced by hostile values, or a body of the wrong kind (JSON, broken JSON,
  bytes that are no UTF-8, a multipart without boundary).
- :class:`Fuzzer` posts a submission with a logged-in client and checks the properties: no
  5xx, and a refused submission leaves every table with the rows it had. Each example runs
  inside a SAVEPOINT of the rolled-back test's connection, rolled back after it, and the
  client's cookies are put back: examples do not see each other's effects (a logout, a
  password changed, a cohort created).
"""

import csv
import inspect
import io
import json
import re
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import quote, urlsplit

from flask_wtf import FlaskForm
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    FieldList,
    FileField,
    FloatField,
    FormField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TimeField,
)
from wtforms.fields.core import UnboundField

from parcours.core.extensions import db
from tests.forms import form_values
from tests.storage import samples

# What to post ------------------------------------------------------------------------------

#: Values that broke, or could break, a parser, a column or a template somewhere.
HOSTILE = (
    "",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ufffd",
    "🎉",
    "👩🏽‍💻",
    "Zalgo̶̡͎",
    "é" * 3000,
    "x" * 70_000,
    "=cmd|' /C calc'!A0",
    "+33 1 23 45 67 89",
    "-2+3",
    "@SUM(A1:A9)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "%(name)s %d {0}",
    "null",
    "true",
    "[]",
    "{}",
    "None",
    "user@",
    "@example.org",
    "a@b",
    "a" * 300 + "@example.org",
    "Europe/Nowhere",
    "javascript:alert(1)",
    "http://[::1",
    "https://exa mple.org",
)
NUMBERS = (
    "0",
    "-1",
    "-0",
    "1.5",
    "1,5",
    "1e309",
    "-1e309",
    "1e6",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1_000",
    "0x10",
    "٣",
    "１２",
    str(2**31),
    str(2**31 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 400,
)
DATES = (
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0001-01-01",
    "1900-01-01",
    "9999-12-31",
    "99999-01-01",
    "31/12/1899",
    "29/02/2027",
    "00/00/0000",
    "2026-1-1",
    "1/1/1",
    "2026-03-02T10:00",
    "demain",
)
TIMES = ("24:00", "23:60", "-1:00", "9h", "25h99", "09:30:99", "0930", "T", "12:00 PM")
BOOLEANS = ("y", "on", "1", "true", "True", "false", "0", "n", "off", "")
FILENAMES = (
    "",
    "territoires.csv",
    "scan.pdf",
    "photo.png",
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "é à ç.csv",
    "a" * 300 + ".csv",
    "CON.csv",
    "fichier.csv.exe",
    ".csv",
    "a;b,c.csv",
    '"guillemets".csv',
    "\u202egpj.exe",
    "🎉.png",
)

# Short generated texts: the long ones are in HOSTILE, and drawing hundreds of characters one
# by one costs more than the request that sends them.
_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec="utf-8"), max_size=30),
)


def _dates() -> st.SearchStrategy[str]:
    real = st.dates(date(1, 1, 1), date(9999, 12, 31))
    return st.one_of(
        real.map(date.isoformat),
        real.map(lambda day: f"{day.day:02d}/{day.month:02d}/{day.year:04d}"),
        st.sampled_from(DATES),
    )


def _times() -> st.SearchStrategy[str]:
    return st.one_of(st.times().map(lambda at: at.strftime("%H:%M")), st.sampled_from(TIMES))


def _integers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-(10**30), 10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(NUMBERS),
    )


@dataclass(frozen=True)
class FieldSpec:
    """A name a form posts, and the kind of value it takes."""

    name: str
    kind: str  # text, integer, number, date, time, choice, multi, bool, file
    choices: tuple[str, ...] = ()


_KINDS = (
    (MultipleFileField, "file"),
    (FileField, "file"),
    (BooleanField, "bool"),
    (SubmitField, "bool"),
    (IntegerField, "integer"),
    (DecimalField, "number"),
    (FloatField, "number"),
    (DateTimeField, "date"),
    (DateField, "date"),
    (TimeField, "time"),
    (SelectMultipleField, "multi"),
    (RadioField, "choice"),
    (SelectField, "choice"),
)


def _unbound(form_class: type) -> list[tuple[str, UnboundField]]:
    found = [
        (name, value)
        for name in dir(form_class)
        if not name.startswith("_") and isinstance(value := getattr(form_class, name), UnboundField)
    ]
    return sorted(found, key=lambda pair: pair[1].creation_counter)


def _static_choices(unbound: UnboundField) -> tuple[str, ...]:
    options = unbound.kwargs.get("choices")
    if not isinstance(options, list | tuple):
        return ()  # filled in by the view (the cohort's territories): read from the page
    values = []
    for option in options:
        value = getattr(option, "value", None)
        if value is None and isinstance(option, tuple | list):
            value = option[0]
        values.append(str(value if value is not None else option))
    return tuple(values)


#: Rows of a FieldList a fuzzed form posts: the blank rows a page offers, and one beyond.
LIST_ROWS = 3


def fields_of(form_class: type, prefix: str = "") -> list[FieldSpec]:
    """Return the fields ``form_class`` reads from a post, rows of lists numbered."""
    specs: list[FieldSpec] = []
    for name, unbound in _unbound(form_class):
        specs.extend(_field_specs(unbound, prefix + name))
    return specs


def _field_specs(unbound: UnboundField, name: str) -> list[FieldSpec]:
    kind = unbound.field_class
    if issubclass(kind, FormField):
        return fields_of(unbound.args[0], prefix=f"{name}-")
    if issubclass(kind, FieldList):
        inner = unbound.args[0]
        return [spec for row in range(LIST_ROWS) for spec in _field_specs(inner, f"{name}-{row}")]
    for field_class, label in _KINDS:
        if issubclass(kind, field_class):
            return [FieldSpec(name, label, _static_choices(unbound))]
    return [FieldSpec(name, "text")]


def _code_objects(code: types.CodeType) -> Iterable[types.CodeType]:
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


def form_classes(view: Callable, depth: int = 2) -> set[type]:
    """Return the form classes ``view`` (or a function of its module it calls) refers to."""
    found: set[type] = set()
    seen: set[Callable] = set()

    def visit(function: Callable, level: int) -> None:
        function = inspect.unwrap(function)
        if function in seen or not hasattr(function, "__code__"):
            return
        seen.add(function)
        names = function.__globals__
        for code in _code_objects(function.__code__):
            for name in code.co_names:
                obj = names.get(name)
                if isinstance(obj, type) and issubclass(obj, FlaskForm):
                    found.add(obj)
                elif (
                    level < depth
                    and inspect.isfunction(obj)
                    and obj.__module__ == function.__module__
                ):
                    visit(obj, level + 1)

    visit(view, 0)
    return found


def post_endpoints(app) -> dict[str, str]:
    """Return every endpoint that takes a POST, with its rule."""
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}


@dataclass(frozen=True)
class Submission:
    """One request body: its content type and bytes, a query string, the CSRF header."""

    content_type: str | None
    body: bytes
    query: str = ""
    #: What a script sends in ``X-CSRFToken`` (Flask-WTF reads it when the form has none).
    csrf_header: str | None = None

    def __repr__(self) -> str:  # what Hypothesis prints of a failing example
        body = self.body if len(self.body) < 600 else self.body[:600] + b"..."
        return (
            f"Submission({self.content_type!r}, {body!r}, query={self.query!r}, "
            f"csrf_header={self.csrf_header is not None})"
        )

    def headers(self) -> dict[str, str]:
        headers = {} if self.content_type is None else {"Content-Type": self.content_type}
        if self.csrf_header is not None:
            headers["X-CSRFToken"] = self.csrf_header
        return headers


def _urlencoded(pairs: Sequence[tuple[str, str]], encoding: str) -> bytes:
    return "&".join(
        f"{quote(name, safe='', encoding=encoding, errors='replace')}="
        f"{quote(value, safe='', encoding=encoding, errors='replace')}"
        for name, value in pairs
    ).encode("ascii")


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes


def _multipart(pairs: Sequence[tuple[str, str | Upload]], boundary: str) -> bytes:
    out = io.BytesIO()
    for name, value in pairs:
        out.write(f"--{boundary}\r\n".encode())
        # Quoted as a browser does: a quote or a line break in a name stays as it is typed.
        disposition = f'Content-Disposition: form-data; name="{name}"'
        if isinstance(value, Upload):
            disposition += f'; filename="{value.filename}"'
            out.write(disposition.encode("utf-8", "surrogatepass") + b"\r\n")
            out.write(f"Content-Type: {value.content_type}\r\n\r\n".encode("utf-8", "replace"))
            out.write(value.content)
        else:
            out.write(disposition.encode("utf-8", "surrogatepass") + b"\r\n\r\n")
            out.write(value.encode("utf-8", "surrogatepass"))
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


_cells = st.one_of(
    st.sampled_from((*HOSTILE[:21], '=HYPERLINK("http://x")', "+1", "-1", "@A1", '"', '""x')),
    st.text(max_size=20),
    st.sampled_from(("rural", "urbain", "associatif", "accepted", "a@example.org", "Cher")),
)


@st.composite
def csv_files(draw, header: Sequence[str] = ()) -> bytes:
    """A CSV file as people send them: any delimiter, encoding, BOM, quoting, size of cell."""
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    if header and draw(st.booleans()):
        head = list(header)
        if draw(st.booleans()):  # the right columns in another case, order or with one more
            head = draw(st.permutations(head))
            head = [name.upper() if draw(st.booleans()) else name for name in head]
    else:
        head = draw(st.lists(_cells, max_size=6))
    width = max(len(head), 1)
    rows = draw(st.lists(st.lists(_cells, max_size=width + 2), max_size=5))
    if draw(st.integers(0, 9)) == 0:
        rows.append(["x" * draw(st.sampled_from([1000, 200_000]))] * width)
    if draw(st.booleans()):
        buffer = io.StringIO()
        writer = csv.writer(
            buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))
        )
        writer.writerow(head)
        writer.writerows(rows)
        content = buffer.getvalue()
    else:  # no quoting at all: delimiters and quotes inside cells break the columns
        content = "\n".join(delimiter.join(row) for row in [head, *rows])
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-32"])
    )
    raw = content.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        raw = draw(st.binary(max_size=300))
    return raw


@lru_cache(maxsize=1)
def _samples() -> tuple[bytes, ...]:
    # Made once: drawing a PNG with noise at every example costs more than the request.
    return (
        b"",
        samples.pdf(),
        samples.png(),
        samples.truncated_png(),
        samples.exe(),
        samples.html(),
        samples.plain_zip(),
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"\xff\xd8\xff\xe0",
    )


@lru_cache(maxsize=64)
def _files(header: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    return st.one_of(csv_files(header), st.sampled_from(_samples()), st.binary(max_size=200))


_MUTATIONS = ("drop", "empty", "hostile", "typed", "typed", "repeat", "list")


@lru_cache(maxsize=4096)
def _typed(spec: FieldSpec, known: tuple[str, ...]) -> st.SearchStrategy[str]:
    choices = tuple(dict.fromkeys((*spec.choices, *known)))
    by_kind = {
        "integer": _integers(),
        "number": _integers(),
        "date": _dates(),
        "time": _times(),
        "bool": st.sampled_from(BOOLEANS),
    }
    if spec.kind in by_kind:
        return st.one_of(by_kind[spec.kind], _text)
    if spec.kind in ("choice", "multi") and choices:
        return st.one_of(st.sampled_from(choices), _integers(), _text)
    if known and all(value.isdigit() for value in known):  # an id or a version, hidden
        return st.one_of(_integers(), _text)
    return _text


@st.composite
def _field_name(draw, names: Sequence[str]) -> str:
    if names and draw(st.booleans()):
        base = draw(st.sampled_from(names))
        return draw(
            st.sampled_from(
                [base + "-9", base + "[]", base.upper(), base + "\r", f"{base}-99999999999-x"]
            )
        )
    return draw(st.one_of(st.sampled_from(HOSTILE[:24]), st.text(max_size=12)))


@dataclass
class Form:
    """What a fuzzed endpoint reads: its fields, a valid post read from its page, a CSV header."""

    fields: list[FieldSpec]
    baseline: MultiDict = field(default_factory=MultiDict)
    csv_header: Sequence[str] = ()
    csrf_token: str | None = None

    def names(self) -> list[str]:
        return list(dict.fromkeys([spec.name for spec in self.fields] + list(self.baseline)))

    def spec(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return FieldSpec(name, "text")

    def has_files(self) -> bool:
        return any(spec.kind == "file" for spec in self.fields)


@st.composite
def _pairs(draw, form: Form) -> list[tuple[str, str | Upload]]:
    """The fields of a post: the page's valid values, a few replaced, dropped or repeated."""
    names = form.names()
    values = {name: form.baseline.getlist(name) for name in names}
    mode = draw(st.sampled_from(["mutate", "mutate", "mutate", "everything", "nothing"]))
    if mode == "nothing":
        values = {}
    chosen = (
        names
        if mode == "everything"
        else draw(
            st.lists(st.sampled_from(names), max_size=4, unique=True) if names else st.just([])
        )
    )
    for name in chosen:
        spec = form.spec(name)
        if spec.kind == "file":
            continue  # files are drawn below, in a multipart body
        mutation = "typed" if mode == "everything" else draw(st.sampled_from(_MUTATIONS))
        known = tuple(form.baseline.getlist(name))
        if mutation == "drop":
            values.pop(name, None)
        elif mutation == "empty":
            values[name] = [""]
        elif mutation == "hostile":
            values[name] = [draw(_text)]
        elif mutation == "typed":
            values[name] = [draw(_typed(spec, known))]
        elif mutation == "repeat":
            values[name] = [*(known or [""]), draw(_typed(spec, known))]
        else:  # a list where one value is expected, in the shapes frameworks accept
            values[name] = draw(st.lists(_typed(spec, known), min_size=2, max_size=4))
    pairs: list[tuple[str, str | Upload]] = [
        (name, value) for name, listed in values.items() for value in listed
    ]
    pairs += draw(st.lists(st.tuples(_field_name(names), _text), max_size=2))
    if form.has_files():
        for spec in form.fields:
            if spec.kind != "file":
                continue
            count = draw(st.integers(0, 3))
            for _ in range(count):
                pairs.append(
                    (
                        spec.name,
                        Upload(
                            draw(st.one_of(st.sampled_from(FILENAMES), st.text(max_size=30))),
                            draw(
                                st.sampled_from(
                                    [
                                        "text/csv",
                                        "application/pdf",
                                        "image/png",
                                        "application/octet-stream",
                                        "",
                                    ]
                                )
                            ),
                            draw(_files(tuple(form.csv_header))),
                        ),
                    )
                )
    token = form.csrf_token
    if token is not None:
        how = draw(st.sampled_from(["valid"] * 12 + ["missing", "wrong", "twice", "hostile"]))
        if how == "valid":
            pairs.insert(0, ("csrf_token", token))
        elif how == "wrong":
            pairs.insert(0, ("csrf_token", token[::-1]))
        elif how == "twice":
            pairs[0:0] = [("csrf_token", token), ("csrf_token", draw(_text))]
        elif how == "hostile":
            pairs.insert(0, ("csrf_token", draw(_text)))
    # Fields in another order than the page's: rotated, not shuffled (a shuffle of fifty
    # fields costs fifty draws, and the order matters only to repeated names and rows).
    turn = draw(st.integers(0, max(len(pairs) - 1, 0)))
    return pairs[turn:] + pairs[:turn]


_MALFORMED_JSON = (b"{", b"[1,", b'{"a": }', b"\xff\xfe{}", b"NaN", b'"\x00"', b"{" * 5000)


def _json_of(pairs: list[tuple[str, str | Upload]]) -> st.SearchStrategy[bytes]:
    plain = {name: value for name, value in pairs if isinstance(value, str)}
    return st.one_of(
        st.just(json.dumps(plain).encode()),
        st.just(json.dumps([plain, plain]).encode()),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=10), inner, max_size=3)
            ),
            max_leaves=10,
        ).map(lambda value: json.dumps(value).encode()),
        st.sampled_from(_MALFORMED_JSON),
    )


@st.composite
def submissions(draw, form: Form) -> Submission:
    """A request body for ``form``'s endpoint: a form as a browser or a script would send it."""
    pairs = draw(_pairs(form))
    default = "multipart" if form.has_files() else "urlencoded"
    shape = draw(
        st.sampled_from(
            [default] * 10
            + ["urlencoded", "multipart", "json", "text", "none", "bad-multipart", "bytes"]
        )
    )
    query = draw(st.sampled_from(["", "", "", "next=//evil.example", "a=%00", "x=" + "y" * 3000]))
    # A script posting JSON (or anything else) carries its token in a header: without it the
    # CSRF check would refuse every such body before a form reads it.
    header = form.csrf_token if draw(st.integers(0, 3)) == 0 or shape == "json" else None
    if shape == "multipart" or (shape == default == "multipart"):
        boundary = draw(st.sampled_from(["fuzzboundary", "----WebKitFormBoundary7MA4YWxkTrZu0gW"]))
        return Submission(
            f"multipart/form-data; boundary={boundary}", _multipart(pairs, boundary), query, header
        )
    plain = [(name, value) for name, value in pairs if isinstance(value, str)]
    if shape == "urlencoded":
        encoding = draw(st.sampled_from(["utf-8"] * 5 + ["cp1252", "utf-16"]))
        return Submission(
            "application/x-www-form-urlencoded", _urlencoded(plain, encoding), query, header
        )
    if shape == "json":
        return Submission("application/json", draw(_json_of(pairs)), query, header)
    if shape == "text":
        return Submission("text/plain", _urlencoded(plain, "utf-8"), query, header)
    if shape == "none":
        return Submission(None, _urlencoded(plain, "utf-8"), query, header)
    if shape == "bad-multipart":
        kind = draw(
            st.sampled_from(
                [
                    "multipart/form-data",
                    "multipart/form-data; boundary=",
                    'multipart/form-data; boundary="unterminated',
                    "multipart/form-data; boundary=other",
                ]
            )
        )
        body = _multipart(pairs, "fuzzboundary")[: draw(st.integers(0, 400))]
        return Submission(kind, body, query, header)
    return Submission(
        draw(st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data"])),
        draw(st.binary(max_size=400)),
        query,
        header,
    )


# What must hold ----------------------------------------------------------------------------


def row_counts(connection) -> dict[str, int]:
    """Return the number of rows of every table, in one query."""
    quote = connection.dialect.identifier_preparer.quote
    query = " UNION ALL ".join(
        # The application's own table names, quoted: nothing typed by anyone.
        f"SELECT '{table.name}' AS name, COUNT(*) AS n FROM {quote(table.name)}"  # noqa: S608
        for table in db.metadata.sorted_tables
    )
    return dict(connection.execute(text(query)).all())


_ERROR_MARKS = ('class="error-summary"', 'class="field-error"', 'class="flash flash-error"')


def refused(response, flashed: Sequence[tuple[str, str]]) -> bool:
    """Tell whether the application turned the submission down.

    A 4xx, a page shown again with errors, or a redirect that flashes an error.
    """
    if response.status_code >= 400:
        return True
    if any(category == "error" for category, _message in flashed):
        return True
    if response.status_code == 200 and response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        return any(mark in page for mark in _ERROR_MARKS)
    return False


def csrf_token(client, url: str = "/account") -> str:
    """Return the CSRF token of ``client``'s session, read from a page with a form."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def baseline(client, page: str | None, action: str) -> MultiDict:
    """Return what the form posting to ``action`` on ``page`` would send as it is shown."""
    if page is None:
        return MultiDict()
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    try:
        values = form_values(response, action=urlsplit(action).path)
    except AssertionError:
        return MultiDict()
    values.poplist("csrf_token")
    return values


class Fuzzer:
    """Post submissions to one URL with one client; check each, isolated from the others."""

    def __init__(self, app, client, url: str, connection, *, refusal_writes=frozenset()):
        self.app = app
        self.client = client
        self.url = url
        self.connection = connection
        self.refusal_writes = frozenset(refusal_writes)
        self.before = row_counts(connection)
        self.statuses: dict[int, int] = {}
        self.examples = 0

    def __call__(self, submission: Submission) -> None:
        cookies = dict(self.client._cookies)
        savepoint = self.connection.begin_nested()
        try:
            url = f"{self.url}?{submission.query}" if submission.query else self.url
            response = self.client.post(url, data=submission.body, headers=submission.headers())
            status = response.status_code
            self.examples += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            assert status < 500, (status, self.url, _summary(response))
            flashed = []
            if 300 <= status < 400:  # a page shows its flashes; a redirect keeps them
                with self.client.session_transaction() as session:
                    flashed = list(session.get("_flashes", []))
            if refused(response, flashed):
                after = row_counts(self.connection)
                changed = {
                    name: (self.before[name], after[name])
                    for name in after
                    if after[name] != self.before[name] and name not in self.refusal_writes
                }
                assert not changed, (
                    f"refused with {status} but rows changed: {changed}",
                    _summary(response),
                )
        finally:
            savepoint.rollback()
            self.client._cookies.clear()
            self.client._cookies.update(cookies)
            self.app.extensions.pop("parcours_mail_sent", None)


def _summary(response) -> str:
    page = response.get_data(as_text=True)
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())[:400]
