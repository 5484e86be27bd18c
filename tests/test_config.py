import pytest

from training.config import TrainConfig, build_config


def test_defaults_are_the_real_run():
    config = build_config(TrainConfig, [])
    assert config == TrainConfig() and config.epochs >= 3 and config.sources == ("semeval2023",)


def test_toml_then_command_line_override(tmp_path):
    toml = tmp_path / "run.toml"
    toml.write_text('epochs = 2\nlr = 1e-4\nsources = ["semeval2023", "ptc"]\n')
    config = build_config(TrainConfig, ["--config", str(toml), "--epochs=5", "--device", "cpu"])
    assert (config.epochs, config.lr, config.sources, config.device) == (5, 1e-4, ("semeval2023", "ptc"), "cpu")


def test_unknown_key_lists_valid_keys():
    with pytest.raises(ValueError, match=r"Unknown config keys \['epoch'\].*Valid keys: encoder"):
        build_config(TrainConfig, ["--epoch=3"])


def test_bad_value_names_the_key():
    with pytest.raises(ValueError, match="--epochs expects int"):
        build_config(TrainConfig, ["--epochs=many"])


def test_the_shipped_stance_stages_are_valid_configs():
    """`make train-stance-stages` reads these; a renamed key would otherwise surface only after a long run."""
    from pathlib import Path

    from training.config import StanceConfig
    from training.stance_data import CORPORA

    stages = sorted((Path(__file__).resolve().parent.parent / "training" / "stance_stages").glob("*.toml"))
    assert len(stages) == 3
    for path in stages:
        config = build_config(StanceConfig, [f"--config={path}", "--init_stance=x"])
        assert config.pooling == "mention" and config.mark_target and "written" in config.corpora
        assert set(config.corpora) | set(config.eval_corpora) <= set(CORPORA)
