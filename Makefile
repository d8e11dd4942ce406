# Báo cáo phát triển đảng viên — the two commands: `make report QUARTER=3` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

QUARTER ?=
YEAR ?=
# INBOX and UNITS go together; with neither, the samples (input_samples/). CONFIG: the committee's
# settings (without it, pipeline.toml in this folder). Paths may hold spaces and Vietnamese letters.
INBOX ?=
UNITS ?=
OUT ?= output
CONFIG ?=
DATE ?=
TEMPLATES ?= output/mau

.DEFAULT_GOAL := help
.PHONY: help install init report send remind status watch test lint docs samples template bench clean

help: ## liệt kê các lệnh / list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## tạo .venv và cài thư viện (chạy lại không sao) / create .venv, idempotent

$(STAMP): pyproject.toml scripts/system-deps.sh Makefile
	@bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "setuptools>=68" wheel
	$(PY) -m pip install --quiet -e '.[test,lint,dask]'
	@touch $(STAMP)

init: install ## chuẩn bị thư mục cho một đảng bộ: make init DIR="thư/mục" (hỏi tên đảng bộ, người ký…)
	@if [ -z "$(DIR)" ]; then echo "Thiếu thư mục. Ví dụ: make init DIR=\"Ban to chuc/2025\"" >&2; exit 2; fi
	@$(PY) -m pipeline init "$(DIR)"

report: install ## làm báo cáo: make report QUARTER=3 [YEAR=2022 INBOX=… UNITS=… CONFIG=… OUT=… DATE=27/10/2022]
	@if [ -z "$(QUARTER)" ]; then echo "Thiếu quý báo cáo. Ví dụ: make report QUARTER=3" >&2; exit 2; fi
	@$(PY) -m pipeline report --quarter "$(QUARTER)" $(if $(YEAR),--year "$(YEAR)") \
		$(if $(INBOX),--inbox "$(INBOX)") $(if $(UNITS),--units "$(UNITS)") --out "$(OUT)" \
		$(if $(CONFIG),--config "$(CONFIG)") $(if $(DATE),--date "$(DATE)")

send: install ## gửi báo cáo và gói phản hồi bằng thư: make send QUARTER=3 [YEAR=2022 OUT=… CONFIG=… DRY_RUN=1]
	@if [ -z "$(QUARTER)" ]; then echo "Thiếu quý. Ví dụ: make send QUARTER=3" >&2; exit 2; fi
	@$(PY) -m pipeline send --quarter "$(QUARTER)" $(if $(YEAR),--year "$(YEAR)") --out "$(OUT)" \
		$(if $(CONFIG),--config "$(CONFIG)") $(if $(DRY_RUN),--dry-run) $(if $(ONLY),--only $(ONLY))

remind: install ## nhắc các chi bộ chưa gửi hoặc có tệp không dùng được: make remind QUARTER=3 [YEAR=2022 OUT=… CONFIG=… DRY_RUN=1]
	@if [ -z "$(QUARTER)" ]; then echo "Thiếu quý. Ví dụ: make remind QUARTER=3" >&2; exit 2; fi
	@$(PY) -m pipeline remind --quarter "$(QUARTER)" $(if $(YEAR),--year "$(YEAR)") --out "$(OUT)" \
		$(if $(CONFIG),--config "$(CONFIG)") $(if $(DRY_RUN),--dry-run) $(if $(ONLY),--only $(ONLY))

status: install ## xem tình hình một quý (ai đã gửi, ai muộn, lỗi, phản hồi): make status QUARTER=3 [YEAR=2022 OUT=… JSON=1]
	@if [ -z "$(QUARTER)" ]; then echo "Thiếu quý. Ví dụ: make status QUARTER=3" >&2; exit 2; fi
	@$(PY) -m pipeline status --quarter "$(QUARTER)" $(if $(YEAR),--year "$(YEAR)") --out "$(OUT)" $(if $(JSON),--json)

watch: install ## theo dõi thư mục nhận, tự làm lại báo cáo khi có tệp: make watch [QUARTER=3 YEAR=2022 INBOX=… UNITS=… CONFIG=… OUT=… SEND=1 POLL=1 SETTLE=3]
	@$(PY) -m pipeline watch $(if $(QUARTER),--quarter "$(QUARTER)") $(if $(YEAR),--year "$(YEAR)") \
		$(if $(INBOX),--inbox "$(INBOX)") $(if $(UNITS),--units "$(UNITS)") --out "$(OUT)" \
		$(if $(CONFIG),--config "$(CONFIG)") $(if $(SEND),--send) $(if $(POLL),--poll) $(if $(SETTLE),--settle "$(SETTLE)")

test: install lint ## chạy toàn bộ kiểm thử (kể cả make lint) / run the test suite
	@bash scripts/system-deps.sh --browser
	$(PY) -m pytest -q

lint: install ## kiểm tra mã: ruff và các tầng import / ruff and the import-linter layers
	$(VENV)/bin/ruff check pipeline rostergen bench tests
	$(VENV)/bin/lint-imports

docs: install ## viết lại docs/rules.md từ danh mục quy tắc / regenerate the rules reference
	$(PY) -m pipeline.rulebook docs/rules.md

samples: install ## tạo lại bộ dữ liệu mẫu input_samples/ (cố định, lặp lại được)
	$(PY) -m rostergen.samples --out input_samples --clean

clean: ## xóa .venv và output/
	rm -rf $(VENV) $(OUT)

template: install ## tạo mẫu danh sách cho từng chi bộ: make template UNITS=… [YEAR=2022 QUARTER=3 TEMPLATES=output/mau]
	@$(PY) -m pipeline template $(if $(UNITS),--units "$(UNITS)") --out "$(TEMPLATES)" \
		$(if $(YEAR),--year "$(YEAR)") $(if $(QUARTER),--quarter "$(QUARTER)")

bench: install ## đo tốc độ và bộ nhớ ở 71, 710, 7.100 đơn vị và tệp 200.000 dòng (bench/README.md)
	$(PY) -m bench.run $(if $(SIZES),--sizes $(SIZES))
