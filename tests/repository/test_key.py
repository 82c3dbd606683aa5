"""ResultKey: timestamps normalised to aware UTC, validated tags, hashable."""

from __future__ import annotations

import datetime as dt

import pytest

from dq.errors import InvalidOptionError
from dq.repository import ResultKey, Tags

UTC = dt.timezone.utc


def test_timestamps_become_aware_utc():
    t = dt.datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    assert ResultKey(dt.datetime(2024, 5, 1, 6, 0)).timestamp == t  # naive is UTC
    cest = dt.timezone(dt.timedelta(hours=2))
    assert ResultKey(dt.datetime(2024, 5, 1, 8, 0, tzinfo=cest)).timestamp == t
    assert ResultKey(dt.datetime(2024, 5, 1, 8, 0, tzinfo=cest)).timestamp.tzinfo is UTC
    assert ResultKey(dt.date(2024, 5, 1)).timestamp == dt.datetime(2024, 5, 1, tzinfo=UTC)
    # an int is Deequ's dataSetDate: milliseconds since the epoch, exactly
    assert ResultKey(1714543200000).timestamp == t
    assert ResultKey(1714543200123).epoch_ms == 1714543200123
    assert ResultKey(-1).timestamp == dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
    assert ResultKey(t).epoch_us == 1714543200000000


def test_a_pandas_timestamp_becomes_a_plain_datetime():
    pd = pytest.importorskip("pandas")
    k = ResultKey(pd.Timestamp("2024-05-01 06:00:00.000001999", tz="Europe/Berlin"))
    assert type(k.timestamp) is dt.datetime
    assert k == ResultKey(dt.datetime(2024, 5, 1, 4, 0, 0, 1, tzinfo=UTC))


@pytest.mark.parametrize("bad", [1.5, "2024-05-01", True, None])
def test_other_timestamps_are_refused(bad):
    with pytest.raises(InvalidOptionError, match="timestamp"):
        ResultKey(bad)


@pytest.mark.parametrize("tags", [{"": "x"}, {"a": ""}, {"a": 1}, {1: "a"}, ["a"], "dataset=a"])
def test_tags_are_non_empty_strings(tags):
    with pytest.raises(InvalidOptionError, match="tag"):
        ResultKey(0, tags)


def test_keys_are_values():
    a = ResultKey(0, {"dataset": "a", "region": "EU"})
    b = ResultKey(dt.datetime(1970, 1, 1), {"region": "EU", "dataset": "a"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.tags == {"dataset": "a", "region": "EU"}  # equal to a plain dict
    assert a != ResultKey(0, {"dataset": "a"}) and a != ResultKey(1, a.tags)
    assert ResultKey(0).tags == {} and isinstance(ResultKey(0).tags, Tags)
    with pytest.raises(AttributeError):
        a.timestamp = 5  # frozen
    assert ResultKey.from_dict(a.to_dict()) == a


def test_now_is_the_current_utc_time():
    before = dt.datetime.now(UTC)
    k = ResultKey.now({"dataset": "a"})
    assert before <= k.timestamp <= dt.datetime.now(UTC)
    assert k.timestamp.tzinfo is UTC and k.tags == {"dataset": "a"}


def test_tag_matching_is_a_subset_match():
    tags = Tags({"dataset": "a", "region": "EU"})
    assert tags.matches({}) and tags.matches({"region": "EU"}) and tags.matches(tags)
    assert not tags.matches({"region": "US"}) and not tags.matches({"owner": "x"})
