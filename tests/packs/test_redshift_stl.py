"""The Redshift STL export pack, on export folders laid out as the export's Spark job writes them
(partition columns only in the paths, ``part-*.snappy.parquet`` files, a ``_SUCCESS`` marker,
``character(n)`` values blank-padded) with the faults the export is known for."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dq import CheckStatus
from dq.errors import InvalidOptionError
from dq.packs import STL_TABLES, stl_checks, stl_gate, stl_preflight
from dq.verification import VerificationSuite

NOW = datetime(2026, 11, 24, 1, 0, 0)  # the newest rows are from 00:01 to 00:36
DAYS = [datetime(2026, 11, 22), datetime(2026, 11, 23), datetime(2026, 11, 24)]
ARROW = {"integer": pa.int32(), "bigint": pa.int64(), "timestamp": pa.timestamp("us"), "character": pa.string()}
WIDTH = {"label": 320, "database": 32, "querytxt": 4000, "text": 200, "plannode": 400, "info": 400,
         "event": 1024, "solution": 1024, "is_rrscan": 1, "is_delayed_scan": 1, "perm_table_name": 136}


def _value(table: str, col: str, i: int, t0: datetime):
    """A plausible value of ``col`` for row ``i`` of a day starting at ``t0``."""
    start = t0 + timedelta(minutes=7 * i + 1)
    q = 1000 * t0.day + i  # query IDs grow over the days
    v = {
        "userid": 100 + i % 3, "query": q, "xid": 50_000 + q, "pid": 1_073_000_000 + i, "task": 700 + i,
        "label": "default", "database": "dev", "querytxt": f"select * from sales where id = {i}",
        "starttime": start, "endtime": start + timedelta(seconds=3), "event_time": start,
        "aborted": i % 2, "insert_pristine": 0, "concurrency_scaling_status": 0, "sequence": 0,
        "text": f"select {i}", "nodeid": 1, "parentid": 0, "plannode": "XN Seq Scan on sales", "info": "",
        "slice": 0, "segment": 0, "step": 0, "tasknum": i % 4, "rows": 10, "bytes": 800, "fetches": 0,
        "type": 2, "tbl": 100_234, "is_rrscan": "f", "is_delayed_scan": "f", "rows_pre_filter": 12,
        "rows_pre_user_filter": 11, "perm_table_name": "sales", "event": "Missing query planner statistics",
        "solution": "Run the ANALYZE command", "service_class": 6, "slot_count": 1,
        "service_class_start_time": start, "queue_start_time": start, "queue_end_time": start,
        "total_queue_time": 0, "exec_start_time": start, "exec_end_time": start + timedelta(seconds=2),
        "total_exec_time": 2_000_000, "service_class_end_time": start + timedelta(seconds=2),
    }[col]
    if table == "stl_alert_event_log" and col == "event_time":
        return start
    if isinstance(v, str) and col in WIDTH:
        v = v.ljust(WIDTH[col])  # character(n) is blank-padded
    return v


def rows_of(table: str, t0: datetime, n: int = 6) -> dict[str, list]:
    spec = STL_TABLES[table]
    return {c: [_value(table, c, i, t0) for i in range(n)] for c, _ in spec.columns}


def write_part(root, table: str, cluster: str, day: datetime, columns: dict[str, list], *,
               types: dict[str, pa.DataType] | None = None) -> str:
    spec = STL_TABLES[table]
    kinds = dict(spec.columns)
    schema = pa.schema([(c, (types or {}).get(c, ARROW[kinds[c]] if c in kinds else pa.string())) for c in columns])
    folder = os.path.join(root, table, f"clusterid={cluster}", f"startdate={day.date().isoformat()}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"part-00000-{uuid.uuid4()}.c000.snappy.parquet")
    pq.write_table(pa.table(columns, schema=schema), path, compression="snappy")
    return path


def export(root, table: str, clusters=("prod-a", "prod-b"), days=DAYS) -> str:
    for cluster in clusters:
        for d in days:
            write_part(root, table, cluster, d, rows_of(table, d))
    open(os.path.join(root, table, "_SUCCESS"), "w").close()
    return os.path.join(root, table)


@pytest.mark.parametrize("table", list(STL_TABLES))
def test_a_clean_export_of_every_table_is_published(tmp_path, table):
    folder = export(tmp_path, table)
    result = stl_gate(table, now=NOW).run(folder)
    assert result.published, str(result)
    assert result.status is CheckStatus.SUCCESS, str(result)


def test_a_rerun_after_a_failure_duplicates_rows_and_blocks(tmp_path):
    folder = export(tmp_path, "stl_query")
    write_part(tmp_path, "stl_query", "prod-a", DAYS[2], rows_of("stl_query", DAYS[2]))  # the same rows again
    result = stl_gate("stl_query", now=NOW).run(folder)
    assert not result.published and result.decision == "failed checks"
    assert any("Uniqueness(clusterid,query)" in f for f in result.failed_constraints), result.failed_constraints


def test_a_row_in_the_wrong_startdate_partition_blocks(tmp_path):
    folder = export(tmp_path, "stl_wlm_query")
    late = rows_of("stl_wlm_query", DAYS[0], n=1)
    late["query"] = [99_999]
    write_part(tmp_path, "stl_wlm_query", "prod-a", DAYS[1], late)  # queue_start_time of day 0 under day 1
    result = stl_gate("stl_wlm_query", now=NOW).run(folder)
    assert not result.published
    assert any("startdate is the date of queue_start_time" in f for f in result.failed_constraints)


def test_validity_faults_each_fail_their_constraint(tmp_path):
    q = rows_of("stl_query", DAYS[2])
    q["endtime"][0] = q["starttime"][0] - timedelta(seconds=1)
    q["aborted"][1] = 2
    q["database"][2] = " " * 32
    write_part(tmp_path, "stl_query", "prod-a", DAYS[2], q)
    result = stl_gate("stl_query", now=NOW).run(str(tmp_path / "stl_query"))
    failed = " | ".join(result.failed_constraints)
    assert "endtime" in failed and "aborted" in failed and "database is not blank" in failed, failed
    assert len(result.failed_constraints) == 3


def test_text_chunks_must_be_numbered_without_gaps(tmp_path):
    t = rows_of("stl_querytext", DAYS[2], n=3)
    t["query"] = [7, 7, 8]
    t["sequence"] = [0, 2, 0]  # query 7 lacks chunk 1
    write_part(tmp_path, "stl_querytext", "prod-a", DAYS[2], t)
    result = stl_gate("stl_querytext", now=NOW).run(str(tmp_path / "stl_querytext"))
    assert not result.published and any("CustomSQL" in f or "custom" in f.lower() for f in result.failed_constraints)
    t["sequence"] = [0, 1, 0]
    os.remove(next(p for p in (tmp_path / "stl_querytext").rglob("*.parquet")))
    write_part(tmp_path, "stl_querytext", "prod-a", DAYS[2], t)
    assert stl_gate("stl_querytext", now=NOW).run(str(tmp_path / "stl_querytext")).published


def test_scan_row_counts_must_shrink_through_the_filters(tmp_path):
    s = rows_of("stl_scan", DAYS[2])
    s["rows"][0] = 50  # more rows out than in
    write_part(tmp_path, "stl_scan", "prod-a", DAYS[2], s)
    result = stl_gate("stl_scan", now=NOW).run(str(tmp_path / "stl_scan"))
    assert [f for f in result.failed_constraints if "rows_pre_user_filter" in f]


def test_stale_export_is_a_warning_that_blocks_only_with_fail_on_warning(tmp_path):
    folder = export(tmp_path, "stl_query")
    later = NOW + timedelta(days=2)
    warned = stl_gate("stl_query", now=later).run(folder)
    assert warned.published and warned.status is CheckStatus.WARNING
    blocked = stl_gate("stl_query", now=later, fail_on="warning").run(folder)
    assert not blocked.published and "freshness" in blocked.failed_constraints[0]
    assert stl_gate("stl_query", now=later, freshness=None).run(folder).status is CheckStatus.SUCCESS


def test_preflight_layout_schema_and_continuity(tmp_path):
    folder = export(tmp_path, "stl_query", days=[DAYS[0], DAYS[2]])  # 2026-11-23 missing
    (tmp_path / "stl_query" / "stray.parquet").write_bytes(b"")
    q = rows_of("stl_query", DAYS[2])
    del q["querytxt"]
    write_part(tmp_path, "stl_query", "prod-c", DAYS[2], q)
    drifted = rows_of("stl_query", DAYS[2])
    drifted["query"] = [str(v) for v in drifted["query"]]
    write_part(tmp_path, "stl_query", "prod-d", DAYS[2], drifted, types={"query": pa.string()})
    problems = stl_preflight("stl_query")(folder)
    text = "\n".join(problems)
    assert "stray.parquet: not a Parquet file under clusterid=<id>/startdate=<YYYY-MM-DD>/" in text
    assert "documented column 'querytxt' (character) is missing" in text
    assert "column 'query' is string, documented as integer" in text
    assert "(schema drift)" in text
    assert "cluster prod-a: 1 missing startdate partition(s) between 2026-11-22 and 2026-11-24: 2026-11-23" in text
    result = stl_gate("stl_query", now=NOW).run(folder)
    assert not result.published and result.decision == "failed preflight" and result.problems == problems
    assert result.verification is None  # no query ran


def test_gaps_are_normal_for_tables_without_daily_rows(tmp_path):
    folder = export(tmp_path, "stl_ddltext", days=[DAYS[0], DAYS[2]])
    assert stl_preflight("stl_ddltext")(folder) == []
    assert stl_preflight("stl_ddltext", continuity=True)(folder)
    assert stl_gate("stl_ddltext", now=NOW).run(folder).published


def test_new_columns_from_a_newer_cluster_version_are_allowed(tmp_path):
    q = rows_of("stl_query", DAYS[2])
    q["result_cache_hit"] = ["f"] * 6
    write_part(tmp_path, "stl_query", "prod-a", DAYS[2], q)
    assert stl_gate("stl_query", now=NOW).run(str(tmp_path / "stl_query")).published


def test_mistakes_name_the_option(tmp_path):
    with pytest.raises(InvalidOptionError, match="stl_querry.*did you mean 'stl_query'"):
        stl_checks("stl_querry")
    result = stl_gate("stl_query").run(str(tmp_path / "nowhere"))
    assert not result.published and result.decision == "verification error" and "export folder" in result.reason


def test_same_verdicts_on_spark(tmp_path, spark):
    folder = export(tmp_path, "stl_query")
    checks = stl_checks("stl_query", now=NOW)
    assert VerificationSuite().on_data(spark.read.parquet(folder)).add_checks(checks).run().status \
        is CheckStatus.SUCCESS
    write_part(tmp_path, "stl_query", "prod-a", DAYS[2], rows_of("stl_query", DAYS[2]))
    on_spark = VerificationSuite().on_data(spark.read.parquet(folder)).add_checks(checks).run()
    on_duckdb = VerificationSuite().on_data(folder).add_checks(checks).run()
    assert on_spark.status is on_duckdb.status is CheckStatus.ERROR
    assert on_spark.check_results_as_dicts() == on_duckdb.check_results_as_dicts()


def test_cli_gate_with_the_pack(tmp_path, capsys):
    from dq.cli import main

    # the CLI judges freshness against the clock: rows from the last few minutes
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    fresh = rows_of("stl_query", today)
    fresh["starttime"] = [max(today, now - timedelta(minutes=10))] * 6
    fresh["endtime"] = [max(today, now - timedelta(minutes=5))] * 6
    write_part(tmp_path, "stl_query", "prod-a", today, fresh)
    folder = str(tmp_path / "stl_query")
    assert main(["gate", folder, "--pack", "redshift-stl:stl_query", "--format", "json"]) == 0
    capsys.readouterr()
    # a row of another day in today's partition
    write_part(tmp_path, "stl_query", "prod-a", today, rows_of("stl_query", today - timedelta(days=40)))
    assert main(["gate", folder, "--pack", "redshift-stl:stl_query"]) == 1
    assert "startdate is the date of starttime" in capsys.readouterr().out
    assert main(["gate", folder, "--pack", "redshift:stl_query"]) == 2
    assert main(["gate", folder]) == 2
    assert "--checks/--pack" in capsys.readouterr().err
