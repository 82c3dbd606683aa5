"""Every input kind the DuckDB backend reads gives the same metrics for the same data.

One small dataset is handed to dq as a pyarrow Table (the reference), a one-shot RecordBatchReader,
pandas and polars DataFrames, DuckDB relations, a table or view name on a connection, and as
Parquet, CSV and JSON files: single, listed, globbed, in folders and hive-partitioned folders.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from dq import AnalysisRunner
from dq.analyzers import (
    ApproxCountDistinct,
    ApproxQuantile,
    ApproxQuantiles,
    ColumnCount,
    Completeness,
    Compliance,
    Correlation,
    CountDistinct,
    CustomSql,
    DataType,
    Distinctness,
    DuplicateRowCount,
    Entropy,
    ExactQuantile,
    Histogram,
    KLLSketch,
    Maximum,
    MaxLength,
    Mean,
    Minimum,
    MinLength,
    MutualInformation,
    PatternMatch,
    RatioOfSums,
    Size,
    StandardDeviation,
    Sum,
    Uniqueness,
)
from dq.metrics import BucketDistribution, Distribution, KeyedValues

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

N = 12
TABLE = pa.table({
    "id": pa.array(range(1, N + 1), pa.int64()),
    "x": pa.array([1.5, 2.25, None, 4.0, 5.5, 6.0, None, 8.75, 9.0, 10.5, 11.0, 12.25], pa.float64()),
    "s": pa.array(["a", "bb", "a", None, "ccc", "a", "bb", "dd", None, "a", "e", "bb"], pa.string()),
    "flag": pa.array([True, False, True, True, False, None, True, False, True, True, False, True]),
    "d": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=17 * i) for i in range(N)], pa.date32()),
    "year": pa.array([2020] * 5 + [2021] * 7, pa.int64()),
})

ANALYZERS = [
    Size(), Size(where="year = 2021"), Completeness("x"), Completeness("s"), Mean("x"), Sum("id"),
    StandardDeviation("x"), Minimum("x"), Maximum("id"), Minimum("d"), Maximum("d"), Correlation("id", "x"),
    RatioOfSums("x", "id"), ApproxCountDistinct("s"), CountDistinct(["s"]), Distinctness(["s", "year"]),
    Uniqueness(["s"]), Entropy("s"), MutualInformation(["s", "year"]), Histogram("s"), Histogram("year"),
    Histogram("flag"), DuplicateRowCount(["s", "year"]), DataType("s"), DataType("x"), MinLength("s"),
    MaxLength("s"), PatternMatch("s", "^b+$"), Compliance("big", "x > 5", where="year = 2021"),
    Compliance("flagged", "flag"), Completeness("flag"), ApproxQuantile("x", 0.5),
    ApproxQuantiles("id", [0.25, 0.75]), KLLSketch("x", number_of_buckets=4), ExactQuantile("x", 0.5),
    Mean("x", where="s = 'a'"), CustomSql("SELECT count(*) FROM dataset WHERE x > 5"), ColumnCount(),
]
# analyzers of which each input kind needs at least one: a scan, a grouping query and a KLL pass
ONE_OF_EACH_PASS = [Mean("x"), CountDistinct(["s"]), ApproxQuantile("x", 0.5)]


def metrics(data, *, connection=None, analyzers=ANALYZERS):
    ctx = AnalysisRunner.on_data(data, connection=connection).add_analyzers(analyzers).run()
    failed = {a: m.error for a, m in ctx.metric_map.items() if not m.is_success}
    assert not failed, failed
    return ctx


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)
    if isinstance(a, Distribution):
        return (a.number_of_bins == b.number_of_bins and a.tail_count == b.tail_count
                and a.absolutes() == b.absolutes()
                and all(_same(a.values[k].ratio, b.values[k].ratio) for k in a.values))
    if isinstance(a, KeyedValues):
        return a.values == b.values
    if isinstance(a, BucketDistribution):
        return a.buckets == b.buckets
    return a == b


def assert_same_metrics(ctx, reference):
    diffs = {}
    for a in reference.metric_map:
        got, want = ctx.metric(a).value, reference.metric(a).value
        if not _same(got, want):
            diffs[a] = (got, want)
    assert not diffs, diffs


@pytest.fixture(scope="module")
def reference():
    ctx = metrics(TABLE)
    # a few values checked by hand, so the reference itself is right
    m = ctx.metric
    assert m(Size()).value == 12.0
    assert m(Size(where="year = 2021")).value == 7.0
    assert m(Completeness("x")).value == pytest.approx(10 / 12)
    assert m(Completeness("s")).value == pytest.approx(10 / 12)
    assert m(Sum("id")).value == 78.0
    assert m(Minimum("d")).value == dt.date(2020, 1, 1)
    assert m(Maximum("d")).value == dt.date(2020, 1, 1) + dt.timedelta(days=17 * 11)
    assert m(CountDistinct(["s"])).value == 5.0
    assert m(Histogram("s")).value.absolutes() == {"a": 4, "bb": 3, "NullValue": 2, "ccc": 1, "dd": 1, "e": 1}
    assert m(Histogram("flag")).value.absolutes() == {"true": 7, "false": 4, "NullValue": 1}
    assert m(Compliance("flagged", "flag")).value == pytest.approx(7 / 12)
    assert m(CustomSql("SELECT count(*) FROM dataset WHERE x > 5")).value == 7.0
    assert m(ColumnCount()).value == 6.0
    return ctx


# -------------------------------------------------------------------------------------------------
# In-memory objects
# -------------------------------------------------------------------------------------------------

def test_record_batch_reader_is_read_once_yet_serves_every_pass(reference):
    batches = TABLE.to_batches(max_chunksize=5)
    pulled = []

    def gen():
        for b in batches:
            pulled.append(b.num_rows)
            yield b

    reader = pa.RecordBatchReader.from_batches(TABLE.schema, gen())
    ctx = metrics(reader)
    assert_same_metrics(ctx, reference)
    assert sum(pulled) == N  # the stream was consumed exactly once
    # scan, KLL pass, grouped queries and CustomSql all read it
    assert ctx.num_queries >= 4


def test_record_batch_reader_with_one_of_each_pass(reference):
    reader = pa.RecordBatchReader.from_batches(TABLE.schema, TABLE.to_batches(max_chunksize=3))
    ctx = metrics(reader, analyzers=ONE_OF_EACH_PASS)
    assert ctx.num_queries == 3
    for a in ONE_OF_EACH_PASS:
        assert ctx.metric(a) == reference.metric(a)


def test_record_batch_reader_on_a_given_connection(reference):
    con = duckdb.connect()
    reader = pa.RecordBatchReader.from_batches(TABLE.schema, TABLE.to_batches(max_chunksize=4))
    assert_same_metrics(metrics(reader, connection=con), reference)


def test_pandas_dataframe(reference):
    assert_same_metrics(metrics(TABLE.to_pandas()), reference)


def test_pandas_dataframe_with_arrow_dtypes(reference):
    df = TABLE.to_pandas(types_mapper=pd.ArrowDtype)
    assert_same_metrics(metrics(df), reference)


def test_polars_dataframe(reference):
    df = pl.from_arrow(TABLE)
    assert isinstance(df, pl.DataFrame)
    assert_same_metrics(metrics(df), reference)


def test_duckdb_relation_on_a_connection(reference):
    con = duckdb.connect()
    con.register("src", TABLE)
    con.execute("CREATE TABLE t AS SELECT * FROM src")
    rel = con.sql("SELECT * FROM t")
    assert_same_metrics(metrics(rel), reference)
    # a relation with its own filter and projection is analysed as it stands
    ctx = metrics(con.sql("SELECT id, x, s FROM t WHERE year = 2021"), analyzers=[Size(), Mean("id"), ColumnCount()])
    assert [m.value for m in ctx.all_metrics()] == [7.0, 9.0, 3.0]


def test_duckdb_relation_from_the_default_connection(reference):
    local_arrow = TABLE  # noqa: F841 - read by DuckDB's replacement scan, by name
    rel = duckdb.sql("SELECT * FROM local_arrow")
    assert_same_metrics(metrics(rel), reference)


def test_duckdb_relation_of_a_file(files, reference):
    con = duckdb.connect()
    assert_same_metrics(metrics(con.read_parquet(str(files["root"] / "all.parquet"))), reference)
    assert_same_metrics(metrics(con.read_csv(str(files["root"] / "all.csv"))), reference)


def test_table_name_on_a_connection(reference):
    con = duckdb.connect()
    con.register("src", TABLE)
    con.execute("CREATE TABLE reviews AS SELECT * FROM src")
    con.execute("CREATE VIEW reviews_view AS SELECT * FROM reviews")
    assert_same_metrics(metrics("reviews", connection=con), reference)
    assert_same_metrics(metrics("reviews_view", connection=con), reference)
    # the table is only read: it is still there, unchanged
    assert con.execute("SELECT count(*) FROM reviews").fetchone() == (N,)


def test_registered_arrow_table_name_on_a_connection(reference):
    con = duckdb.connect()
    con.register("arrow_reviews", TABLE)
    assert_same_metrics(metrics("arrow_reviews", connection=con), reference)


# -------------------------------------------------------------------------------------------------
# Files
# -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    halves = [TABLE.slice(0, 5), TABLE.slice(5)]
    out = {"root": root}
    # Parquet
    pq.write_table(TABLE, root / "all.parquet")
    (root / "parts").mkdir()
    for i, h in enumerate(halves):
        pq.write_table(h, root / "parts" / f"part-{i}.parquet")
    # hive partitioning: the year column lives only in the folder names
    for year in (2020, 2021):
        sub = TABLE.filter(pa.compute.equal(TABLE["year"], year)).drop(["year"])
        (root / "hive" / f"year={year}").mkdir(parents=True)
        pq.write_table(sub.slice(0, 3), root / "hive" / f"year={year}" / "part-0.parquet")
        pq.write_table(sub.slice(3), root / "hive" / f"year={year}" / "part-1.parquet")
    # CSV (plain, split, gzipped)
    pacsv.write_csv(TABLE, root / "all.csv")
    (root / "csv_parts").mkdir()
    for i, h in enumerate(halves):
        pacsv.write_csv(h, root / "csv_parts" / f"part-{i}.csv")
    with open(root / "all.csv", "rb") as f, gzip.open(root / "all.csv.gz", "wb") as g:
        g.write(f.read())
    # JSON: an array of objects, and newline-delimited
    rows = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in TABLE.to_pylist()]
    (root / "all.json").write_text(json.dumps(rows))
    (root / "json_parts").mkdir()
    (root / "json_parts" / "part-0.ndjson").write_text("\n".join(json.dumps(r) for r in rows[:5]) + "\n")
    (root / "json_parts" / "part-1.jsonl").write_text("\n".join(json.dumps(r) for r in rows[5:]) + "\n")
    return out


def test_parquet_file(files, reference):
    assert_same_metrics(metrics(str(files["root"] / "all.parquet")), reference)


def test_parquet_file_as_pathlib_path(files, reference):
    assert_same_metrics(metrics(files["root"] / "all.parquet"), reference)


def test_list_of_parquet_files(files, reference):
    parts = sorted((files["root"] / "parts").iterdir())
    assert_same_metrics(metrics([str(p) for p in parts]), reference)
    assert_same_metrics(metrics(tuple(parts)), reference)  # a tuple of Paths too


def test_glob_of_parquet_files(files, reference):
    assert_same_metrics(metrics(str(files["root"] / "parts" / "*.parquet")), reference)


def test_folder_of_parquet_files(files, reference):
    assert_same_metrics(metrics(str(files["root"] / "parts")), reference)


def test_hive_partitioned_folder(files, reference):
    ctx = metrics(str(files["root"] / "hive"), analyzers=ANALYZERS)
    assert_same_metrics(ctx, reference)
    # the partition column became an ordinary column
    ctx = metrics(str(files["root"] / "hive"), analyzers=[CountDistinct(["year"]), Histogram("year")])
    assert ctx.metric(CountDistinct(["year"])).value == 2.0
    assert ctx.metric(Histogram("year")).value.absolutes() == {"2021": 7, "2020": 5}


def test_hive_partitioned_glob_reads_every_file(files, reference):
    ctx = metrics(str(files["root"] / "hive" / "*" / "*.parquet"), analyzers=[Size(), Mean("x"), Histogram("s")])
    for a in (Size(), Mean("x"), Histogram("s")):
        assert _same(ctx.metric(a).value, reference.metric(a).value)


def test_hive_partitioned_glob_keeps_the_partition_column(files, reference):
    paths = [str(files["root"] / "hive" / "*" / "*.parquet"),
             sorted(str(p) for p in (files["root"] / "hive").glob("*/*.parquet"))]
    for data in paths:
        assert_same_metrics(metrics(data), reference)


def test_csv_file(files, reference):
    assert_same_metrics(metrics(str(files["root"] / "all.csv")), reference)


def test_gzipped_csv_file(files, reference):
    assert_same_metrics(metrics(str(files["root"] / "all.csv.gz")), reference)


def test_csv_files_listed_globbed_and_in_a_folder(files, reference):
    parts = sorted(str(p) for p in (files["root"] / "csv_parts").iterdir())
    assert_same_metrics(metrics(parts), reference)
    assert_same_metrics(metrics(str(files["root"] / "csv_parts" / "*.csv")), reference)
    assert_same_metrics(metrics(str(files["root"] / "csv_parts")), reference)


def test_json_array_file(files, reference):
    assert_same_metrics(metrics(str(files["root"] / "all.json")), reference)


def test_ndjson_and_jsonl_files(files, reference):
    parts = sorted(str(p) for p in (files["root"] / "json_parts").iterdir())
    assert [p.rsplit(".", 1)[1] for p in parts] == ["ndjson", "jsonl"]
    assert_same_metrics(metrics(parts), reference)
    assert_same_metrics(metrics(str(files["root"] / "json_parts")), reference)


def test_file_inputs_scan_once(files):
    # files stream: the scan analyzers read each file in one statement, whatever the kind
    for path in ("all.parquet", "all.csv", "all.json"):
        ctx = metrics(str(files["root"] / path), analyzers=[Size(), Mean("x"), Completeness("s"), Maximum("d")])
        assert ctx.num_queries == 1, path


def test_every_kind_has_the_same_schema_types(files):
    """The types dq sees (and so the checks it allows) do not depend on the input kind."""
    from dq.backends.duckdb import DuckDBBackend

    kinds = {
        "arrow": TABLE, "pandas": TABLE.to_pandas(), "polars": pl.from_arrow(TABLE),
        "parquet": str(files["root"] / "all.parquet"), "csv": str(files["root"] / "all.csv"),
        "json": str(files["root"] / "all.json"),
    }
    schemas = {k: {c.name: c.kind for c in DuckDBBackend(v).schema} for k, v in kinds.items()}
    for k, s in schemas.items():
        assert s == schemas["arrow"], k


def test_hive_partitioned_csv_folder_with_string_keys(tmp_path):
    for market, rows in (("US", "id,x\n1,1.5\n2,2.5\n"), ("DE", "id,x\n3,3.5\n"), ("UK", "id,x\n4,\n")):
        (tmp_path / f"marketplace={market}").mkdir()
        (tmp_path / f"marketplace={market}" / "part.csv").write_text(rows)
    ctx = metrics(str(tmp_path), analyzers=[Size(), Histogram("marketplace"), Mean("x", where="marketplace = 'US'"),
                                            Completeness("x"), DataType("marketplace")])
    assert ctx.metric(Size()).value == 4.0
    assert ctx.metric(Histogram("marketplace")).value.absolutes() == {"US": 2, "DE": 1, "UK": 1}
    assert ctx.metric(Mean("x", where="marketplace = 'US'")).value == 2.0
    assert ctx.metric(Completeness("x")).value == 0.75
    assert ctx.metric(DataType("marketplace")).value["String"].absolute == 4


def test_backends_sharing_a_connection_read_their_own_data(tmp_path):
    # Each backend reads its data under a name of its own: two backends over files on a caller's
    # connection (each a view: with one name for all, the second replaced the first's) and ones
    # over relations on that connection, even a relation reading another's view, never see each
    # other's rows.
    from dq.analyzers import Size, Sum
    from dq.backends.duckdb import DuckDBBackend
    from dq.runner import _run_on

    def run(backend):
        ctx = _run_on(backend, [Size(), Sum("x")], errors="raise", load_states=None, save_states=None,
                      need_states=False)
        return ctx.metric(Size()).value, ctx.metric(Sum("x")).value

    path = str(tmp_path / "a.parquet")
    pq.write_table(pa.table({"x": [1, 2, 3]}), path)
    other = str(tmp_path / "d.parquet")
    pq.write_table(pa.table({"x": [100]}), other)
    con = duckdb.connect()
    a = DuckDBBackend(path, connection=con)
    assert run(a) == (3, 6)  # a's view now exists on con
    d = DuckDBBackend(other, connection=con)
    b = DuckDBBackend(con.sql(f'SELECT x * 10 AS x FROM "{a.source_name()}" WHERE x > 1'), connection=con)
    c = DuckDBBackend(con.sql("SELECT * FROM (VALUES (7)) t(x)"), connection=con)
    try:
        for _ in range(2):  # interleaved, all alive
            assert run(b) == (2, 50)
            assert run(c) == (1, 7)
            assert run(d) == (1, 100)
            assert run(a) == (3, 6)
    finally:
        for backend in (d, c, b, a):
            backend.close()
    # what the backends left on the caller's connection is gone
    assert not [r for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
                if r[0].startswith("__dq")]
