"""Deterministic generator of an Amazon-customer-reviews-like Parquet dataset.

    python -m benchmarks.generate_reviews --rows 10000000 --out data/reviews_10000000.parquet

or, from Python, ``generate_reviews(path, rows, seed=42) -> Path``.

Why synthetic: the real Amazon reviews dump is no longer downloadable, and the benchmarks and the
``make run`` demo need a file of any size, on any machine, with the same bytes every time. The
columns mimic the real dump's schema and *shape* (skews, heavy tails, correlated columns, rare
nulls and rare bad values) so every analyzer has something non-trivial to find.

How it stays fast and small:

* rows are made in fixed chunks of ``CHUNK_ROWS`` with vectorised numpy and pyarrow compute only
  (no Python per row), and each chunk is appended with ``pyarrow.parquet.ParquetWriter``, so
  memory is bounded by one chunk (~0.5 GB peak at 1M rows/chunk) whatever ``rows`` is;
* the file is written to a temporary name in the same directory and moved into place with
  ``os.replace``, so an interrupted run never leaves a truncated file that a later run would
  mistake for a finished one.

Determinism: chunk ``i`` draws from ``numpy.random.default_rng([seed, i])`` and from nothing else
(the title vocabulary comes from its own fixed stream), so the content depends only on
``(seed, rows)``; the same pyarrow version then writes byte-identical files. The content does not
depend on ``--row-group-size`` (only the file layout does).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["CHUNK_ROWS", "DEFAULT_ROW_GROUP_SIZE", "MARKETPLACES", "SCHEMA", "generate_reviews"]

#: Rows generated per step. Part of the data definition (chunk i has its own RNG stream), so
#: changing it changes the bytes; it is deliberately not a CLI option.
CHUNK_ROWS = 1_000_000

#: DuckDB parallelises a Parquet scan by row group: 250k-row groups give a 1M-row file four
#: groups (both cores busy) without making big files' footers and per-group overhead large.
DEFAULT_ROW_GROUP_SIZE = 250_000

#: Chunks generated ahead of the writer (each ~150 MB of Arrow data at 1M rows).
_LOOKAHEAD = 2

#: Bump when the data definition changes, so an old file is regenerated instead of reused.
GENERATOR_VERSION = 1
_META_KEY = b"dq.benchmarks.reviews"

MARKETPLACES = ("US", "UK", "DE", "JP", "FR")

SCHEMA = pa.schema(
    [
        ("marketplace", pa.string()),
        ("customer_id", pa.string()),
        ("review_id", pa.string()),
        ("product_id", pa.string()),
        ("product_title", pa.string()),
        ("star_rating", pa.int32()),
        ("helpful_votes", pa.int32()),
        ("total_votes", pa.int32()),
        ("vine", pa.string()),
        ("verified_purchase", pa.string()),
        ("review_date", pa.date32()),
        ("year", pa.int32()),
    ]
)

_ALNUM = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_DATE_FIRST = _dt.date(1995, 6, 1)
_DATE_LAST = _dt.date(2015, 8, 31)
_EPOCH = _dt.date(1970, 1, 1)

# Rates of the deliberate imperfections (fractions of rows).
_P_MARKETPLACE_NULL = 0.005
_P_MARKETPLACE_BAD = 0.0001  # "us" or "": what Compliance(marketplace in (...)) should catch
_P_REVIEW_ID_DUP = 0.007
_P_REVIEW_ID_NULL = 0.0001
_P_TITLE_NULL = 0.001
_P_TITLE_EMPTY = 0.0005
_P_STAR_NULL = 0.0005
_P_DATE_NULL = 0.0002
_P_VINE = 0.01

# J-shaped star ratings (index 0 is 1 star): 5 > 4 > 1 > 3 > 2, as in real review sites. Vine
# (invited, free-product) reviewers rate differently, which gives MutualInformation(star_rating,
# vine) something to measure.
_STARS_P = np.array([0.10, 0.05, 0.08, 0.19, 0.58])
_STARS_P_VINE = np.array([0.02, 0.04, 0.12, 0.42, 0.40])
# Unhappy reviews attract more votes, so Correlation(total_votes, star_rating) is negative.
_VOTE_SCALE_BY_STAR = np.array([0.0, 3.0, 2.2, 1.5, 1.0, 0.8])

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


# --------------------------------------------------------------------------------------------
# Vectorised helpers
# --------------------------------------------------------------------------------------------


def _mix64(x: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 finaliser of ``x + salt``: a bijection on uint64, so distinct inputs stay
    distinct (unique ids by construction) while looking random."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64((salt * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _validity(null_mask: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    if null_mask is None or not null_mask.any():
        return None, 0
    return pa.py_buffer(np.packbits(~null_mask, bitorder="little")), int(null_mask.sum())


def _fixed_width_strings(prefix: bytes, digits: np.ndarray, null_mask=None) -> pa.StringArray:
    """Strings ``prefix + ALNUM[digits[i, :]]`` built straight into Arrow buffers: every value
    has the same byte width, so the offsets are an arange and the data one 2-D uint8 array."""
    n, w = digits.shape
    width = len(prefix) + w
    buf = np.empty((n, width), dtype=np.uint8)
    buf[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    buf[:, len(prefix) :] = _ALNUM[digits]
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    validity, nulls = _validity(null_mask)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(buf), validity, null_count=nulls
    )


def _base36_digits(values: np.ndarray, width: int) -> np.ndarray:
    """Big-endian base-36 digits (n, width) of non-negative integers."""
    v = values.astype(np.uint64)
    out = np.empty((len(v), width), dtype=np.uint8)
    for j in range(width - 1, -1, -1):  # loop over digit positions, not rows
        out[:, j] = (v % np.uint64(36)).astype(np.uint8)
        v //= np.uint64(36)
    return out


def _categorical(codes: np.ndarray, labels: list, null_mask=None) -> pa.Array:
    """Plain string array from small integer codes (dictionary-decode in C++)."""
    idx = pa.array(codes.astype(np.int8), mask=null_mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(labels, pa.string())).dictionary_decode()


def _power_law_index(rng: np.random.Generator, n: int, population: int, a: float) -> np.ndarray:
    """Indices in [0, population) with P(k) ~ k^(1/a - 1): index 0 is the most popular. A
    Zipf-like skew whose population is bounded (unlike rng.zipf), so distinct counts are
    predictable."""
    return np.minimum((population * rng.random(n) ** a).astype(np.int64), population - 1)


# --------------------------------------------------------------------------------------------
# Product titles: per-product strings composed from three small pools
# --------------------------------------------------------------------------------------------

# Word lists as split strings: a one-word-per-item literal would be 200 lines of noise.
_BRANDS = (  # noqa: SIM905
    "Sony Samsung Anker Logitech Philips Bosch Braun Canon Nikon Lego Hasbro Mattel Nike Adidas Puma "
    "Levi's Columbia Casio Seiko Timex Apple Amazon Kindle Dell Lenovo Asus Acer Corsair Razer "
    "Panasonic Sharp Toshiba Hitachi Makita DeWalt Stanley Pyrex OXO Cuisinart KitchenAid Hamilton "
    "Instant Ninja Dyson Shark Bissell Hoover Garmin Fitbit Jabra Bose JBL Sennheiser Nintendo Sega "
    "Penguin HarperCollins Scholastic Oxford Wiley O'Reilly Crayola Sharpie Moleskine Staples"
).split() + [
    # A small share of brands with accents or non-Latin scripts, as in the real multi-market dump.
    "Nestlé", "Müller", "Señorío", "Løvehjerte", "Crème Brûlée Co.", "Gebrüder Grimm", "Škoda",
    "Citroën", "Ægir", "Żubrówka", "無印良品", "資生堂", "任天堂", "ソニー", "Ōkami", "L'Oréal",
]
_WORDS = (  # noqa: SIM905
    "Wireless Bluetooth Headphones Noise Cancelling Over-Ear Stainless Steel Kitchen Knife Set "
    "Professional Chef Portable Charger Power Bank USB-C Fast Charging Cable Compatible with iPhone "
    "Android Smart Watch Fitness Tracker Heart Rate Monitor Waterproof Case Cover Screen Protector "
    "Tempered Glass Organic Green Tea Coffee Beans Medium Roast Whole Bean Dark Chocolate Gift Box "
    "Kids Toys Building Blocks Educational Puzzle Board Game Family Edition Hardcover Paperback Novel "
    "Cookbook Guide Complete Series Season DVD Blu-ray Vinyl Record Deluxe Remastered Soundtrack "
    "Men's Women's Running Shoes Cotton T-Shirt Slim Fit Jeans Leather Wallet Backpack Travel Bag "
    "Laptop Sleeve Gaming Mouse Mechanical Keyboard RGB Backlit Monitor Stand Desk Lamp LED Bulbs "
    "Vacuum Cleaner Cordless Air Purifier HEPA Filter Replacement Humidifier Essential Oil Diffuser "
    "Yoga Mat Non-Slip Resistance Bands Dumbbells Adjustable Protein Powder Vanilla Vitamins "
    "Garden Hose Expandable Lawn Mower Cordless Drill Driver Kit Screwdriver Bits Tool Organizer "
    "Pet Dog Food Grain-Free Cat Litter Clumping Aquarium Filter Bird Feeder Baby Stroller Diapers"
).split()
_SUFFIXES = [
    ", Black", ", White", ", Pack of 2", ", Pack of 6", " (Blue)", " (Large)", " - 32GB", " - 64GB",
    ", 2nd Edition", " [Import]", " (Renewed)", ", 12 oz", " – Limited Edition", " (Édition Française)",
    " (Deutsche Ausgabe)", " 日本語版", " 限定版", " 🎧", " ⭐ Bestseller", " 🎁 Gift Idea", " ❤",
]


def _title_pools(seed: int) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Brand, phrase and suffix pools, from their own RNG stream (independent of chunking).

    A title is brand + phrase + suffix chosen by hashing the product index, so one product always
    has one title and the number of distinct titles follows the number of products. Phrase
    lengths are log-normal, so titles run from a few characters to the 200-char cap. Built once
    per file: ~40k small strings, a negligible Python loop."""
    rng = np.random.default_rng([seed, 2**32 + 1])
    words = np.array(_WORDS, dtype=object)
    n_phrases = 32_768
    n_words = np.clip(np.round(rng.lognormal(1.7, 0.7, n_phrases)), 1, 40).astype(int)
    phrases = [" ".join(words[rng.integers(0, len(words), k)]) for k in n_words]
    # Latin-only brands weigh 4x, so ~6% of titles carry an accented or CJK brand.
    brands = [b + " " for b in _BRANDS for _ in range(4 if b.isascii() else 1)]
    # Most titles have no suffix; unicode-bearing suffixes end up in ~1% of titles.
    suffixes = [""] * (len(_SUFFIXES) * 12) + _SUFFIXES
    return pa.array(brands), pa.array(phrases), pa.array(suffixes)


def _titles(product_idx: np.ndarray, pools, rng: np.random.Generator) -> pa.Array:
    brands, phrases, suffixes = pools
    key = product_idx.astype(np.uint64)
    parts = [
        pools_arr.take(pa.array((_mix64(key, salt) % np.uint64(len(pools_arr))).astype(np.int64)))
        for salt, pools_arr in ((11, brands), (12, phrases), (13, suffixes))
    ]
    titles = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, ""), 0, 200)
    n = len(product_idx)
    u = rng.random(n)
    empty = u < _P_TITLE_EMPTY
    null = (u >= _P_TITLE_EMPTY) & (u < _P_TITLE_EMPTY + _P_TITLE_NULL)
    if empty.any():
        titles = pc.if_else(pa.array(empty), pa.scalar("", pa.string()), titles)
    if null.any():
        titles = pc.if_else(pa.array(null), pa.scalar(None, pa.string()), titles)
    return titles


# --------------------------------------------------------------------------------------------
# One chunk
# --------------------------------------------------------------------------------------------


def _population_sizes(rows: int) -> tuple[int, int]:
    # Customers: with the a=2 power law, ~88% of a population of rows/2.6 shows up at least
    # once, i.e. ~rows/3 distinct customers. Products: a=2.5 shows ~99% of rows/10 (the most
    # popular product gets ~0.4% of the reviews at 10M rows).
    return max(1, round(rows / 2.6)), max(1, round(rows / 10))


def _chunk(seed: int, chunk_index: int, start: int, n: int, rows: int, pools) -> pa.Table:
    rng = np.random.default_rng([seed, chunk_index])
    n_customers, n_products = _population_sizes(rows)

    # marketplace: skewed to US; rare nulls and rare bad codes.
    mk = rng.choice(5, size=n, p=[0.62, 0.12, 0.11, 0.08, 0.07]).astype(np.int8)
    u = rng.random(n)
    bad = u < _P_MARKETPLACE_BAD
    mk[bad] = np.where(rng.random(int(bad.sum())) < 0.5, 5, 6)
    marketplace = _categorical(
        mk, [*MARKETPLACES, "us", ""], null_mask=(u >= _P_MARKETPLACE_BAD) & (u < _P_MARKETPLACE_BAD + _P_MARKETPLACE_NULL)
    )

    # customer_id: 8+ digit strings, a bijection of a power-law customer index (few very
    # active reviewers, a long tail of one-off ones).
    cust = _power_law_index(rng, n, n_customers, 2.0)
    width = max(8, len(str(n_customers)))
    lo, span = 10 ** (width - 1), 9 * 10 ** (width - 1)
    # 55_623_947 is a prime (so coprime to span = 2^a 3^2 5^a) near 0.62 * 9e7: k -> k*A+B mod
    # span is a bijection that scatters the popular low indices over the whole range.
    customer_id = pc.cast(pa.array((cust * 55_623_947 + 27_182_818) % span + lo), pa.string())

    # review_id: "R" + 13 base-36 chars of a bijective hash of the global row number, so ids are
    # unique by construction; then ~0.7% of rows copy an earlier id of the same chunk.
    h = _mix64(np.arange(start, start + n, dtype=np.uint64), seed)
    dup = rng.random(n) < _P_REVIEW_ID_DUP
    dup[0] = False
    dup_pos = np.flatnonzero(dup)
    h[dup_pos] = h[(rng.random(len(dup_pos)) * dup_pos).astype(np.int64)]
    digits = _base36_digits(h, 13)
    # 2^64 < 36^13, so the leading digit is only 0..3; adding a lower digit mod 36 keeps the
    # encoding injective (the lower digits are unchanged) and makes every position look uniform.
    digits[:, 0] = (digits[:, 0] + 7 * digits[:, 12] + digits[:, 5]) % 36
    review_id = _fixed_width_strings(b"R", digits, null_mask=rng.random(n) < _P_REVIEW_ID_NULL)

    # product_id: "B00" + 7 base-36 chars of a bijection of a power-law product index.
    prod = _power_law_index(rng, n, n_products, 2.5)
    # The multiplier is odd and not a multiple of 3, i.e. coprime to 36^7 = 2^14 * 3^14, so the
    # map is a bijection; it is ~0.6 * 36^7 so that consecutive (popular) products spread over
    # the whole id space instead of all starting "B0000".
    code = (prod * 48_372_776_333 + 31_415_926_535) % 36**7
    product_id = _fixed_width_strings(b"B00", _base36_digits(code, 7))
    product_title = _titles(prod, pools, rng)

    # vine / verified_purchase / star_rating: vine reviews are rarely "verified" (the product was
    # free) and have their own rating profile.
    vine = rng.random(n) < _P_VINE
    verified = rng.random(n) < np.where(vine, 0.05, 0.8075)
    u = rng.random(n)
    stars = 1 + np.where(
        vine,
        np.searchsorted(np.cumsum(_STARS_P_VINE), u, side="right"),
        np.searchsorted(np.cumsum(_STARS_P), u, side="right"),
    )
    stars = np.minimum(stars, 5).astype(np.int32)

    # total_votes: 55% zero, else a Pareto tail scaled up for unhappy reviews; helpful_votes is a
    # binomial share of it (more helpful for high ratings), so helpful <= total always holds and
    # Correlation(total_votes, helpful_votes) is strongly positive.
    has_votes = rng.random(n) >= 0.55
    total = np.where(has_votes, 1 + np.floor(rng.pareto(1.3, n) * 2.0 * _VOTE_SCALE_BY_STAR[stars]), 0)
    total = np.minimum(total, 50_000).astype(np.int64)
    p_helpful = np.where(stars >= 4, rng.beta(5.0, 1.5, n), rng.beta(2.0, 2.0, n))
    helpful = rng.binomial(total, p_helpful).astype(np.int32)
    star_null = rng.random(n) < _P_STAR_NULL

    # review_date: truncated exponential growth (~60%/year) towards 2015-08-31.
    first, last = (_DATE_FIRST - _EPOCH).days, (_DATE_LAST - _EPOCH).days
    span_days, lam = last - first + 1, np.log(1.6) / 365.0
    back = -np.log1p(-rng.random(n) * -np.expm1(-lam * span_days)) / lam
    days = (last - np.minimum(np.floor(back), span_days - 1)).astype(np.int32)
    date_null = rng.random(n) < _P_DATE_NULL
    years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int32) + 1970

    return pa.Table.from_arrays(
        [
            marketplace,
            customer_id,
            review_id,
            product_id,
            product_title,
            pa.array(stars, pa.int32(), mask=star_null),
            pa.array(helpful, pa.int32()),
            pa.array(total.astype(np.int32), pa.int32()),
            _categorical(vine.astype(np.int8), ["N", "Y"]),
            _categorical(verified.astype(np.int8), ["N", "Y"]),
            pa.array(days, pa.date32(), mask=date_null),
            pa.array(years, pa.int32(), mask=date_null),
        ],
        schema=SCHEMA,
    )


# --------------------------------------------------------------------------------------------
# File
# --------------------------------------------------------------------------------------------


def _existing_matches(path: Path, rows: int, seed: int) -> bool:
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException):  # missing or not Parquet: regenerate
        return False
    if meta.num_rows != rows:
        return False
    # Same rows but another seed or generator version would silently benchmark other data.
    kv = meta.metadata or {}
    if _META_KEY not in kv:
        return True  # a file of the right size that we did not tag: trust the caller's name
    info = json.loads(kv[_META_KEY])
    return info.get("seed") == seed and info.get("version") == GENERATOR_VERSION


def generate_reviews(
    path: str | os.PathLike,
    rows: int,
    seed: int = 42,
    *,
    row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
    force: bool = False,
    verbose: bool = False,
) -> Path:
    """Write ``rows`` synthetic reviews to the Parquet file ``path`` and return its path.

    Skips the work if ``path`` already holds ``rows`` rows made with this seed (unless
    ``force``). Memory stays bounded by one chunk of ``CHUNK_ROWS`` rows."""
    path = Path(path)
    rows = int(rows)
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    if row_group_size < 1:
        raise ValueError(f"row_group_size must be >= 1, got {row_group_size}")
    if not force and _existing_matches(path, rows, seed):
        if verbose:
            print(f"{path} already has {rows:,} rows (seed {seed}); not regenerating")
        return path

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    schema = SCHEMA.with_metadata(
        {_META_KEY: json.dumps({"seed": seed, "rows": rows, "version": GENERATOR_VERSION}).encode()}
    )
    pools = _title_pools(seed)
    t0 = time.perf_counter()
    try:
        # Snappy: fast to write and to read (the benchmarks time reads); statistics on, as any
        # real writer would.
        # Chunks are independent (own RNG stream, read-only pools), so two worker threads build
        # the next chunks while this thread encodes and writes the current one; numpy and
        # pyarrow release the GIL in their bulk work, so this uses both cores. At most
        # _LOOKAHEAD chunks are in flight, which bounds memory whatever ``rows`` is.
        starts = list(range(0, rows, CHUNK_ROWS))
        with pq.ParquetWriter(tmp, schema, compression="snappy") as writer, ThreadPoolExecutor(2) as pool:
            pending: deque = deque()
            for i, start in enumerate(starts):
                if len(pending) >= _LOOKAHEAD:
                    writer.write_table(pending.popleft().result(), row_group_size=row_group_size)
                n = min(CHUNK_ROWS, rows - start)
                pending.append(pool.submit(_chunk, seed, i, start, n, rows, pools))
                if verbose and i and i % 10 == 0:
                    print(f"  {start:,} / {rows:,} rows  ({time.perf_counter() - t0:.1f}s)", flush=True)
            while pending:
                writer.write_table(pending.popleft().result(), row_group_size=row_group_size)
            if rows == 0:
                writer.write_table(SCHEMA.empty_table())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if verbose:
        size = path.stat().st_size
        print(f"wrote {path}: {rows:,} rows, {size / 2**20:.1f} MiB in {time.perf_counter() - t0:.1f}s")
    return path


def parse_count(text: str) -> int:
    """'10000000', '10_000_000', '10M', '1e7', '500k' -> int."""
    t = text.strip().replace("_", "").replace(",", "")
    mult = {"k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9}.get(t[-1:].lower(), 1)
    if mult != 1:
        t = t[:-1]
    value = float(t) * mult
    if value != int(value) or value < 0:
        raise argparse.ArgumentTypeError(f"not a non-negative row count: {text!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate_reviews", description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=parse_count, required=True, help="number of rows (10000000, 10M, 1e7)")
    p.add_argument("--out", required=True, help="output Parquet path")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--row-group-size", type=parse_count, default=DEFAULT_ROW_GROUP_SIZE)
    p.add_argument("--force", action="store_true", help="regenerate even if --out is already complete")
    a = p.parse_args(argv)
    generate_reviews(a.out, a.rows, a.seed, row_group_size=a.row_group_size, force=a.force, verbose=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
