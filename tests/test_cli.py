import csv
import json

from model.cli import main


def write_inputs(folder):
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("The enemy is a vile traitor. Officials met on Tuesday.", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("# Title\n\nResponsibility lies with them alone.", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "ignored.json").write_text("{}", encoding="utf-8")


def test_score_folder_to_jsonl_survives_bad_files(tiny_model, tmp_path, capsys):
    write_inputs(tmp_path / "in")
    out = tmp_path / "out" / "results.jsonl"
    code = main(["score", str(tmp_path / "in"), "--out", str(out), "--model", str(tiny_model)])
    err = capsys.readouterr().err
    assert code == 1  # two bad files: reported, the rest scored
    assert "latin1.txt: not UTF-8" in err and "empty.txt: empty document" in err
    assert "scored 2 documents, 4 sentences" in err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["document"].split("/")[-1], r["index"]) for r in rows] == [("a.txt", 0), ("a.txt", 1),
                                                                       ("b.md", 0), ("b.md", 1)]
    assert set(rows[0]) == {"document", "index", "text", "start", "end", "labels", "scores", "stance"}
    source = (tmp_path / "in" / "a.txt").read_text(encoding="utf-8")
    assert source[rows[1]["start"]:rows[1]["end"]] == rows[1]["text"]
    assert not list(out.parent.glob("*.partial"))


def test_csv_format_and_missing_path(tiny_model, tmp_path, capsys):
    write_inputs(tmp_path / "in")
    out = tmp_path / "r.csv"
    code = main(["score", str(tmp_path / "in" / "a.txt"), str(tmp_path / "nope"), "--out", str(out),
                 "--model", str(tiny_model)])
    assert code == 1 and "nope: no such file or folder" in capsys.readouterr().err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 2 and rows[0]["text"] == "The enemy is a vile traitor." and "Loaded_Language" in rows[0]


def test_table_output_and_export(tiny_model, tmp_path, capsys):
    write_inputs(tmp_path / "in")
    assert main(["score", str(tmp_path / "in" / "a.txt"), "--table", "--model", str(tiny_model)]) == 0
    assert "== " in capsys.readouterr().out
    assert main(["export", str(tmp_path / "plain"), "--model", str(tiny_model)]) == 0
    assert (tmp_path / "plain" / "model.safetensors").is_file()


def test_no_model_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Hello there.", encoding="utf-8")
    assert main(["score", str(tmp_path / "a.txt"), "--model", str(tmp_path / "none")]) == 2
    assert "run `make train`" in capsys.readouterr().err
