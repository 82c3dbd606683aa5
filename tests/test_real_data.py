"""Real public data that dq did not generate: the datasets ``vega_datasets`` ships inside its wheel
(iris, cars, Seattle weather, US airports). Each metric is checked twice: against an independent
pandas/numpy computation in the test, and against facts about the dataset, hard-coded after checking
them (iris has 150 rows, 50 of each species, one duplicated row; cars has 8 missing MPG values ...).
"""

from __future__ import annotations

import math
import re

import numpy as np
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
    DataType,
    Distinctness,
    DuplicateRowCount,
    Entropy,
    ExactQuantile,
    Histogram,
    InterquartileRange,
    KLLSketch,
    Kurtosis,
    Maximum,
    MaxLength,
    Mean,
    Minimum,
    MinLength,
    MutualInformation,
    PatternMatch,
    RatioOfSums,
    Size,
    Skewness,
    StandardDeviation,
    Sum,
    Uniqueness,
    UniqueValueRatio,
    ZerosCount,
)

pd = pytest.importorskip("pandas")
vega = pytest.importorskip("vega_datasets")
local = vega.local_data

# Deequ's type-inference patterns, re-typed here from Deequ's source, for an independent check.
FRACTIONAL = re.compile(r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$")
INTEGRAL = re.compile(r"^(-|\+)? ?\d+$")
BOOLEAN = re.compile(r"^(true|false)$")


def run(data, analyzers):
    ctx = AnalysisRunner.on_data(data).add_analyzers(analyzers).run()
    failed = {a: m.error for a, m in ctx.metric_map.items() if not m.is_success}
    assert not failed, failed
    return ctx


def entropy(counts) -> float:
    p = np.asarray(counts, dtype=float)
    p = p / p.sum()
    return float(-(p * np.log(p)).sum())


def mutual_information(df, x: str, y: str) -> float:
    both = df[[x, y]].dropna()
    n = len(both)
    joint = both.groupby([x, y]).size()
    px = both.groupby(x).size()
    py = both.groupby(y).size()
    return float(sum(c / n * math.log((c / n) / ((px[a] / n) * (py[b] / n))) for (a, b), c in joint.items()))


def assert_rank_of(value: float, values, q: float, eps: float) -> None:
    """``value`` is a q-quantile of ``values`` within rank error ``eps`` (what a KLL sketch promises)."""
    v = np.sort(np.asarray(values, dtype=float))
    v = v[~np.isnan(v)]
    below, at_or_below = np.searchsorted(v, value, "left") / len(v), np.searchsorted(v, value, "right") / len(v)
    assert value in v  # KLL returns an item of the data
    assert below - eps <= q <= at_or_below + eps, (value, q, below, at_or_below)


def deequ_type(value: str) -> str:
    if FRACTIONAL.match(value):
        return "Fractional"
    if INTEGRAL.match(value):
        return "Integral"
    if BOOLEAN.match(value):
        return "Boolean"
    return "String"


# -------------------------------------------------------------------------------------------------
# Iris (pandas DataFrame)
# -------------------------------------------------------------------------------------------------

IRIS_NUMERIC = ["sepalLength", "sepalWidth", "petalLength", "petalWidth"]


@pytest.fixture(scope="module")
def iris():
    return local.iris()


@pytest.fixture(scope="module")
def iris_metrics(iris):
    analyzers = [Size(), ColumnCount(), DuplicateRowCount(), CountDistinct(["species"]), Histogram("species"),
                 Entropy("species"), Uniqueness(["species"]), DataType("species"), MaxLength("species"),
                 MinLength("species"), Correlation("petalLength", "petalWidth"),
                 Correlation("sepalLength", "sepalWidth"), MutualInformation(["species", "petalWidth"]),
                 Compliance("short petals", "petalLength < 2.5"), Histogram("species", where="petalLength >= 2.5"),
                 Mean("sepalLength", where="species = 'setosa'"), CountDistinct(IRIS_NUMERIC + ["species"]),
                 Uniqueness(IRIS_NUMERIC + ["species"])]
    for c in IRIS_NUMERIC:
        analyzers += [Completeness(c), Minimum(c), Maximum(c), Mean(c), Sum(c), StandardDeviation(c), Skewness(c),
                      Kurtosis(c), ExactQuantile(c, 0.5), InterquartileRange(c), ApproxQuantile(c, 0.5),
                      ApproxQuantiles(c, [0.1, 0.25, 0.75, 0.9]), ApproxCountDistinct(c), CountDistinct([c]),
                      Distinctness([c]), UniqueValueRatio([c]), Entropy(c), DataType(c)]
    return run(iris, analyzers)


def test_iris_known_facts(iris_metrics):
    m = iris_metrics.metric
    assert m(Size()).value == 150.0
    assert m(ColumnCount()).value == 5.0
    assert m(CountDistinct(["species"])).value == 3.0
    hist = m(Histogram("species")).value
    assert hist.absolutes() == {"setosa": 50, "versicolor": 50, "virginica": 50}
    assert all(v.ratio == pytest.approx(1 / 3) for v in hist.values.values())
    assert m(Entropy("species")).value == pytest.approx(math.log(3))
    assert m(Uniqueness(["species"])).value == 0.0
    # the famous duplicate: rows 102 and 143 (virginica 5.8, 2.7, 5.1, 1.9)
    assert m(DuplicateRowCount()).value == 2.0
    assert m(CountDistinct(IRIS_NUMERIC + ["species"])).value == 149.0
    assert m(Uniqueness(IRIS_NUMERIC + ["species"])).value == pytest.approx(148 / 150)
    # Fisher's summary statistics
    assert m(Minimum("sepalLength")).value == 4.3 and m(Maximum("sepalLength")).value == 7.9
    assert m(Minimum("petalLength")).value == 1.0 and m(Maximum("petalLength")).value == 6.9
    assert m(Minimum("sepalWidth")).value == 2.0 and m(Maximum("sepalWidth")).value == 4.4
    assert m(Minimum("petalWidth")).value == 0.1 and m(Maximum("petalWidth")).value == 2.5
    assert m(Mean("sepalLength")).value == pytest.approx(5.843333, abs=1e-6)
    assert m(Mean("sepalWidth")).value == pytest.approx(3.057333, abs=1e-6)
    assert m(Mean("petalLength")).value == pytest.approx(3.758)
    assert m(Mean("petalWidth")).value == pytest.approx(1.199333, abs=1e-6)
    assert m(Correlation("petalLength", "petalWidth")).value == pytest.approx(0.9628654, abs=1e-7)
    assert m(Correlation("sepalLength", "sepalWidth")).value == pytest.approx(-0.1175698, abs=1e-7)
    assert m(ExactQuantile("petalLength", 0.5)).value == pytest.approx(4.35)
    assert m(CountDistinct(["sepalLength"])).value == 35.0
    assert m(ApproxCountDistinct("sepalLength")).value == 35.0
    # setosa petals are all shorter than 2.5 cm, the others' all longer
    assert m(Compliance("short petals", "petalLength < 2.5")).value == pytest.approx(1 / 3)
    assert m(Histogram("species", where="petalLength >= 2.5")).value.absolutes() == {"versicolor": 50,
                                                                                      "virginica": 50}
    assert m(Mean("sepalLength", where="species = 'setosa'")).value == pytest.approx(5.006)
    assert m(MaxLength("species")).value == 10.0 and m(MinLength("species")).value == 6.0


@pytest.mark.parametrize("col", IRIS_NUMERIC)
def test_iris_numeric_columns_against_pandas(iris, iris_metrics, col):
    m = iris_metrics.metric
    s = iris[col]
    assert m(Completeness(col)).value == 1.0
    assert m(Minimum(col)).value == s.min()
    assert m(Maximum(col)).value == s.max()
    assert m(Mean(col)).value == pytest.approx(s.mean(), rel=1e-12)
    assert m(Sum(col)).value == pytest.approx(s.sum(), rel=1e-12)
    assert m(StandardDeviation(col)).value == pytest.approx(s.std(ddof=0), rel=1e-10)  # population, as Deequ
    z = (s - s.mean()) / s.std(ddof=0)
    assert m(Skewness(col)).value == pytest.approx((z ** 3).mean(), rel=1e-8, abs=1e-10)
    assert m(Kurtosis(col)).value == pytest.approx((z ** 4).mean() - 3, rel=1e-8, abs=1e-10)
    assert m(ExactQuantile(col, 0.5)).value == pytest.approx(s.quantile(0.5))
    assert m(InterquartileRange(col)).value == pytest.approx(s.quantile(0.75) - s.quantile(0.25))
    assert m(CountDistinct([col])).value == s.nunique()
    assert m(ApproxCountDistinct(col)).value == s.nunique()  # small n: HLL++ is exact here
    counts = s.value_counts()
    assert m(Distinctness([col])).value == pytest.approx(len(counts) / len(s))
    assert m(UniqueValueRatio([col])).value == pytest.approx((counts == 1).sum() / len(counts))
    assert m(Entropy(col)).value == pytest.approx(entropy(counts.values), rel=1e-12)
    assert_rank_of(m(ApproxQuantile(col, 0.5)).value, s, 0.5, eps=1 / 150)
    for q, v in m(ApproxQuantiles(col, [0.1, 0.25, 0.75, 0.9])).value.values.items():
        assert_rank_of(v, s, float(q), eps=1 / 150)
    # numbers typed as DOUBLE: their text is Fractional throughout
    dtype = m(DataType(col)).value
    assert dtype["Fractional"].absolute + dtype["Integral"].absolute == 150
    assert DataType.determine(dtype) == "Fractional"


def test_iris_species_column_types_and_information(iris, iris_metrics):
    m = iris_metrics.metric
    dtype = m(DataType("species")).value
    assert dtype.absolutes() == {"Unknown": 0, "Fractional": 0, "Integral": 0, "Boolean": 0, "String": 150}
    assert DataType.determine(dtype) == "String"
    assert m(Correlation("petalLength", "petalWidth")).value == pytest.approx(
        np.corrcoef(iris.petalLength, iris.petalWidth)[0, 1], rel=1e-12)
    assert m(MutualInformation(["species", "petalWidth"])).value == pytest.approx(
        mutual_information(iris, "species", "petalWidth"), rel=1e-10)


# -------------------------------------------------------------------------------------------------
# Cars (pandas DataFrame with missing values and a timestamp column)
# -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cars():
    # the file vega_datasets ships, read directly: its own loader passes an argument pandas deprecates
    df = pd.read_json(local.cars.filepath)
    df["Year"] = pd.to_datetime(df["Year"])
    return df


def test_cars_known_facts_and_pandas(cars):
    ctx = run(cars, [
        Size(), Completeness("Miles_per_Gallon"), Completeness("Horsepower"), Completeness("Name"),
        Histogram("Origin"), Histogram("Cylinders"), CountDistinct(["Cylinders"]), CountDistinct(["Name"]),
        Uniqueness(["Name"]), Minimum("Year"), Maximum("Year"), CountDistinct(["Year"]),
        Mean("Miles_per_Gallon"), StandardDeviation("Horsepower"), Correlation("Weight_in_lbs", "Miles_per_Gallon"),
        Correlation("Horsepower", "Miles_per_Gallon"), RatioOfSums("Weight_in_lbs", "Horsepower"),
        Mean("Miles_per_Gallon", where="Origin = 'Japan'"), Compliance("light", "Weight_in_lbs < 3000"),
        Entropy("Origin"), MutualInformation(["Origin", "Cylinders"]), DataType("Origin"), DataType("Cylinders"),
        ExactQuantile("Weight_in_lbs", 0.9), ApproxQuantile("Horsepower", 0.5), DuplicateRowCount(),
    ])
    m = ctx.metric
    # facts
    assert m(Size()).value == 406.0
    assert m(Completeness("Miles_per_Gallon")).value == pytest.approx(398 / 406)  # 8 cars without MPG
    assert m(Completeness("Horsepower")).value == pytest.approx(400 / 406)  # 6 without horsepower
    assert m(Completeness("Name")).value == 1.0
    assert m(Histogram("Origin")).value.absolutes() == {"USA": 254, "Japan": 79, "Europe": 73}
    assert m(Histogram("Cylinders")).value.absolutes() == {"4": 207, "8": 108, "6": 84, "3": 4, "5": 3}
    assert m(CountDistinct(["Cylinders"])).value == 5.0
    assert m(CountDistinct(["Name"])).value == 311.0
    assert m(Minimum("Year")).value.year == 1970 and m(Maximum("Year")).value.year == 1982
    # model years 1970-1982, but vega's copy has no 1981 (its 1981 cars are dated 1982)
    assert m(CountDistinct(["Year"])).value == 12.0 == cars.Year.nunique()
    assert m(DuplicateRowCount()).value == 0.0
    # pandas
    mpg, hp, wt = cars.Miles_per_Gallon, cars.Horsepower, cars.Weight_in_lbs
    assert m(Mean("Miles_per_Gallon")).value == pytest.approx(mpg.mean(), rel=1e-12)
    assert m(StandardDeviation("Horsepower")).value == pytest.approx(hp.std(ddof=0), rel=1e-10)
    assert m(Correlation("Weight_in_lbs", "Miles_per_Gallon")).value == pytest.approx(wt.corr(mpg), rel=1e-10)
    assert m(Correlation("Horsepower", "Miles_per_Gallon")).value == pytest.approx(hp.corr(mpg), rel=1e-10)
    assert m(Correlation("Weight_in_lbs", "Miles_per_Gallon")).value == pytest.approx(-0.83174, abs=1e-5)
    assert m(RatioOfSums("Weight_in_lbs", "Horsepower")).value == pytest.approx(wt.sum() / hp.sum(), rel=1e-12)
    assert m(Mean("Miles_per_Gallon", where="Origin = 'Japan'")).value == pytest.approx(
        mpg[cars.Origin == "Japan"].mean(), rel=1e-12)
    assert m(Compliance("light", "Weight_in_lbs < 3000")).value == pytest.approx((wt < 3000).mean())
    assert m(Uniqueness(["Name"])).value == pytest.approx((cars.Name.value_counts() == 1).sum() / 406)
    assert m(Entropy("Origin")).value == pytest.approx(entropy(cars.Origin.value_counts().values), rel=1e-12)
    assert m(MutualInformation(["Origin", "Cylinders"])).value == pytest.approx(
        mutual_information(cars, "Origin", "Cylinders"), rel=1e-10)
    assert m(ExactQuantile("Weight_in_lbs", 0.9)).value == pytest.approx(wt.quantile(0.9))
    assert_rank_of(m(ApproxQuantile("Horsepower", 0.5)).value, hp, 0.5, eps=1 / 400)
    assert DataType.determine(m(DataType("Origin")).value) == "String"
    assert m(DataType("Cylinders")).value["Integral"].absolute == 406


# -------------------------------------------------------------------------------------------------
# Seattle weather (the CSV file itself, read by DuckDB)
# -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def weather_path():
    return local.seattle_weather.filepath


@pytest.fixture(scope="module")
def weather(weather_path):
    return pd.read_csv(weather_path)


WEATHER_ANALYZERS = [
    Size(), Histogram("weather"), CountDistinct(["weather"]), Entropy("weather"), DataType("weather"),
    Minimum("date"), Maximum("date"), CountDistinct(["date"]), Uniqueness(["date"]), ZerosCount("precipitation"),
    Maximum("precipitation"), Mean("precipitation"), ExactQuantile("precipitation", 0.9),
    KLLSketch("precipitation", number_of_buckets=10), KLLSketch("temp_max", number_of_buckets=7),
    Correlation("temp_max", "temp_min"), Compliance("max >= min", "temp_max >= temp_min"),
    Mean("temp_max", where="weather = 'snow'"), StandardDeviation("wind"), Completeness("wind"),
    ApproxQuantiles("temp_min", [0.05, 0.5, 0.95]), MutualInformation(["weather", "precipitation"]),
    Histogram("weather", where="precipitation > 10"),
]


def test_seattle_weather_csv_file(weather_path, weather):
    ctx = run(weather_path, WEATHER_ANALYZERS)
    m = ctx.metric
    # facts: daily records of 2012-2015
    assert m(Size()).value == 1461.0
    assert m(Minimum("date")).value.isoformat() == "2012-01-01"
    assert m(Maximum("date")).value.isoformat() == "2015-12-31"
    assert m(CountDistinct(["date"])).value == 1461.0 and m(Uniqueness(["date"])).value == 1.0
    assert m(Histogram("weather")).value.absolutes() == {"sun": 714, "fog": 411, "rain": 259, "drizzle": 54,
                                                         "snow": 23}
    assert m(Compliance("max >= min", "temp_max >= temp_min")).value == 1.0
    assert m(Maximum("precipitation")).value == 55.9
    assert m(Completeness("wind")).value == 1.0
    assert DataType.determine(m(DataType("weather")).value) == "String"
    # pandas / numpy
    counts = weather.weather.value_counts()
    assert m(Entropy("weather")).value == pytest.approx(entropy(counts.values), rel=1e-12)
    assert all(m(Histogram("weather")).value[k].ratio == pytest.approx(v / 1461) for k, v in counts.items())
    p = weather.precipitation
    assert m(ZerosCount("precipitation")).value == float((p == 0).sum()) == 838.0
    assert m(Mean("precipitation")).value == pytest.approx(p.mean(), rel=1e-12)
    assert m(ExactQuantile("precipitation", 0.9)).value == pytest.approx(p.quantile(0.9))
    assert m(Correlation("temp_max", "temp_min")).value == pytest.approx(
        weather.temp_max.corr(weather.temp_min), rel=1e-10)
    assert m(Mean("temp_max", where="weather = 'snow'")).value == pytest.approx(
        weather.temp_max[weather.weather == "snow"].mean(), rel=1e-12)
    assert m(StandardDeviation("wind")).value == pytest.approx(weather.wind.std(ddof=0), rel=1e-10)
    # 1461 values overflow the sketch (k = 269 for relative_error 0.01), so compaction (randomised)
    # makes these approximate: within the documented 1% rank error, with a safety factor of 2
    for q, v in m(ApproxQuantiles("temp_min", [0.05, 0.5, 0.95])).value.values.items():
        assert_rank_of(v, weather.temp_min, float(q), eps=0.02)
    assert m(MutualInformation(["weather", "precipitation"])).value == pytest.approx(
        mutual_information(weather, "weather", "precipitation"), rel=1e-10)
    heavy = weather.weather[weather.precipitation > 10].value_counts().to_dict()
    assert m(Histogram("weather", where="precipitation > 10")).value.absolutes() == heavy


@pytest.mark.parametrize(("col", "buckets"), [("precipitation", 10), ("temp_max", 7)])
def test_seattle_weather_kll_buckets_against_numpy(weather_path, weather, col, buckets):
    # 1461 values fit in a sketch of size 2048 without compaction, so the bucket counts are exact
    a = KLLSketch(col, number_of_buckets=buckets)
    dist = run(weather_path, [a]).metric(a).value
    v = weather[col].to_numpy()
    assert len(dist.buckets) == buckets
    assert dist.buckets[0].low_value == v.min() and dist.buckets[-1].high_value == pytest.approx(v.max())
    for i, b in enumerate(dist.buckets):
        inside = (v >= b.low_value) & ((v <= b.high_value) if i == buckets - 1 else (v < b.high_value))
        assert b.count == int(inside.sum()), (i, b)
    assert sum(b.count for b in dist.buckets) == 1461


def test_seattle_weather_csv_and_dataframe_agree(weather_path, weather):
    analyzers = [a for a in WEATHER_ANALYZERS if not isinstance(a, (Minimum, Maximum)) or a.column != "date"]
    from_csv = run(weather_path, analyzers)
    from_df = run(weather, analyzers)  # date stays text in pandas: not used above
    for a in analyzers:
        x, y = from_csv.metric(a).value, from_df.metric(a).value
        if isinstance(a, ApproxQuantiles):  # randomised compaction: two runs need not agree exactly
            for q in x.values:
                assert_rank_of(x[q], weather[a.column], float(q), eps=0.02)
                assert_rank_of(y[q], weather[a.column], float(q), eps=0.02)
        elif isinstance(x, float):
            assert x == pytest.approx(y, rel=1e-12), a
        else:
            assert x == y, a


# -------------------------------------------------------------------------------------------------
# US airports (CSV): text columns, type inference, and "NA" that is not missing
# -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def airports_path():
    return local.airports.filepath


@pytest.fixture(scope="module")
def airports_text(airports_path):
    # every field as the text in the file (so the literal "NA" stays "NA")
    return pd.read_csv(airports_path, dtype=str, keep_default_na=False)


def test_airports_csv_file(airports_path, airports_text):
    t = airports_text
    ctx = run(airports_path, [
        Size(), Uniqueness(["iata"]), Completeness("city"), Completeness("state"), DataType("iata"),
        MinLength("iata"), MaxLength("iata"), PatternMatch("iata", r"^[A-Z0-9]{3,4}$"), Histogram("country"),
        CountDistinct(["state"]), CountDistinct(["country"]), Minimum("latitude"), Maximum("longitude"),
        Mean("latitude", where="state = 'AK'"), Compliance("north", "latitude > 40"), DataType("state"),
        Distinctness(["city", "state"]),
    ])
    m = ctx.metric
    assert m(Size()).value == 3376.0
    assert m(Uniqueness(["iata"])).value == 1.0
    # DuckDB reads the CSV's literal "NA" (12 airports have city and state "NA") as text, not as missing
    assert m(Completeness("city")).value == 1.0 and m(Completeness("state")).value == 1.0
    assert (t.city == "NA").sum() == 12
    # two FAA codes look like numbers in scientific notation: "0E0" and "0E8" are Fractional for Deequ
    dtype = m(DataType("iata")).value
    assert dtype.absolutes() == {"Unknown": 0, "Fractional": 2, "Integral": 0, "Boolean": 0, "String": 3374}
    expected = pd.Series([deequ_type(v) for v in t.iata]).value_counts().to_dict()
    assert {k: v.absolute for k, v in dtype.values.items() if v.absolute} == expected
    assert DataType.determine(dtype) == "String"
    assert DataType.determine(m(DataType("state")).value) == "String"
    assert m(MinLength("iata")).value == 3.0 and m(MaxLength("iata")).value == 4.0
    assert m(PatternMatch("iata", r"^[A-Z0-9]{3,4}$")).value == pytest.approx(
        t.iata.str.fullmatch(r"[A-Z0-9]{3,4}").mean())
    hist = m(Histogram("country")).value
    assert hist["USA"].absolute == 3372
    assert hist.absolutes() == t.country.value_counts().to_dict()
    assert m(CountDistinct(["state"])).value == t.state.nunique()
    lat, lon = t.latitude.astype(float), t.longitude.astype(float)
    assert m(Minimum("latitude")).value == lat.min()
    assert m(Maximum("longitude")).value == lon.max()
    assert m(Mean("latitude", where="state = 'AK'")).value == pytest.approx(lat[t.state == "AK"].mean(), rel=1e-12)
    assert m(Compliance("north", "latitude > 40")).value == pytest.approx((lat > 40).mean())
    pairs = t[["city", "state"]].drop_duplicates()
    assert m(Distinctness(["city", "state"])).value == pytest.approx(len(pairs) / 3376)


def test_airports_pandas_default_na_reading_differs(airports_path):
    # vega_datasets (pandas' defaults) reads the same "NA" text as missing: 12 cities and states
    df = local.airports()
    ctx = run(df, [Completeness("city"), Completeness("state"), Size()])
    assert ctx.metric(Size()).value == 3376.0
    assert ctx.metric(Completeness("city")).value == pytest.approx((3376 - 12) / 3376)
    assert ctx.metric(Completeness("state")).value == pytest.approx(1 - df.state.isna().mean())


def test_airports_all_text_columns_type_inference(airports_text):
    # a DataFrame of text: numbers stored as strings are recognised by their form, as Deequ does
    analyzers = [DataType(c) for c in airports_text.columns]
    ctx = run(airports_text, analyzers)
    for c in airports_text.columns:
        dist = ctx.metric(DataType(c)).value
        expected = pd.Series([deequ_type(v) for v in airports_text[c]]).value_counts().to_dict()
        assert {k: v.absolute for k, v in dist.values.items() if v.absolute} == expected, c
    assert DataType.determine(ctx.metric(DataType("latitude")).value) == "Fractional"
    assert DataType.determine(ctx.metric(DataType("longitude")).value) == "Fractional"
    assert DataType.determine(ctx.metric(DataType("name")).value) == "String"
