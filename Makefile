# Set-up and the main jobs. `make demo` and `make test` work on a fresh clone; the rest need the corpora
# (../shared/corpora.tar.xz, unpacked on first use into .corpora/, or FRAMING_CORPORA=/path/to/unpacked).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
ARGS ?=
MODEL ?= runs/framing

STANCE_MODEL ?= runs/stance

.PHONY: install demo test data train eval ship bench clean train-stance eval-stance ship-stance train-stance-stages

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

bench: install
	$(PY) -m training.bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
