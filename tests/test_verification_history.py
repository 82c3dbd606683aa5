"""VerificationSuite with a metrics repository: saving results, reusing them, anomaly checks."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from dq import Check, CheckLevel, CheckStatus, VerificationSuite
from dq.analyzers import Completeness, Size
from dq.anomaly import OnlineNormalStrategy, RelativeRateOfChangeStrategy, SimpleThresholdStrategy
from dq.errors import InvalidOptionError
from dq.repository import DuckDBMetricsRepository, FileSystemMetricsRepository, InMemoryMetricsRepository, ResultKey
from dq.verification import AnomalyCheckConfig

BASE = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
TAGS = {"dataset": "orders"}


@pytest.fixture(params=["memory", "duckdb", "files"])
def repo(request, tmp_path):
    if request.param == "memory":
        return InMemoryMetricsRepository()
    if request.param == "duckdb":
        return DuckDBMetricsRepository(str(tmp_path / "m.duckdb"))
    return FileSystemMetricsRepository(str(tmp_path / "results"))


def table(n: int, nulls: int = 0) -> pa.Table:
    return pa.table({"id": [None] * nulls + list(range(n - nulls)), "x": [1.0] * n})


def day(d: int) -> ResultKey:
    return ResultKey(BASE + dt.timedelta(days=d), TAGS)


def deliver(repo, d: int, data: pa.Table, *, anomaly=None, check: Check | None = None):
    suite = VerificationSuite().on_data(data).use_repository(repo).save_or_append_result(day(d))
    # every delivery records its size, as a pipeline with an anomaly check on it does
    suite = suite.add_check(check or Check(CheckLevel.ERROR, "ids").is_complete("id")).add_required_analyzer(Size())
    if anomaly is not None:
        strategy, analyzer, config = anomaly
        suite = suite.add_anomaly_check(strategy, analyzer, config)
    return suite.run()


def anomaly_result(result):
    (cr,) = [cr for cr in result.check_results if cr.check.description.startswith(("Anomaly", "size"))]
    (r,) = cr.constraint_results
    return cr, r


def test_a_row_count_that_halves_is_caught_without_a_threshold(repo):
    sizes = [1000, 1010, 990, 1005, 995, 1002, 998, 1001, 999, 1003]
    for d, n in enumerate(sizes):
        deliver(repo, d, table(n))
    result = deliver(repo, len(sizes), table(500), anomaly=(OnlineNormalStrategy(), Size(), None))
    cr, r = anomaly_result(result)
    assert result.status is CheckStatus.WARNING  # anomaly checks default to Warning, as in Deequ
    assert cr.status is CheckStatus.WARNING and not r.is_success
    assert "Size 500 is outside the expected range" in r.message and "OnlineNormal" in r.message
    # the next normal delivery is no anomaly (the anomalous one is in the history now, but a
    # Warning run is still a baseline: only Error runs are left out)
    result = deliver(repo, len(sizes) + 1, table(1000), anomaly=(OnlineNormalStrategy(), Size(), None))
    assert anomaly_result(result)[1].is_success


def test_failed_runs_are_left_out_of_the_baseline(repo):
    for d in range(5):
        deliver(repo, d, table(100))
    # a bad delivery: its Error-level check fails; its size (10) must not become the baseline
    bad = deliver(repo, 5, table(10, nulls=5))
    assert bad.status is CheckStatus.ERROR
    config = AnomalyCheckConfig(level=CheckLevel.ERROR, description="size",
                                with_tag_values=TAGS)
    rate = RelativeRateOfChangeStrategy(max_rate_decrease=0.5, max_rate_increase=2.0)
    def check_today(cfg):  # day 6, not saved
        return (VerificationSuite().on_data(table(100)).use_repository(repo)
                .add_anomaly_check(rate, Size(), cfg).run())

    # compared with the last good run (100), not with the failed run's 10
    assert check_today(config).status is CheckStatus.SUCCESS
    # asked to include failed runs, the baseline is 10 and 100 is a 10x increase
    with_failed = AnomalyCheckConfig(level=CheckLevel.ERROR, description="size", include_failed_runs=True)
    flagged = check_today(with_failed)
    assert flagged.status is CheckStatus.ERROR
    assert "RelativeRateOfChange" in anomaly_result(flagged)[1].message


def test_config_level_description_and_date_range(repo):
    for d, n in enumerate([100, 100, 100, 5000, 100]):
        deliver(repo, d, table(n))
    config = AnomalyCheckConfig(level="error", description="size", after=day(4).timestamp)
    result = deliver(repo, 5, table(100), anomaly=(SimpleThresholdStrategy(upper_bound=200), Size(), config))
    cr, r = anomaly_result(result)
    assert cr.check.level is CheckLevel.ERROR and cr.check.description == "size"
    assert r.is_success


def test_the_history_of_a_filtered_metric_is_found_again(repo):
    analyzer = Completeness("id", where="x > 0")
    for d in range(4):
        deliver(repo, d, table(100), check=Check(CheckLevel.ERROR, "c").has_completeness("id", ">= 0", ).where("x > 0"))
    result = deliver(repo, 4, table(100, nulls=60), anomaly=(
        RelativeRateOfChangeStrategy(max_rate_decrease=0.9), analyzer, None))
    cr, r = anomaly_result(result)
    assert not r.is_success and "Completeness" in r.message


def test_no_history_fails_the_anomaly_check_with_a_reason(repo):
    result = deliver(repo, 0, table(10), anomaly=(OnlineNormalStrategy(), Size(), None))
    _, r = anomaly_result(result)
    assert not r.is_success and "previous results" in r.message


def test_save_or_append_merges_metrics_of_one_key(repo):
    VerificationSuite().on_data(table(10)).use_repository(repo).save_or_append_result(day(0)) \
        .add_required_analyzer(Size()).run()
    VerificationSuite().on_data(table(10)).use_repository(repo).save_or_append_result(day(0)) \
        .add_required_analyzer(Completeness("id")).run()
    ctx = repo.load_by_key(day(0))
    assert ctx.metric(Size()).value == 10.0 and ctx.metric(Completeness("id")).value == 1.0


def test_reuse_existing_results_computes_only_what_is_missing(repo):
    VerificationSuite().on_data(table(10)).use_repository(repo).save_or_append_result(day(0)) \
        .add_required_analyzer(Size()).run()
    # the stored Size (10) is reused, not recomputed on this other data
    result = VerificationSuite().on_data(table(3)).use_repository(repo).reuse_existing_results_for_key(day(0)) \
        .add_check(Check(CheckLevel.ERROR, "s").has_size("== 10")).run()
    assert result.status is CheckStatus.SUCCESS and result.num_queries == 0
    result = VerificationSuite().on_data(table(3)).use_repository(repo).reuse_existing_results_for_key(day(0)) \
        .add_check(Check(CheckLevel.ERROR, "s").has_size("== 10").is_complete("id")).run()
    assert result.status is CheckStatus.SUCCESS and result.num_queries == 1  # only Completeness ran
    with pytest.raises(InvalidOptionError, match="missing"):
        VerificationSuite().on_data(table(3)).use_repository(repo) \
            .reuse_existing_results_for_key(day(0), fail_if_results_missing=True) \
            .add_check(Check(CheckLevel.ERROR, "s").is_complete("id")).run()


def test_repository_features_need_a_repository():
    with pytest.raises(InvalidOptionError, match="use_repository"):
        VerificationSuite().on_data(table(3)).save_or_append_result(day(0)).add_required_analyzer(Size()).run()
    with pytest.raises(InvalidOptionError, match="use_repository"):
        VerificationSuite().on_data(table(3)).add_anomaly_check(OnlineNormalStrategy(), Size()).run()
    with pytest.raises(InvalidOptionError, match="ResultKey"):
        VerificationSuite().on_data(table(3)).save_or_append_result("2026-01-01")
    with pytest.raises(InvalidOptionError, match="strategy"):
        VerificationSuite().on_data(table(3)).add_anomaly_check(lambda v: True, Size())
