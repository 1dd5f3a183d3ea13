"""`actlab compare` end to end: resume after kill -9, two processes on one store, diverged runs, bad CSV files,
and the outputs (table, JSON, CSV, figures)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from _compare_helpers import compare_cli, store_rows

from actlab.cli import main
from actlab.compare import Plan, Store, run, summarize

PY = sys.executable




# A sweep whose runs take a few tenths of a second each, so a process can be killed in the middle of it.
# The untuned sweep: one rate, no tuning (tests/test_compare_protocol.py kills and resumes the protocol itself).
SWEEP = ["-a", "relu,tanh,sigmoid,leaky_relu", "-d", "digits", "--seeds", "3", "--epochs", "12", "-q", "--untuned"]


def test_resume_after_kill_9_keeps_every_finished_run_once(tmp_path):
    store = tmp_path / "runs.sqlite"
    proc = subprocess.Popen(compare_cli(*SWEEP, "--store", str(store), "--workers", "0"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 120
    finished_before: dict[str, float] = {}
    while time.time() < deadline:
        time.sleep(0.2)
        if store.exists():
            try:
                done = [r for r in store_rows(store) if r["status"] == "done"]
            except sqlite3.OperationalError:  # schema not created yet
                continue
            if len(done) >= 3:
                break
        assert proc.poll() is None, proc.stderr.read().decode()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = store_rows(store)
    finished_before = {r["key"]: r["finished"] for r in before if r["status"] == "done"}
    assert 3 <= len(finished_before) < 12, "the kill must land mid-sweep"
    assert any(r["status"] == "running" for r in before)  # the run in flight at the kill

    again = subprocess.run(compare_cli(*SWEEP, "--store", str(store), "--workers", "0"), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    after = store_rows(store)
    assert len(after) == 12 and len({r["key"] for r in after}) == 12
    assert all(r["status"] == "done" for r in after)
    for r in after:
        if r["key"] in finished_before:  # kept, not redone
            assert r["finished"] == finished_before[r["key"]] and r["attempts"] == 1
    assert sum(r["attempts"] == 2 for r in after) >= 1  # the interrupted run was redone
    db = sqlite3.connect(store)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_two_processes_share_one_store_without_doing_a_run_twice(tmp_path):
    store = tmp_path / "runs.sqlite"
    Store(store)  # both start on an existing file
    cmd = compare_cli(*SWEEP, "--store", str(store), "--workers", "0")
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    rows = store_rows(store)
    assert len(rows) == 12 and all(r["status"] == "done" for r in rows)
    assert all(r["attempts"] == 1 for r in rows)  # each run was claimed and computed exactly once
    workers = {r["worker"].rpartition(":")[2] for r in rows}
    assert workers <= {str(p.pid) for p in procs} and len(workers) == 2  # both did part of the work
    for out, _ in outs:  # and both print the complete table
        assert out.count("digits") >= 4


def test_a_diverging_run_is_recorded_not_raised(tmp_path):
    plan = Plan(["relu", "tanh"], ["iris"], seeds=2, epochs=3, lr=1e12, optimizer="sgd",
                store=tmp_path / "r.sqlite", workers=0)
    results = run(plan)
    statuses = {r["status"] for r in results.runs}
    assert "diverged" in statuses and "failed" not in statuses
    div = next(r for r in results.runs if r["status"] == "diverged")
    assert "loss became" in div["error"] and div["final_score"] is None
    assert sum(r.diverged for r in results.rows) == sum(r["status"] == "diverged" for r in results.runs)


def test_outputs_json_csv_figures_and_summarize(tmp_path, capsys):
    store, fig = tmp_path / "r.sqlite", tmp_path / "figs"
    csv_path = tmp_path / "out.csv"
    code = main(["compare", "-a", "relu,tanh", "-d", "iris", "--seeds", "3", "--epochs", "3", "--store", str(store),
                 "-j", "0", "--json", "--csv", str(csv_path), "--figures", str(fig), "-q", "--untuned"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert {r["activation"] for r in data["rows"]} == {"relu", "tanh"}
    assert data["plan"]["seeds"] == [0, 1, 2]
    assert csv_path.read_text().splitlines()[0].startswith("dataset,rank,tied_best,activation")
    assert len(csv_path.read_text().splitlines()) == 3
    assert sorted(p.name for p in fig.iterdir()) == ["iris-curves.png", "iris-curves.svg", "iris-scores.png",
                                                     "iris-scores.svg"]
    board = summarize(store)
    assert {r["activation"] for r in board} == {"relu", "tanh"}
    assert all(r["done"] == 3 and r["recipe"]["epochs"] == 3 for r in board)
    assert summarize(tmp_path / "nothing.sqlite") == []
    # the same command again runs nothing and prints the same numbers
    main(["compare", "-a", "relu,tanh", "-d", "iris", "--seeds", "3", "--epochs", "3", "--store", str(store),
          "-j", "0", "--json", "-q", "--untuned"])
    assert json.loads(capsys.readouterr().out)["rows"] == data["rows"]


# --- bad input: one line naming file / column / row, exit code 2, no store written ------------------------------

def _csv(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


BAD_CSV = {
    "missing column": ("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,1,0\n", "--target", "lable", ["'lable'", "label"]),
    "non-numeric": ("a,b,label\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n9,1,0\n", "--target", "label", ["row 2", "'b'", "'x'"]),
    "NaN": ("a,b,label\n1,2,0\n3,4,1\n5,nan,0\n7,8,1\n9,1,0\n", "--target", "label", ["row 3", "'b'"]),
    "single class": ("a,b,label\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n9,1,0\n", "--target", "label", ["'label'", "single"]),
    "fewer rows than folds": ("a,b,label\n1,2,0\n3,4,1\n", "--target", "label", ["2 data rows", "fewer"]),
}


@pytest.mark.parametrize("case", list(BAD_CSV))
def test_bad_csv_is_one_line_error_and_nothing_stored(tmp_path, capsys, case):
    text, flag, target, needles = BAD_CSV[case]
    path = _csv(tmp_path, text)
    store = tmp_path / "r.sqlite"
    code = main(["compare", "-a", "relu", "--data", str(path), flag, target, "--task", "classification",
                 "--store", str(store), "-j", "0", "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "data.csv" in err
    for needle in needles:
        assert needle in err, err
    assert not store.exists()


def test_missing_csv_file_and_missing_target_flag(tmp_path, capsys):
    store = tmp_path / "r.sqlite"
    code = main(["compare", "--data", str(tmp_path / "nope.csv"), "--target", "y", "--store", str(store), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "nope.csv" in err and "no such file" in err and len(err.strip().splitlines()) == 1
    code = main(["compare", "--data", str(tmp_path / "nope.csv"), "--store", str(store), "-q"])
    assert code == 2 and "--target" in capsys.readouterr().err
    assert not store.exists()


def test_bad_names_suggest_and_write_nothing(tmp_path, capsys):
    store = tmp_path / "r.sqlite"
    assert main(["compare", "-a", "relu,tnah", "--store", str(store), "-q"]) == 2
    assert "Did you mean" in capsys.readouterr().err
    assert main(["compare", "-a", "relu", "-d", "irsi", "--store", str(store), "-q"]) == 2
    assert "'iris'" in capsys.readouterr().err
    assert main(["compare", "-a", "relu", "--model", "cnn", "--store", str(store), "-q"]) == 2
    assert "--backend torch" in capsys.readouterr().err
    assert not store.exists()


def test_a_good_csv_is_compared_and_its_content_is_part_of_the_key(tmp_path, capsys):
    rng = __import__("numpy").random.default_rng(0)
    rows = ["a,b,label"] + [f"{x:.3f},{y:.3f},{int(x + y > 0)}" for x, y in rng.normal(size=(60, 2))]
    path = _csv(tmp_path, "\n".join(rows) + "\n")
    store = tmp_path / "r.sqlite"
    args = ["compare", "-a", "relu,tanh", "--data", str(path), "--target", "label", "--seeds", "2", "--epochs", "3",
            "--store", str(store), "-j", "0", "--json", "-q", "--lr", "1e-2"]  # the protocol at one rate: no tuning
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["dataset"] for r in data["rows"]} == {"csv:data.csv"}
    path.write_text("\n".join(rows[:-1]) + "\n")  # one row less: a different data set, so new runs
    assert main(args) == 0
    capsys.readouterr()
    assert len(Store(store).runs()) == 8  # 2 activations x 2 evaluation seeds, twice
