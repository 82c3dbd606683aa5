"""Gate for Amazon Redshift STL system tables exported by the "retain system tables" solution.

The export (AWS Big Data blog, "How to retain system tables' data spanning multiple Amazon Redshift
clusters") runs a Glue job per cluster every few minutes. It UNLOADs each STL table since a
watermark, adds two leading columns ``clusterid`` and ``startdate`` (the date of the table's time
column), and appends Parquet with Spark, partitioned by both::

    <root>/<table>/clusterid=<cluster-id>/startdate=<YYYY-MM-DD>/part-*.snappy.parquet

Spark drops partition columns from the files, and the readers (DuckDB, Spark, Athena) put them back
from the paths. What can go wrong, and what this pack checks for each of the eight exported tables:

* **Duplicates from re-runs.** The job appends and moves its watermark only after writing, so a run
  failing in between is exported again: each table's documented key is unique (``is_primary_key``).
* **Partitions that lie.** ``startdate`` equals the date of the row's time column (``starttime``,
  ``event_time`` for stl_alert_event_log, ``queue_start_time`` for stl_wlm_query). Preflight: every
  Parquet file sits under ``clusterid=<id>/startdate=<YYYY-MM-DD>``; and, for the tables that have
  rows every day (queries run around the clock, if only the system's own), no date is missing
  between a cluster's first and last partition (an outage longer than the 2-5 days STL keeps loses
  data for good).
* **Schema drift.** The export selects ``*``, so new STL columns appear with new cluster versions
  (allowed); a documented column missing, or of another type than documented, or a column whose
  type differs between files, is a preflight problem.
* **Validity** per Redshift's documentation: end after start, flags within {0, 1}, positive IDs,
  non-empty names after trimming the blank padding of ``character(n)`` columns, text chunks of at
  most 200 characters numbered 0..n-1 without gaps, ``rows <= rows_pre_user_filter <=
  rows_pre_filter`` for scans of permanent tables, and so on (see ``stl_checks``).
* **Freshness** (Warning level): per cluster, the newest time value is within ``freshness`` of
  ``now``; and no alert is dated in the future.

Not checked here: the cross-table checks (query IDs of one table found in stl_query, the xid of
stl_querytext equal to stl_query's), which need two tables in one query, and the export's row
count against the cluster's own ``count(*)``, which needs the cluster.

    from dq.packs import stl_gate
    result = stl_gate("stl_query").run("s3-mirror/extract_redshift_query_logs/data/stl_query")
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from dq.checks import at_most, equals
from dq.checks.check import Check, CheckLevel
from dq.errors import InvalidOptionError, closest_names

__all__ = ["STL_TABLES", "StlTable", "stl_checks", "stl_gate", "stl_preflight"]

INT, BIGINT, TS = "integer", "bigint", "timestamp"  # and "character"


@dataclass(frozen=True)
class StlTable:
    """What the pack knows of one exported STL table: its documented columns and their types, its
    key, the time column its ``startdate`` partition comes from (None: from stl_query's, not in this
    table), the column its freshness is judged on, and whether it has rows every day."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    partition_time: str | None
    fresh_time: str | None
    daily: bool


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, kind) for name, kind in (part.split(":") for part in spec.split()))


_TEXT = "userid:integer xid:bigint pid:integer label:character starttime:timestamp endtime:timestamp " \
        "sequence:integer text:character"

#: The eight tables the export solution writes, with their columns as Redshift documents them.
STL_TABLES: dict[str, StlTable] = {t.name: t for t in (
    StlTable("stl_query", _cols(
        "userid:integer query:integer label:character xid:bigint pid:integer database:character "
        "querytxt:character starttime:timestamp endtime:timestamp aborted:integer insert_pristine:integer "
        "concurrency_scaling_status:integer"),
        ("clusterid", "query"), "starttime", "endtime", True),
    StlTable("stl_querytext", _cols("userid:integer xid:bigint pid:integer query:integer sequence:integer "
                                    "text:character"),
             ("clusterid", "query", "sequence"), None, None, True),
    StlTable("stl_ddltext", _cols(_TEXT), ("clusterid", "xid", "pid", "starttime", "sequence"), "starttime",
             "endtime", False),
    StlTable("stl_utilitytext", _cols(_TEXT), ("clusterid", "xid", "pid", "starttime", "sequence"), "starttime",
             "endtime", False),
    StlTable("stl_explain", _cols("userid:integer query:integer nodeid:integer parentid:integer "
                                  "plannode:character info:character"),
             ("clusterid", "query", "nodeid"), None, None, True),
    StlTable("stl_alert_event_log", _cols(
        "userid:integer query:integer slice:integer segment:integer step:integer pid:integer xid:bigint "
        "event:character solution:character event_time:timestamp"),
        ("clusterid", "query", "slice", "segment", "step", "event"), "event_time", "event_time", False),
    StlTable("stl_scan", _cols(
        "userid:integer query:integer slice:integer segment:integer step:integer starttime:timestamp "
        "endtime:timestamp tasknum:integer rows:bigint bytes:bigint fetches:bigint type:integer tbl:integer "
        "is_rrscan:character is_delayed_scan:character rows_pre_filter:bigint rows_pre_user_filter:bigint "
        "perm_table_name:character"),
        ("clusterid", "query", "slice", "segment", "step", "tasknum"), "starttime", "endtime", True),
    StlTable("stl_wlm_query", _cols(
        "userid:integer xid:integer task:integer query:integer service_class:integer slot_count:integer "
        "service_class_start_time:timestamp queue_start_time:timestamp queue_end_time:timestamp "
        "total_queue_time:bigint exec_start_time:timestamp exec_end_time:timestamp total_exec_time:bigint "
        "service_class_end_time:timestamp"),
        ("clusterid", "query"), "queue_start_time", "service_class_end_time", True),
)}


def _table(name: str) -> StlTable:
    if name not in STL_TABLES:
        close = closest_names(name, STL_TABLES)
        raise InvalidOptionError("table", "one of " + ", ".join(STL_TABLES), name + (
            f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""), owner="redshift_stl")
    return STL_TABLES[name]


def _ts_literal(t: datetime) -> str:
    if t.tzinfo is not None:  # STL timestamps are naive UTC
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return f"TIMESTAMP '{t.isoformat(sep=' ', timespec='microseconds')}'"


def _chunks_sql(group: Sequence[str]) -> str:
    """Statements whose text chunks are not numbered 0..n-1 exactly once each."""
    g = ", ".join(group)
    return (f"SELECT count(*) FROM (SELECT {g}, min(sequence) AS lo, max(sequence) AS hi, count(*) AS n, "
            f"count(DISTINCT sequence) AS d FROM dataset GROUP BY {g}) AS s WHERE lo <> 0 OR hi + 1 <> n OR d <> n")


def stl_checks(table: str, *, now: datetime | None = None, freshness: timedelta | None = timedelta(minutes=30),
               level: CheckLevel = CheckLevel.ERROR) -> list[Check]:
    """The checks of one exported STL table: an Error-level check of keys, partition dates and
    validity (``level``), and a Warning-level check of freshness (``now`` defaults to the current
    UTC time; ``freshness=None`` leaves it out)."""
    t = _table(table)
    now = datetime.now(timezone.utc) if now is None else now
    c = Check(level, f"{t.name}: keys, partitions and validity")
    c = c.is_primary_key(*t.key, hint="duplicates come from an export re-run after a failure")
    c = c.are_complete([k for k in t.key if k != "clusterid"] + ["clusterid"])
    if t.partition_time:
        c = c.is_complete(t.partition_time).satisfies(
            f"CAST({t.partition_time} AS DATE) = CAST(startdate AS DATE)", f"startdate is the date of {t.partition_time}",
            hint="the startdate partition must be the date of the row's time column")
    if t.name == "stl_query":
        c = (c.is_greater_than_or_equal_to("endtime", "starttime")
             .is_contained_in("aborted", [0, 1]).is_contained_in("insert_pristine", [0, 1])
             .is_non_negative("concurrency_scaling_status")
             .is_positive("query").is_positive("xid").is_positive("pid")
             .is_contained_in("userid", lower_bound=1, upper_bound=2**31 - 1)
             .satisfies("length(trim(database)) > 0", "database is not blank")
             .is_complete("label").has_max_length("querytxt", at_most(4000), hint="STL_QUERY truncates at 4000"))
    elif t.name == "stl_querytext":
        c = (c.is_non_negative("sequence").is_positive("query").is_complete("text")
             .has_max_length("text", at_most(200))
             .custom_sql(_chunks_sql(["clusterid", "query"]), equals(0), hint="text chunks 0..n-1, no gap"))
    elif t.name in ("stl_ddltext", "stl_utilitytext"):
        c = (c.is_greater_than_or_equal_to("endtime", "starttime").is_non_negative("sequence")
             .is_complete("text").has_max_length("text", at_most(200))
             .custom_sql(_chunks_sql(["clusterid", "xid", "pid", "starttime"]), equals(0),
                         hint="text chunks 0..n-1, no gap"))
    elif t.name == "stl_explain":
        c = (c.is_positive("query").is_contained_in("nodeid", lower_bound=1, upper_bound=2**31 - 1)
             .is_non_negative("parentid"))
    elif t.name == "stl_alert_event_log":
        c = (c.satisfies("length(trim(event)) > 0", "event is not blank")
             .satisfies("length(trim(solution)) > 0", "solution is not blank")
             .satisfies(f"event_time <= {_ts_literal(now)}", "event_time is not in the future"))
    elif t.name == "stl_scan":
        c = (c.is_greater_than_or_equal_to("endtime", "starttime").is_contained_in("step", [0])
             .is_non_negative("rows").is_non_negative("bytes").is_non_negative("fetches")
             .satisfies("trim(is_rrscan) IN ('t', 'f')", "is_rrscan is t or f")
             .satisfies("length(trim(perm_table_name)) = 0 OR (rows <= rows_pre_user_filter "
                        "AND rows_pre_user_filter <= rows_pre_filter)",
                        "rows <= rows_pre_user_filter <= rows_pre_filter on permanent tables")
             .satisfies("length(trim(perm_table_name)) = 0 OR tbl > 0", "tbl > 0 on permanent tables"))
    elif t.name == "stl_wlm_query":
        c = (c.is_greater_than_or_equal_to("queue_end_time", "queue_start_time")
             .is_greater_than_or_equal_to("exec_end_time", "exec_start_time")
             .is_non_negative("total_queue_time").is_non_negative("total_exec_time")
             .is_contained_in("service_class", lower_bound=1, upper_bound=2**31 - 1)
             .is_contained_in("slot_count", lower_bound=1, upper_bound=2**31 - 1))
    checks = [c]
    if t.name == "stl_explain":
        checks.append(Check(CheckLevel.WARNING, "stl_explain: plan trees").custom_sql(
            "SELECT count(*) FROM dataset AS c WHERE c.parentid <> 0 AND NOT EXISTS (SELECT 1 FROM dataset AS p "
            "WHERE p.clusterid = c.clusterid AND p.query = c.query AND p.nodeid = c.parentid)", equals(0),
            hint="a parentid names a node of the same plan, or is 0"))
    if freshness is not None and t.fresh_time:
        oldest_ok = _ts_literal(now - freshness)
        checks.append(Check(CheckLevel.WARNING, f"{t.name}: freshness").custom_sql(
            f"SELECT count(*) FROM (SELECT clusterid, max({t.fresh_time}) AS newest FROM dataset GROUP BY clusterid) "
            f"AS f WHERE newest < {oldest_ok}", equals(0),
            hint=f"a cluster's newest {t.fresh_time} is older than {freshness} (export stopped?)"))
    return checks


# -- preflight: the files themselves -----------------------------------------------------------

_PARTITION = re.compile(r"^clusterid=([^/]+)/startdate=(\d{4}-\d{2}-\d{2})/[^/]+\.parquet$")
_IGNORED = re.compile(r"(^|/)(_SUCCESS|_committed_.*|_started_.*|\..*\.crc|_temporary(/.*)?)$")


def _type_ok(kind: str, arrow_type: Any) -> bool:
    import pyarrow as pa

    if kind == INT:
        return pa.types.is_int32(arrow_type) or pa.types.is_int16(arrow_type)
    if kind == BIGINT:
        return pa.types.is_int64(arrow_type) or pa.types.is_int32(arrow_type)
    if kind == TS:
        return pa.types.is_timestamp(arrow_type)
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def stl_preflight(table: str, *, continuity: bool | None = None) -> Callable[[Any], list[str]]:
    """A preflight check (``Gate(preflight=...)``) of an export folder of ``table``: the problems in
    its file layout, Parquet schemas and partition dates (see the module docstring).
    ``continuity`` (default: for the tables with rows every day) also reports missing dates."""
    t = _table(table)
    want_continuous = t.daily if continuity is None else continuity

    def preflight(data: Any) -> list[str]:
        import pyarrow.parquet as pq

        if not isinstance(data, (str, os.PathLike)) or not os.path.isdir(data):
            raise InvalidOptionError("data", f"the local export folder of {t.name} (.../{t.name}/)", data,
                                     owner="stl_preflight")
        root = os.fspath(data)
        problems: list[str] = []
        dates: dict[str, set[date]] = {}
        types: dict[str, tuple[str, str]] = {}  # column -> (arrow type, first file)
        files = sorted(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")
                       for d, _, fs in os.walk(root) for f in fs)
        for rel in files:
            if _IGNORED.search(rel):
                continue
            m = _PARTITION.match(rel)
            if m is None:
                problems.append(f"{rel}: not a Parquet file under clusterid=<id>/startdate=<YYYY-MM-DD>/")
                continue
            try:
                day = date.fromisoformat(m.group(2))
            except ValueError:
                problems.append(f"{rel}: startdate {m.group(2)!r} is not a date")
                continue
            dates.setdefault(m.group(1), set()).add(day)
            schema = pq.read_schema(os.path.join(root, rel))
            for name, kind in t.columns:
                if name not in schema.names:
                    close = closest_names(name, schema.names)
                    problems.append(f"{rel}: documented column {name!r} ({kind}) is missing"
                                    + (f" (found {' or '.join(map(repr, close))})" if close else ""))
                elif not _type_ok(kind, schema.field(name).type):
                    problems.append(f"{rel}: column {name!r} is {schema.field(name).type}, documented as {kind}")
            for f in schema:
                seen = types.setdefault(f.name, (str(f.type), rel))
                if seen[0] != str(f.type):
                    problems.append(f"{rel}: column {f.name!r} is {f.type}, but {seen[0]} in {seen[1]} (schema drift)")
        if not dates:
            problems.append(f"no Parquet file under {root}/clusterid=<id>/startdate=<YYYY-MM-DD>/")
        if want_continuous:
            for cluster, days in sorted(dates.items()):
                lo, hi = min(days), max(days)
                missing = [lo + timedelta(d) for d in range((hi - lo).days + 1) if lo + timedelta(d) not in days]
                if missing:
                    shown = ", ".join(d.isoformat() for d in missing[:5]) + (" ..." if len(missing) > 5 else "")
                    problems.append(f"cluster {cluster}: {len(missing)} missing startdate partition(s) between "
                                    f"{lo} and {hi}: {shown}")
        return problems

    return preflight


def stl_gate(table: str, *, now: datetime | None = None, freshness: timedelta | None = timedelta(minutes=30),
             continuity: bool | None = None, **gate_options: Any):
    """A ``Gate`` for the export folder of one STL table: ``stl_preflight`` then ``stl_checks``.
    Other keyword arguments (``report``, ``repository``, ``result_key``, ``fail_on``) go to the Gate."""
    from dq.gate import Gate

    return Gate(stl_checks(table, now=now, freshness=freshness),
                preflight=[stl_preflight(table, continuity=continuity)], **gate_options)
