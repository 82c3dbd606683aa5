"""Declarative YAML check files: ``load`` / ``loads`` read Checks, ``dump`` / ``dumps`` write them.

A check file::

    version: 1
    checks:
      - description: reviews
        level: error                      # error | warning (any case)
        constraints:
          - has_size: ">= 3000000"        # shorthand: the method's first required argument
          - is_complete: review_id
          - has_min: {column: star_rating, assertion: "== 1"}
          - has_completeness: {column: year, assertion: ">= 0.99", where: "marketplace = 'US'"}

Each constraint is a one-key mapping ``method: arguments``. The method is any constraint method of
``Check`` and the arguments are its keyword arguments (``is_primary_key`` takes ``columns: [..]``),
plus ``where`` (applied with ``Check.where``). Loading calls the real ``Check`` method, so a file
and the equivalent Python give equal Checks; ``dumps`` writes the arguments that differ from their
defaults, and ``loads(dumps(checks)) == checks``.

Values:

* assertions are their readable text (``">= 0.9"``, ``"between 1 and 5"``, ``"ratio[US] >= 0.5"``);
  a Python callable has no text, so ``dump`` refuses a check that uses one;
* scalars follow YAML 1.2 (core schema), not PyYAML's YAML 1.1: only ``true`` / ``false`` are
  booleans (``Y``, ``N``, ``yes``, ``no``, ``on``, ``off`` are text), ``012`` is the number 12,
  ``1e5`` a number, dates are text;
* column names (``column``, ``columns``, ``column_a``, ``column_b``) are always text: an unquoted
  ``2021`` or ``true`` there is the column named ``"2021"`` / ``"true"``; names of enum values
  (``level``, ``data_type``, ``options``' values) too, so ``data_type: null`` is the Null type;
* other text (``hint``, ``where``, ``predicate``, ``pattern``, ...) must be text: a number there
  is a mistake (quote it);
* ``allowed_values`` keep their YAML types: ``[1, 2]`` are numbers, ``[Y, N]`` and ``['1', '2']``
  text, ``[true, false]`` booleans.

``dumps`` quotes every string that YAML 1.1 or 1.2 would read as something else (``'Y'``,
``'no'``, ``'1e5'``), so the files read the same in other YAML tools.

Every mistake is a ``CheckFileError`` whose message starts with ``<source>:<line>:`` (the line of
the offending node) and says what was expected and what was found.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dq._files import write_atomic
from dq.analyzers.base import AnalyzerOptions
from dq.checks.assertions import Assertion, parse_assertion
from dq.checks.check import Check, CheckLevel
from dq.checks.constraints import ConstrainableDataTypes, Constraint
from dq.errors import DQError, InvalidOptionError, closest_names

__all__ = ["CONSTRAINT_METHODS", "FORMAT_VERSION", "CheckFileError", "dump", "dumps", "load", "loads"]

#: the version of the check-file format this module reads and writes
FORMAT_VERSION = 1

_NOT_CONSTRAINTS = frozenset({"add", "add_constraint", "where", "required_analyzers"})

#: every Check method that adds a constraint (the names a check file may use)
CONSTRAINT_METHODS: tuple[str, ...] = tuple(
    name for name, fn in vars(Check).items()
    if inspect.isfunction(fn) and not name.startswith("_") and name not in _NOT_CONSTRAINTS
)


class CheckFileError(DQError, ValueError):
    """A mistake in a YAML check file; the message starts with ``<source>:<line>:``."""

    def __init__(self, source: str, line: int, problem: str):
        self.source = source
        self.line = line
        self.problem = problem
        super().__init__(f"{source}:{line}: {problem}")


# -- YAML 1.2 core schema ----------------------------------------------------------------------

_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("str", "null", "bool", "int", "float"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"

_CORE_RESOLVERS = [
    (_NULL, _NULL_RE, ["~", "n", "N", ""]),
    (_BOOL, _BOOL_RE, list("tTfF")),
    (_INT, _INT_RE, list("-+0123456789")),  # before float: the float pattern also matches "12"
    (_FLOAT, _FLOAT_RE, list("-+0123456789.")),
]


class _Loader(yaml.SafeLoader):
    """The safe loader with YAML 1.2 core-schema resolution of plain scalars (only composing is used)."""

    yaml_implicit_resolvers: dict = {}


for _tag, _regexp, _first in _CORE_RESOLVERS:
    _Loader.add_implicit_resolver(_tag, _regexp, _first)


class _Dumper(yaml.SafeDumper):
    """The safe dumper, quoting strings that YAML 1.1 (``y``/``n`` included) or 1.2 reads as other types,
    and indenting block sequences under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


for _tag, _regexp, _first in _CORE_RESOLVERS:
    _Dumper.add_implicit_resolver(_tag, _regexp, _first)
_Dumper.add_implicit_resolver(_BOOL, re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))


class _Flow(dict):
    """A mapping written in flow style (one constraint's arguments on one line)."""


class _FlowList(list):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping(_MAP, v.items(), flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence(_SEQ, v, flow_style=True))


# -- parameters of the constraint methods ------------------------------------------------------

#: how a check file writes each argument of the Check methods
_KINDS: dict[str, str] = {
    "column": "column", "column_a": "column", "column_b": "column", "columns": "columns",
    "assertion": "assertion",
    "hint": "text", "predicate": "text", "constraint_name": "text", "pattern": "text", "name": "text",
    "expression": "text",
    "data_type": "name",
    "quantile": "number", "relative_error": "number", "lower_bound": "number", "upper_bound": "number",
    "max_bins": "integer", "sketch_size": "integer", "number_of_buckets": "integer",
    "include_lower_bound": "boolean", "include_upper_bound": "boolean",
    "allowed_values": "values",
    "options": "options",
}

_REQUIRED = object()


@dataclass(frozen=True)
class _Param:
    name: str
    kind: str
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


@dataclass(frozen=True)
class _Spec:
    method: str
    params: tuple[_Param, ...]
    #: the positional parameters a list argument is spread into (``is_primary_key(column, *columns)``)
    spread: str | None = None

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def param(self, name: str) -> _Param | None:
        return next((p for p in self.params if p.name == name), None)

    def usage(self) -> str:
        req = [p.name for p in self.params if p.required]
        opt = [p.name for p in self.params if not p.required] + ["where"]
        return f"{self.method} takes {', '.join(req)}; optional: {', '.join(opt)}"


def _spec(method: str) -> _Spec:
    params: list[_Param] = []
    spread = None
    for p in list(inspect.signature(getattr(Check, method)).parameters.values())[1:]:
        kind = _KINDS.get(p.name, "any")
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            # ``method(column, *columns)``: the required positional parameters and *columns are one list
            params = [q for q in params if not q.required]
            params.insert(0, _Param(p.name, "columns"))
            spread = p.name
            continue
        params.append(_Param(p.name, kind, _REQUIRED if p.default is inspect.Parameter.empty else p.default))
    return _Spec(method, tuple(params), spread)


_SPECS: dict[str, _Spec] = {m: _spec(m) for m in CONSTRAINT_METHODS}

_TOP_KEYS = ("version", "checks")
_CHECK_KEYS = ("description", "level", "constraints")
_OPTION_KEYS = tuple(f.name for f in fields(AnalyzerOptions))


# -- reading -----------------------------------------------------------------------------------

def load(path: str | os.PathLike[str]) -> list[Check]:
    """The Checks of the YAML check file at ``path``."""
    with open(path, "rb") as f:
        data = f.read()
    return loads(data, source=os.fspath(path))


def loads(text: str | bytes, *, source: str = "<string>") -> list[Check]:
    """The Checks of a YAML check document; errors name ``source`` and the line."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = text.count(b"\n", 0, e.start) + 1
            raise CheckFileError(source, line, f"a check file must be UTF-8 text, but byte {e.object[e.start]:#04x} "
                                               f"is not valid UTF-8 ({e.reason})") from None
    return _Reader(source, text).read()


class _Reader:
    def __init__(self, source: str, text: str):
        self.source = source
        self.document = text

    # errors
    def error(self, node: Node | None, problem: str) -> CheckFileError:
        line = node.start_mark.line + 1 if node is not None else 1
        return CheckFileError(self.source, line, problem)

    def _compose(self) -> Node | None:
        try:
            return yaml.compose(self.document, Loader=_Loader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            parts = [p for p in (e.context, e.problem) if p]
            where = f" (column {mark.column + 1})" if mark is not None else ""
            raise CheckFileError(self.source, mark.line + 1 if mark is not None else 1,
                                 f"invalid YAML: {', '.join(parts)}{where}") from None
        except yaml.reader.ReaderError as e:
            line = self.document.count("\n", 0, e.position) + 1 if isinstance(e.position, int) else 1
            c = e.character
            char = f"#x{c:04x}" if isinstance(c, int) else f"#x{ord(c):04x}" if isinstance(c, str) and len(c) == 1 \
                else repr(c)
            raise CheckFileError(self.source, line, f"invalid YAML: unacceptable character {char}: {e.reason}") \
                from None
        except yaml.YAMLError as e:
            raise CheckFileError(self.source, 1, f"invalid YAML: {e}") from None
        except RecursionError:
            raise CheckFileError(self.source, 1, "invalid YAML: nested too deeply") from None

    # values
    def scalar(self, node: ScalarNode) -> Any:
        """The value of a scalar under the YAML 1.2 core schema."""
        v, tag = node.value, node.tag
        try:
            if tag == _STR:
                return v
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return v.lower() == "true"
            if tag == _INT:
                t = v.replace("_", "")
                if t.startswith(("0o", "0x")):
                    return int(t[2:], 8 if t[1] == "o" else 16)
                return int(t, 10)
            if tag == _FLOAT:
                t = v.lower()
                if t.lstrip("+-") in (".inf", ".nan"):
                    return float(t.replace(".", ""))
                return float(t)
        except ValueError:
            raise self.error(node, f"{v!r} is not a valid {tag.rsplit(':', 1)[-1]}") from None
        raise self.error(node, f"unsupported YAML tag {tag!r}: check files use plain text, numbers, booleans, "
                               "lists and mappings")

    def found(self, node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        v = self.scalar(node)
        if isinstance(v, str):
            return f"the text {v!r}"
        if isinstance(v, bool):
            return f"the boolean {node.value}"
        if isinstance(v, (int, float)):
            return f"the number {node.value}"
        if node.value == "":
            return "nothing (an empty value)"
        return "null" if node.value.lower() == "null" else f"null ({node.value})"

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == _NULL

    def pairs(self, node: MappingNode, what: str) -> list[tuple[str, Node, Node]]:
        """The (key, key node, value node) of a mapping; duplicate and non-text keys are errors."""
        if node.tag != _MAP:
            raise self.error(node, f"{what}: unsupported YAML tag {node.tag!r}")
        seen: dict[str, Node] = {}
        out = []
        for k, v in node.value:
            if not isinstance(k, ScalarNode):
                raise self.error(k, f"{what}: keys must be names, but found {self.found(k)} as a key")
            key = k.value
            if key in seen:
                raise self.error(k, f"{what}: duplicate key {key!r} (first at line {seen[key].start_mark.line + 1}); "
                                    "each key may appear once")
            seen[key] = k
            out.append((key, k, v))
        return out

    def items(self, node: Node, what: str, expected: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"{what} must be {expected}, but found {self.found(node)}")
        if node.tag != _SEQ:
            raise self.error(node, f"{what}: unsupported YAML tag {node.tag!r}")
        return list(node.value)

    def unknown_key(self, key: str, key_node: Node, where: str, valid: Iterable[str]) -> CheckFileError:
        valid = list(valid)
        close = closest_names(key, valid)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return self.error(key_node, f"unknown key {key!r} {where}; expected one of: {', '.join(valid)}.{hint}")

    def text(self, node: Node, what: str) -> str:
        if isinstance(node, ScalarNode):
            v = self.scalar(node)
            if isinstance(v, str):
                return v
            if v is not None:
                raise self.error(node, f"{what} must be text, but found {self.found(node)} "
                                       f"(quote it if it is meant as text: '{node.value}')")
        raise self.error(node, f"{what} must be text, but found {self.found(node)}")

    def name(self, node: Node, what: str, expected: str = "a name") -> str:
        """A name: a plain scalar stands for its own text (``2021``, ``true`` and ``null`` included)."""
        if isinstance(node, ScalarNode):
            self.scalar(node)  # rejects unsupported tags
            if node.value != "" and (node.tag != _NULL or expected != "a column name"):
                return node.value
        raise self.error(node, f"{what} must be {expected} (text), but found {self.found(node)}")

    def argument(self, node: Node, param: _Param, method: str) -> Any:
        what = f"{method}: argument {param.name!r}"
        kind = param.kind
        if kind == "column":
            return self.name(node, what, "a column name")
        if kind == "columns":
            if isinstance(node, ScalarNode):
                return self.name(node, what, "a column name")
            nodes = self.items(node, what, "a column name or a list of column names, e.g. [a, b]")
            return [self.name(n, f"{what}: each item", "a column name") for n in nodes]
        if kind == "assertion":
            if isinstance(node, ScalarNode) and isinstance(self.scalar(node), (int, float)) \
                    and not isinstance(self.scalar(node), bool):
                raise self.error(node, f"{what} must be assertion text such as '>= 0.9' or 'between 1 and 5', "
                                       f"but found {self.found(node)} (write '== {node.value}')")
            text = self.text(node, what)
            try:
                return parse_assertion(text)
            except InvalidOptionError as e:
                raise self.error(node, f"{method}: {e}") from None
        if kind == "text":
            return self.text(node, what)
        if kind == "name":
            return self.name(node, what)
        if kind in ("number", "integer", "boolean"):
            v = self.scalar(node) if isinstance(node, ScalarNode) else None
            ok = {
                "number": isinstance(v, (int, float)) and not isinstance(v, bool),
                "integer": isinstance(v, int) and not isinstance(v, bool),
                "boolean": isinstance(v, bool),
            }[kind]
            if not ok:
                expected = {"number": "a number", "integer": "a whole number",
                            "boolean": "true or false"}[kind]
                tip = ""
                if kind == "boolean" and isinstance(v, str) and v.lower() in ("yes", "no", "on", "off", "y", "n"):
                    tip = " (check files read YAML 1.2: only true and false are booleans)"
                raise self.error(node, f"{what} must be {expected}, but found {self.found(node)}{tip}")
            return v
        if kind == "values":
            nodes = self.items(node, what, "a list of values, e.g. [US, UK]")
            out = []
            for n in nodes:
                if not isinstance(n, ScalarNode):
                    raise self.error(n, f"{what}: each value must be text, a number, a boolean or null, "
                                        f"but found {self.found(n)}")
                out.append(self.scalar(n))
            return out
        if kind == "options":
            if not isinstance(node, MappingNode):
                raise self.error(node, f"{what} must be a mapping such as {{null_behavior: Ignore}}, "
                                       f"but found {self.found(node)}")
            opts = {}
            for key, k, v in self.pairs(node, what):
                if key not in _OPTION_KEYS:
                    raise self.unknown_key(key, k, f"in {method} options", _OPTION_KEYS)
                opts[key] = self.name(v, f"{what}: {key}")
            return opts
        # a parameter this module does not know: its YAML value as is
        if isinstance(node, SequenceNode):
            return [self.scalar(n) if isinstance(n, ScalarNode) else self.found(n) for n in node.value]
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        raise self.error(node, f"{what} must be a value or a list, but found {self.found(node)}")

    # structure
    def read(self) -> list[Check]:
        root = self._compose()
        if root is None:
            raise CheckFileError(self.source, 1, "empty document: expected a mapping with 'version: 1' and 'checks'")
        if not isinstance(root, MappingNode):
            raise self.error(root, f"a check file must be a mapping with 'version: 1' and 'checks', "
                                   f"but found {self.found(root)}")
        top = {}
        for key, k, v in self.pairs(root, "check file"):
            if key not in _TOP_KEYS:
                raise self.unknown_key(key, k, "at the top level", _TOP_KEYS)
            top[key] = (k, v)
        if "version" not in top:
            raise self.error(root, f"missing 'version: {FORMAT_VERSION}' at the top level")
        vnode = top["version"][1]
        version = self.scalar(vnode) if isinstance(vnode, ScalarNode) else None
        if not (isinstance(version, int) and not isinstance(version, bool)):
            raise self.error(vnode, f"'version' must be the number {FORMAT_VERSION}, but found {self.found(vnode)}")
        if version != FORMAT_VERSION:
            raise self.error(vnode, f"unknown version {version}: this dq reads check files of version "
                                    f"{FORMAT_VERSION}")
        if "checks" not in top:
            raise self.error(root, "missing 'checks' at the top level (a list of checks)")
        nodes = self.items(top["checks"][1], "'checks'", "a list of checks")
        return [self.check(n) for n in nodes]

    def check(self, node: Node) -> Check:
        if not isinstance(node, MappingNode):
            raise self.error(node, "a check must be a mapping with description, level and constraints, "
                                   f"but found {self.found(node)}")
        parts: dict[str, tuple[Node, Node]] = {}
        for key, k, v in self.pairs(node, "check"):
            if key not in _CHECK_KEYS:
                raise self.unknown_key(key, k, "in a check", _CHECK_KEYS)
            parts[key] = (k, v)
        for key, expected in (("description", "text"), ("level", "error or warning"),
                              ("constraints", "a list of constraints, may be empty: []")):
            if key not in parts:
                raise self.error(node, f"check is missing {key!r} ({expected})")
        description = self.text(parts["description"][1], "check 'description'")
        lnode = parts["level"][1]
        level_text = self.name(lnode, "check 'level'", "error or warning")
        level = next((lv for lv in CheckLevel if level_text.lower() in (lv.name.lower(), lv.value.lower())), None)
        if level is None:
            raise self.error(lnode, f"check 'level' must be error or warning (any case), but found {level_text!r}")
        check = Check(level, description)
        for entry in self.items(parts["constraints"][1], "check 'constraints'", "a list of constraints"):
            check = self.constraint(check, entry)
        return check

    def constraint(self, check: Check, node: Node) -> Check:
        usage = "a constraint is a one-key mapping 'method: arguments', e.g. '- is_complete: id'"
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{usage}, but found {self.found(node)}")
        entries = self.pairs(node, "constraint")
        if len(entries) != 1:
            keys = ", ".join(repr(k) for k, _, _ in entries)
            raise self.error(node, f"{usage}, but found {len(entries)} keys ({keys or 'none'}); "
                                   "put each constraint in its own list item")
        method, mnode, anode = entries[0]
        spec = _SPECS.get(method)
        if spec is None:
            close = closest_names(method, CONSTRAINT_METHODS)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise self.error(mnode, f"unknown constraint {method!r}: expected a Check method such as "
                                    f"'is_complete' or 'has_completeness'.{hint}")
        given: dict[str, tuple[Node, Node]] = {}
        if isinstance(anode, MappingNode):
            for key, k, v in self.pairs(anode, method):
                if key != "where" and spec.param(key) is None:
                    valid = spec.names + ["where"]
                    close = closest_names(key, valid)
                    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                    raise self.error(k, f"{method}: unknown argument {key!r}.{hint} ({spec.usage()})")
                given[key] = (k, v)
        elif not self.is_null(anode):  # shorthand: the first required argument
            first = next(p for p in spec.params if p.required)
            given[first.name] = (anode, anode)
        missing = [p.name for p in spec.params if p.required and p.name not in given]
        if missing:
            names = " and ".join(repr(m) for m in missing)
            raise self.error(mnode, f"{method}: missing required argument{'s' if len(missing) > 1 else ''} "
                                    f"{names} ({spec.usage()})")
        kwargs: dict[str, Any] = {}
        for key, (_, v) in given.items():
            if key != "where":
                kwargs[key] = self.argument(v, spec.param(key), method)
        where = self.text(given["where"][1], f"{method}: argument 'where'") if "where" in given else None

        # the node an error of the Check method is about: its option's argument (or option) if named
        nodes = {key: v for key, (_, v) in given.items()}
        if isinstance(nodes.get("options"), MappingNode):
            nodes.update({k.value: v for k, v in nodes["options"].value if k.value not in nodes})

        def fail(e: Exception) -> CheckFileError:
            line_node = nodes.get(getattr(e, "option", None), mnode)
            msg = str(e)
            return self.error(line_node, msg if msg.startswith(f"{method}:") else f"{method}: {msg}")

        try:
            if spec.spread is not None:
                cols = kwargs.pop(spec.spread)
                cols = [cols] if isinstance(cols, str) else cols
                if not cols:
                    raise self.error(given[spec.spread][1], f"{method}: argument {spec.spread!r} must be "
                                                            "at least one column name, but found an empty list")
                check = getattr(check, method)(*cols, **kwargs)
            else:
                check = getattr(check, method)(**kwargs)
        except CheckFileError:
            raise
        except (DQError, ValueError, TypeError) as e:
            raise fail(e) from e
        if where is not None:
            wnode = given["where"][1]
            if not check.constraints[-1].filterable:
                raise self.error(wnode, f"{method}: argument 'where' is not allowed: {method} cannot be filtered "
                                        "(it does not read rows)")
            try:
                check = check.where(where)
            except (DQError, ValueError, TypeError) as e:
                raise self.error(wnode, f"{method}: {e}") from e
        return check


# -- writing -----------------------------------------------------------------------------------

def dumps(checks: Check | Iterable[Check]) -> str:
    """The YAML check document of ``checks`` (``loads`` reads it back to equal Checks)."""
    if isinstance(checks, Check):
        checks = [checks]
    docs = []
    for check in checks:
        if not isinstance(check, Check):
            raise InvalidOptionError("checks", "Check objects", check, owner="dump")
        docs.append({
            "description": check.description,
            "level": check.level.name.lower(),
            "constraints": [_constraint_doc(check, i, c) for i, c in enumerate(check.constraints, 1)],
        })
    doc = {"version": FORMAT_VERSION, "checks": docs}
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=4096)


def dump(checks: Check | Iterable[Check], path: str | os.PathLike[str]) -> None:
    """Write ``checks`` to the YAML check file ``path`` atomically (a temporary file, then a rename)."""
    text = dumps(checks)  # errors before touching the file system
    write_atomic(path, text)


def _constraint_doc(check: Check, index: int, constraint: Constraint) -> dict[str, Any]:
    method = constraint.method
    owner = f"check {check.description!r}, constraint #{index} ({method})"
    spec = _SPECS.get(method)
    if spec is None:
        raise InvalidOptionError("constraint", "one built by a Check method (" + ", ".join(CONSTRAINT_METHODS[:3])
                                 + ", ...)", method, owner=owner)
    args = dict(constraint.args)
    where = args.pop("where", None)
    out: dict[str, Any] = {}
    for p in spec.params:
        if p.name not in args:
            continue
        v = args.pop(p.name)
        if not p.required and _same(v, p.default):
            continue
        out[p.name] = _yaml_value(v, p, owner)
    if args:
        raise InvalidOptionError(", ".join(args), f"an argument of Check.{method} (the only ones a check file can "
                                 "write)", args, owner=owner)
    if where is not None:
        out["where"] = where
    first = next((p.name for p in spec.params if p.required), None)
    if list(out) == [first]:
        return {method: out[first]}
    return {method: _Flow(out)}


def _same(value: Any, default: Any) -> bool:
    if isinstance(value, tuple) and isinstance(default, (tuple, list)):
        return value == tuple(default)
    try:
        return bool(value == default)
    except Exception:  # noqa: BLE001 - a value that cannot be compared is not the default
        return False


def _yaml_value(v: Any, p: _Param, owner: str) -> Any:
    if isinstance(v, Assertion):
        named = "a named assertion such as at_least(0.9), between(1, 5) or bin_ratio('US', at_least(0.5))"
        if not v.serialisable:
            raise InvalidOptionError(
                p.name, f"{named} to be written to YAML: a Python callable has no text that rebuilds it; use a "
                "named assertion instead", v.text, owner=owner)
        text = v.text
        try:
            same = parse_assertion(text) == v
        except InvalidOptionError:
            same = False
        if not same:
            raise InvalidOptionError(p.name, f"{named} whose text reads back as the same assertion", text,
                                     owner=owner)
        return text
    if isinstance(v, ConstrainableDataTypes):
        return v.value
    if isinstance(v, AnalyzerOptions):
        default = AnalyzerOptions().to_dict()
        return _Flow({k: x for k, x in v.to_dict().items() if x != default[k]})
    if isinstance(v, (tuple, list)):
        return _FlowList(_plain(x, p, owner) for x in v)
    return _plain(v, p, owner)


def _plain(v: Any, p: _Param, owner: str) -> Any:
    if hasattr(v, "item") and not isinstance(v, (str, bytes)) and type(v).__module__ == "numpy":
        v = v.item()
    if p.kind == "boolean" and isinstance(v, int) and v in (0, 1):
        return bool(v)
    if p.kind == "integer" and isinstance(v, float) and v.is_integer():
        return int(v)
    if p.kind in ("column", "columns", "text", "name"):
        if isinstance(v, str):
            return v
    elif v is None or isinstance(v, (str, bool, int)):
        return v
    elif isinstance(v, float):
        return v
    raise InvalidOptionError(p.name, "text, a number, a boolean or null to be written to YAML", v, owner=owner)
