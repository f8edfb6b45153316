# Keyhole: `make run` serves it locally, `make test` runs every test. Both set up what they need.
# `make deploy STAGE=<name> REGION=<region>` deploys a stage to AWS (docs/operations.md);
# `make deploy-rehearsal` runs the same deploy against a local emulator, with no AWS account.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# The deploy virtualenv runs Python 3.12, the Lambda runtime's (Chalice takes the runtime from it).
# The first python3.12 that runs (a pyenv shim on PATH may exist without the version selected).
PYTHON312 ?= $(shell for p in $$(command -v python3.12) $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null); do \
	$$p -c 'import sys' >/dev/null 2>&1 && { echo $$p; break; }; done)
DEPLOY_VENV ?= build/venv-deploy
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed-$(shell cat requirements-deploy.txt | cksum | cut -d' ' -f1)
# checkov pins an old boto3, so it gets a virtualenv of its own (reports only; cfn-lint gates).
CHECKOV_VENV ?= build/venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cat requirements-checkov.txt | cksum | cut -d' ' -f1)
DEPS_CACHE ?= build/deps
PORT ?= 8000
# Test processes (pytest-xdist): one per core of the 2-core CI machine. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
ARGS ?=
STAGE ?=
REGION ?=
TRACING ?=
ALARM_EMAIL ?=
FILES_UPLOAD_ORIGINS ?=
NO_RESERVED_CONCURRENCY ?=
SMOKE_URL ?=
# Custom domains and a key replacement (docs/operations.md); a value of `none` clears one.
DOMAIN ?=
CONTENT_DOMAIN ?=
HOSTED_ZONE_ID ?=
CONTENT_HOSTED_ZONE_ID ?=
CERTIFICATE_ARN ?=
CONTENT_CERTIFICATE_ARN ?=
KMS_KEY_ARN ?=
KMS_PREVIOUS_KEY_ARNS ?=
STACK_OPTIONS = $(if $(DOMAIN),--domain "$(DOMAIN)") $(if $(CONTENT_DOMAIN),--content-domain "$(CONTENT_DOMAIN)") \
	$(if $(HOSTED_ZONE_ID),--hosted-zone-id "$(HOSTED_ZONE_ID)") \
	$(if $(CONTENT_HOSTED_ZONE_ID),--content-hosted-zone-id "$(CONTENT_HOSTED_ZONE_ID)") \
	$(if $(CERTIFICATE_ARN),--certificate-arn "$(CERTIFICATE_ARN)") \
	$(if $(CONTENT_CERTIFICATE_ARN),--content-certificate-arn "$(CONTENT_CERTIFICATE_ARN)") \
	$(if $(KMS_KEY_ARN),--kms-key-arn "$(KMS_KEY_ARN)") $(if $(KMS_PREVIOUS_KEY_ARNS),--kms-previous-key-arns "$(KMS_PREVIOUS_KEY_ARNS)")
DEPLOY_FLAGS = $(if $(TRACING),--tracing) $(if $(ALARM_EMAIL),--alarm-email "$(ALARM_EMAIL)") \
	$(if $(FILES_UPLOAD_ORIGINS),--files-upload-origins "$(FILES_UPLOAD_ORIGINS)") \
	$(if $(NO_RESERVED_CONCURRENCY),--no-reserved-concurrency)

.PHONY: run test test-fast bench ops package deploy deploy-rehearsal deploy-venv checkov-venv debian-tools clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 requires pip<26.3 (it packages with pip)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

$(DEPLOY_STAMP): requirements-deploy.txt
	@$(PYTHON312) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null || \
		{ echo "make: deploying needs Python 3.12 (the Lambda runtime); set PYTHON312=/path/to/python3.12" >&2; exit 2; }
	$(PYTHON312) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/python -m pip install --quiet -r requirements-deploy.txt
	rm -f $(DEPLOY_VENV)/.installed-* && touch $(DEPLOY_STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	rm -f $(CHECKOV_VENV)/.installed-* && touch $(CHECKOV_STAMP)

deploy-venv: $(DEPLOY_STAMP)

checkov-venv: $(CHECKOV_STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) -m devstack.local

test: $(STAMP) debian-tools deploy-venv checkov-venv
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(ARGS)

# Everything but the browser tests (no Chromium needed).
test-fast: $(STAMP) deploy-venv checkov-venv
	@scripts/ensure-debian-tools.sh strace
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup -m "not browser" $(ARGS)

debian-tools:
	@scripts/ensure-debian-tools.sh chromium strace

# Builds the deployment package first: cold start is measured from it (prices are us-east-1's).
bench: $(STAMP)
	@$(MAKE) --no-print-directory -s package REGION="$(or $(REGION),us-east-1)"
	$(PY) -m bench.bench

# make's own exit status is 0 or 2, whatever the CLI's: scripts/ops passes the CLI's through.
ops: $(STAMP)
	@VENV="$(VENV)" scripts/ops $(ARGS)

# Region and stage are checked before anything slow; credentials as soon as boto3 is there.
deploy:
	@test -n "$(STAGE)" || { echo "make deploy: STAGE is required, e.g. make deploy STAGE=prod REGION=eu-west-1" >&2; exit 2; }
	@test -n "$(REGION)" || { echo "make deploy: REGION is required, e.g. make deploy STAGE=prod REGION=eu-west-1" >&2; exit 2; }
	@$(MAKE) --no-print-directory -s $(STAMP)
	@$(PY) -m scripts.deploy preflight --stage "$(STAGE)" --region "$(REGION)" $(STACK_OPTIONS)
	@$(MAKE) --no-print-directory -s deploy-venv
	$(PY) -m scripts.deploy deploy --stage "$(STAGE)" --region "$(REGION)" --deploy-venv "$(DEPLOY_VENV)" \
		--deps-cache "$(DEPS_CACHE)" $(DEPLOY_FLAGS) $(if $(SMOKE_URL),--smoke-url "$(SMOKE_URL)") $(STACK_OPTIONS)

# `make deploy` end to end against the deploy emulator (moto with devstack/emulator.py), smoke test
# included; prints what it created and stops the emulator. Nothing reaches AWS; no credentials needed.
deploy-rehearsal:
	@$(MAKE) --no-print-directory -s $(STAMP) deploy-venv
	@$(PY) -m scripts.rehearsal --stage "$(or $(STAGE),rehearsal)" --region "$(or $(REGION),us-east-1)" \
		--deploy-venv "$(DEPLOY_VENV)" --deps-cache "$(DEPS_CACHE)" $(DEPLOY_FLAGS) $(STACK_OPTIONS)

# build/package/deployment.zip and sam.json (the CloudFormation path; no stack or credentials needed).
package:
	@test -n "$(REGION)" || { echo "make package: REGION is required, e.g. make package REGION=eu-west-1" >&2; exit 2; }
	@$(MAKE) --no-print-directory -s $(STAMP) deploy-venv
	$(PY) -m scripts.deploy package --stage "$(or $(STAGE),prod)" --region "$(REGION)" --deploy-venv "$(DEPLOY_VENV)" \
		--deps-cache "$(DEPS_CACHE)"

clean:
	rm -rf $(VENV) build .keyhole artifacts bench/results.json
