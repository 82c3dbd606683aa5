"""AnalysisResult and the versioned JSON form of a saved result, shared by every repository.

A saved result is a JSON document (never pickle)::

    {"format": "dq.metrics_result", "version": 1, "dq_version": "0.1.0",
     "key": {"timestamp": "2024-05-01T06:00:00.000000+00:00", "tags": {"dataset": "orders"}},
     "run_status": "Error",            # the VerificationResult's status, null for a plain analysis
     "metrics": [
       {"analyzer": {"analyzer": "Completeness", "column": "id", "where": "year > 2000", "options": null},
        "entity": "Column", "instance": "id", "name": "Completeness",
        "value_type": "double", "value": 0.98},
       {"analyzer": {...}, "entity": ..., "instance": ..., "name": ..., "error": "why it failed"}]}

``analyzer`` is ``Analyzer.to_dict()``: the complete identity, ``where`` and options included
(Deequ drops ``where`` for six analyzers and its options everywhere: #596). ``value_type`` is one
of double, long, boolean, string, date, timestamp, distribution, buckets, keyed, null; non-finite
doubles are the strings "NaN", "Infinity", "-Infinity", so the document is strict JSON. Unlike
Deequ, failed metrics are stored too (with their error), so a history shows why a point is
missing and a baseline can leave failed runs out.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dq.analyzers.base import Analyzer, analyzer_from_dict
from dq.errors import StateFormatError
from dq.metrics import BucketDistribution, BucketValue, Distribution, DistributionValue, Entity, KeyedValues, Metric
from dq.repository.errors import RepositoryError
from dq.repository.key import ResultKey, Tags
from dq.runner import AnalyzerContext

__all__ = ["FORMAT", "VERSION", "AnalysisResult", "decode_metric", "decode_result", "decode_value",
           "encode_analyzer", "encode_metric", "encode_result", "encode_value"]

FORMAT = "dq.metrics_result"
#: the newest format version this dq writes and reads
VERSION = 1


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """One saved result: its key, its metrics, and the verdict of the run that computed them
    (``run_status``: "Success", "Warning" or "Error" for a saved VerificationResult, None for a
    saved AnalyzerContext)."""

    key: ResultKey
    context: AnalyzerContext
    run_status: str | None = None

    @property
    def timestamp(self) -> _dt.datetime:
        return self.key.timestamp

    @property
    def tags(self) -> Tags:
        return self.key.tags

    def metric(self, analyzer: Analyzer) -> Metric | None:
        return self.context.metric_map.get(analyzer)

    def __repr__(self) -> str:
        return f"AnalysisResult({self.key!r}, {len(self.context)} metrics, run_status={self.run_status!r})"


class _Bad(Exception):
    """A document that does not decode (turned into RepositoryCorruptError with its path)."""


# -- values ------------------------------------------------------------------------------

def _num(x: Any) -> Any:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise RepositoryError(f"cannot store {x!r} ({type(x).__name__}) as a number in a metric value")
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


def _unnum(x: Any) -> int | float:
    if isinstance(x, str) and x in ("NaN", "Infinity", "-Infinity"):
        return float(x)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise _Bad(f"expected a number, found {x!r}")
    return x


def encode_value(v: Any) -> tuple[str, Any]:
    """(value_type, JSON value) of a metric value; raises RepositoryError for a type it cannot store."""
    if v is None:
        return "null", None
    if isinstance(v, bool):
        return "boolean", v
    if isinstance(v, int):
        return "long", v
    if isinstance(v, float):
        return "double", _num(v)
    if isinstance(v, str):
        return "string", v
    if isinstance(v, _dt.datetime):  # before date: a datetime is a date
        return "timestamp", v.isoformat()  # keeps the offset when aware, none when naive
    if isinstance(v, _dt.date):
        return "date", v.isoformat()
    if isinstance(v, Distribution):
        return "distribution", {
            "number_of_bins": _num(v.number_of_bins),
            "tail_count": _num(v.tail_count),
            "values": {k: {"absolute": _num(x.absolute), "ratio": _num(x.ratio)} for k, x in v.values.items()},
        }
    if isinstance(v, BucketDistribution):
        return "buckets", {
            "buckets": [{"low_value": _num(b.low_value), "high_value": _num(b.high_value), "count": _num(b.count)}
                        for b in v.buckets],
            "parameters": [_num(p) for p in v.parameters],
            "data": [[_num(x) for x in row] for row in v.data],
        }
    if isinstance(v, KeyedValues):
        return "keyed", {k: _num(x) for k, x in v.values.items()}
    raise RepositoryError(f"cannot store a metric value of type {type(v).__name__} ({v!r}); "
                          f"the repository stores numbers, booleans, text, dates, timestamps, "
                          f"Distribution, BucketDistribution and KeyedValues")


def decode_value(value_type: str, v: Any) -> Any:
    try:
        if value_type == "null":
            return None
        if value_type == "boolean" and isinstance(v, bool):
            return v
        if value_type == "long" and isinstance(v, int) and not isinstance(v, bool):
            return v
        if value_type == "double":
            return float(_unnum(v))
        if value_type == "string" and isinstance(v, str):
            return v
        if value_type == "timestamp" and isinstance(v, str):
            return _dt.datetime.fromisoformat(v)
        if value_type == "date" and isinstance(v, str):
            return _dt.date.fromisoformat(v)
        if value_type == "distribution" and isinstance(v, Mapping):
            return Distribution({k: DistributionValue(_unnum(x["absolute"]), _unnum(x["ratio"]))
                                 for k, x in v["values"].items()},
                                _unnum(v["number_of_bins"]), _unnum(v["tail_count"]))
        if value_type == "buckets" and isinstance(v, Mapping):
            return BucketDistribution(
                tuple(BucketValue(_unnum(b["low_value"]), _unnum(b["high_value"]), _unnum(b["count"]))
                      for b in v["buckets"]),
                tuple(_unnum(p) for p in v["parameters"]),
                tuple(tuple(_unnum(x) for x in row) for row in v.get("data", ())))
        if value_type == "keyed" and isinstance(v, Mapping):
            return KeyedValues({str(k): _unnum(x) for k, x in v.items()})
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise _Bad(f"a {value_type} value that does not decode ({type(e).__name__}: {e}): {v!r}") from None
    raise _Bad(f"unknown value_type {value_type!r} or a value of the wrong shape: {v!r}")


# -- analyzers and metrics -----------------------------------------------------------------

def encode_analyzer(a: Analyzer) -> dict[str, Any]:
    """``a.to_dict()``, after checking that it decodes to an equal analyzer: a repository that
    silently stored a different identity would lose the metric's history (Deequ #596)."""
    d = a.to_dict()
    try:
        back = analyzer_from_dict(json.loads(json.dumps(d, allow_nan=False)))
    except (TypeError, ValueError) as e:
        raise RepositoryError(f"cannot store the metric of {a!r}: its identity {d!r} is not JSON ({e})") from None
    if back != a:
        raise RepositoryError(f"cannot store the metric of {a!r}: its identity {d!r} reads back as {back!r} "
                              f"(a custom analyzer class must be a frozen dataclass whose fields are JSON values, "
                              f"with a name no other analyzer class uses)")
    return d


def encode_metric(a: Analyzer, m: Metric) -> dict[str, Any]:
    d: dict[str, Any] = {"analyzer": encode_analyzer(a), "entity": str(m.entity), "instance": m.instance,
                         "name": m.name}
    if m.is_success:
        d["value_type"], d["value"] = encode_value(m.value)
    else:
        d["error"] = m.error
    return d


def decode_metric(d: Any) -> tuple[Analyzer, Metric]:
    if not isinstance(d, Mapping):
        raise _Bad(f"a metric entry must be an object, found {d!r}")
    try:
        a = analyzer_from_dict(d["analyzer"])
    except KeyError:
        raise _Bad(f"a metric entry without 'analyzer': {d!r}") from None
    except (StateFormatError, TypeError, ValueError) as e:
        raise _Bad(f"an analyzer that does not decode: {d.get('analyzer')!r} ({e})") from None
    try:
        entity = Entity(d["entity"])
        instance, name = d["instance"], d["name"]
    except (KeyError, ValueError) as e:
        raise _Bad(f"a metric entry without a valid entity/instance/name ({e}): {d!r}") from None
    if d.get("error") is not None:
        return a, Metric(entity, instance, name, None, str(d["error"]))
    if "value_type" not in d:
        raise _Bad(f"a metric entry with neither 'value_type' nor 'error': {d!r}")
    return a, Metric(entity, instance, name, decode_value(d["value_type"], d.get("value")))


# -- documents -----------------------------------------------------------------------------

def run_status_of(result: Any) -> tuple[AnalyzerContext, str | None]:
    """The context and run status of what ``save`` was given: an AnalyzerContext or a
    VerificationResult (duck-typed on ``context`` and ``status`` so this module does not import
    dq.verification, which may import the repository)."""
    if isinstance(result, AnalyzerContext):
        return result, None
    ctx, status = getattr(result, "context", None), getattr(result, "status", None)
    if isinstance(ctx, AnalyzerContext) and status is not None:
        return ctx, str(getattr(status, "value", status))
    raise RepositoryError(f"save() takes an AnalyzerContext or a VerificationResult, not {type(result).__name__}")


def encode_result(key: ResultKey, ctx: AnalyzerContext, run_status: str | None) -> dict[str, Any]:
    from dq import __version__

    return {"format": FORMAT, "version": VERSION, "dq_version": __version__, "key": key.to_dict(),
            "run_status": run_status, "metrics": [encode_metric(a, m) for a, m in ctx.metric_map.items()]}


def check_format(doc: Mapping[str, Any]) -> None:
    if doc.get("format") != FORMAT:
        raise _Bad(f"not a dq metrics result (format {doc.get('format')!r}, expected {FORMAT!r})")
    v = doc.get("version")
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise _Bad(f"invalid format version {v!r}")
    if v > VERSION:
        raise _Bad(f"written in format version {v} by a newer dq ({doc.get('dq_version')}); "
                   f"this dq reads versions up to {VERSION}: upgrade dq to read it")


def decode_result(doc: Any) -> AnalysisResult:
    if not isinstance(doc, Mapping):
        raise _Bad(f"expected a JSON object, found {type(doc).__name__}")
    check_format(doc)
    try:
        key = ResultKey.from_dict(doc["key"])
    except (KeyError, TypeError, ValueError) as e:
        raise _Bad(f"an invalid key {doc.get('key')!r} ({e})") from None
    metrics = doc.get("metrics")
    if not isinstance(metrics, list):
        raise _Bad(f"'metrics' must be a list, found {metrics!r}")
    status = doc.get("run_status")
    if status is not None and not isinstance(status, str):
        raise _Bad(f"'run_status' must be a string or null, found {status!r}")
    return AnalysisResult(key, AnalyzerContext(dict(decode_metric(m) for m in metrics)), status)


def dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False)
