# The two commands a newcomer needs:  make run   and   make test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
ROWS   ?= 1000000

.PHONY: run test setup bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,spark]"
	touch $@

setup: $(VENV)/.installed

## Generate a ~1M-row reviews dataset to Parquet, verify the Deequ blog's checks on it (DuckDB),
## then print the metrics table of an analysis. The blog's check fails by design (review_id is
## not unique, there are fewer than 3M rows): exit status 1 of `dq verify` is the expected verdict.
run: setup
	$(PY) -m benchmarks.generate_reviews --rows $(ROWS) --out data/reviews_$(ROWS).parquet
	$(PY) -m dq verify data/reviews_$(ROWS).parquet --checks examples/reviews_checks.yaml \
		--results data/verification_$(ROWS).json || [ $$? -eq 1 ]
	$(PY) -m dq analyze data/reviews_$(ROWS).parquet \
		-a "Uniqueness(['review_id'])" -a "Entropy('star_rating')" \
		-a "Compliance('top rated', 'star_rating >= 4')" -a "Correlation('total_votes', 'helpful_votes')" \
		-a "MutualInformation(['star_rating', 'vine'])" -a "ApproxQuantile('helpful_votes', 0.9)"

## Set up and run every test.
test: setup
	$(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) -m benchmarks.run --rows 10000000

clean:
	rm -rf $(VENV) data .pytest_cache
