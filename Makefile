# Keyhole: `make run` serves it locally, `make test` runs every test. Both set up what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8000
ARGS ?=

.PHONY: run test test-fast bench ops package chromium clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) -m devstack.local

test: $(STAMP) chromium
	$(PY) -m pytest $(ARGS)

# Everything but the browser tests (no Chromium needed).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser" $(ARGS)

chromium:
	@scripts/ensure-chromium.sh

# Builds the deployment package first: cold start is measured from it.
bench: $(STAMP) package
	$(PY) -m bench.bench

ops: $(STAMP)
	$(PY) -m chalicelib.opscli --local $(ARGS)

package: $(STAMP)
	$(VENV)/bin/chalice package --stage prod --merge-template infra/chalice-merge.json build/package

clean:
	rm -rf $(VENV) build .keyhole artifacts bench/results.json
