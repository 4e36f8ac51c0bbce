"""The toolkit: training determinism, save/load round trip and its errors, plots, sweep table, the CLI."""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import numpy as np
import pytest

from nnspec import mnist, toolkit
from nnspec.toolkit import plots
from nnspec.toolkit import sweep as sweep_module
from nnspec.toolkit.sweep import Point

VENDORED = Path(__file__).resolve().parents[1] / "fixtures" / "mnist"
SUBSET = 1500  # training samples in the quick runs
TEST_SUBSET = 500
TINY = toolkit.TrainConfig(layers=(784, 16, 10), epochs=2, batch_size=50, learning_rate=0.3)


@pytest.fixture(scope="module")
def data() -> mnist.MNIST:
    return mnist.load_mnist(VENDORED, download=False)


@pytest.fixture(scope="module")
def subset(data: mnist.MNIST) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return data.X_train[:, :SUBSET], data.Y_train[:, :SUBSET], data.X_test[:, :TEST_SUBSET], data.y_test[:TEST_SUBSET]


def train(subset: tuple[np.ndarray, ...], **changes: object) -> toolkit.TrainResult:
    config = toolkit.TrainConfig(**{**TINY.__dict__, **changes})
    return toolkit.train_model(*subset, config)


@pytest.fixture(scope="module")
def trained(subset: tuple[np.ndarray, ...]) -> toolkit.TrainResult:
    return train(subset)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="nnspec")
    toolkit.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.run(args))


# ---- training ------------------------------------------------------------------------------------------------


def test_training_learns_and_records_checkpoints(trained: toolkit.TrainResult) -> None:
    assert [c.epoch for c in trained.checkpoints] == [1.0, 2.0]
    assert trained.checkpoints[1].loss < trained.checkpoints[0].loss
    assert trained.checkpoints[-1].test_accuracy > 0.7, "784-16-10 on 1500 images should beat 70% in 2 epochs"
    assert len(trained.batch_losses) == 2 * trained.batches_per_epoch == 2 * 30
    assert trained.parameters["W1"].dtype == np.float32 and trained.diverged_at is None


def test_training_is_deterministic_under_a_seed(subset: tuple[np.ndarray, ...], trained: toolkit.TrainResult) -> None:
    again = train(subset)
    for name, value in trained.parameters.items():
        np.testing.assert_array_equal(again.parameters[name], value, err_msg=name)
    assert again.batch_losses == trained.batch_losses
    other = train(subset, seed=1)
    assert not np.array_equal(other.parameters["W1"], trained.parameters["W1"])


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_other_optimizers_train(subset: tuple[np.ndarray, ...], optimizer: str) -> None:
    rate = {"momentum": 0.3, "adam": 0.003}[optimizer]
    result = train(subset, optimizer=optimizer, learning_rate=rate)
    assert result.checkpoints[-1].loss < result.checkpoints[0].loss
    assert result.checkpoints[-1].test_accuracy > 0.7


def test_float64_training(subset: tuple[np.ndarray, ...]) -> None:
    result = train(subset, dtype="float64", epochs=1)
    assert all(value.dtype == np.float64 for value in result.parameters.values())


def test_several_evaluations_per_epoch(subset: tuple[np.ndarray, ...]) -> None:
    result = train(subset, epochs=1, evals_per_epoch=3)
    assert [c.epoch for c in result.checkpoints] == pytest.approx([1 / 3, 2 / 3, 1.0])
    seconds = [c.train_seconds for c in result.checkpoints]
    assert seconds == sorted(seconds)


def test_divergence_stops_training_without_warnings(subset: tuple[np.ndarray, ...]) -> None:
    result = train(subset, learning_rate=1e30)
    assert result.diverged_at is not None and 0 < result.diverged_at <= 2
    assert not np.isfinite(result.batch_losses[-1])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"optimizer": "lbfgs"}, r"optimizer: received 'lbfgs', expected one of sgd, momentum, adam"),
        ({"epochs": 0}, r"epochs: received 0, expected a positive integer"),
        ({"learning_rate": -1.0}, r"learning_rate: received -1.0, expected a positive finite number"),
        ({"layers": (784,)}, r"layers: received \[784\], expected at least two positive integers"),
        ({"dtype": "float16"}, r"dtype: received 'float16', expected one of float32, float64"),
    ],
)
def test_bad_config_is_a_clear_value_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        toolkit.TrainConfig(**{**TINY.__dict__, **changes})


def test_data_that_does_not_fit_the_layers(subset: tuple[np.ndarray, ...]) -> None:
    X, Y, X_test, y_test = subset
    with pytest.raises(ValueError, match=r"received X \(783, 1500\) and Y \(10, 1500\), expected \(784, m\)"):
        toolkit.train_model(X[1:], Y, X_test, y_test, TINY)


# ---- progress ------------------------------------------------------------------------------------------------


def test_progress_plain_text_when_not_a_tty(subset: tuple[np.ndarray, ...]) -> None:
    out = io.StringIO()
    toolkit.train_model(*subset, TINY, toolkit.Progress(out, TINY.epochs))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    assert re.fullmatch(r"epoch 2/2  1500 samples  loss \d\.\d{4} +\d+ samples/s +\d+\.\d\d s  test acc +\d+\.\d\d%",
                        lines[1]), lines[1]


def test_progress_draws_a_live_bar_on_a_tty() -> None:
    out = io.StringIO()
    with toolkit.Progress(out, epochs=1, tty=True) as progress:
        progress.start_epoch(0, 200)
        progress.batch(100, 0.5)
        progress.bar.refresh()
        drawn = out.getvalue()
        progress.checkpoint(toolkit.Checkpoint(1.0, 0.1, 0.5, 0.25))
    assert "\x1b[" in drawn and "epoch 1/1" in drawn and "100/200" in drawn and "loss 0.5000" in drawn, drawn
    assert "test acc  25.00%" in out.getvalue()


# ---- saving and loading --------------------------------------------------------------------------------------


def test_save_load_round_trip_gives_identical_predictions(
    tmp_path: Path, trained: toolkit.TrainResult, subset: tuple[np.ndarray, ...]
) -> None:
    path = toolkit.save_model(tmp_path / "model.npz", trained.parameters, TINY.layers, "relu")
    model = toolkit.load_model(path)
    assert model.layers == TINY.layers and model.hidden_activation == "relu"
    impl = toolkit.reference()
    X_test = subset[2]
    before = impl.predict(X_test, trained.parameters, "relu", "softmax")
    after = impl.predict(X_test, model.parameters, "relu", "softmax")
    np.testing.assert_array_equal(after, before)
    for name, value in trained.parameters.items():
        assert model.parameters[name].dtype == value.dtype
        np.testing.assert_array_equal(model.parameters[name], value)


def _saved_fields(tmp_path: Path, trained: toolkit.TrainResult) -> dict[str, np.ndarray]:
    path = toolkit.save_model(tmp_path / "good.npz", trained.parameters, TINY.layers, "relu")
    with np.load(path) as archive:
        return {k: archive[k] for k in archive.files}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": np.array(2)}, r"model format version array\(2\), this nnspec reads version 1"),
        ({"contract": np.array("2")}, r"saved under contract version '2', this nnspec implements contract '1'"),
        ({"W1": np.zeros((16, 783), np.float32)},
         r"W1 has shape \(16, 783\) and dtype float32; layers \[784, 16, 10\] need a float array of shape \(16, 784\)"),
        ({"b2": np.zeros(10, np.float32)}, r"b2 has shape \(10,\) .* shape \(10, 1\)"),
        ({"W3": np.zeros((1, 10))}, r"parameters \['W1', 'W2', 'W3', 'b1', 'b2'\] do not match layers"),
        ({"hidden_activation": np.array("swish")}, r"activations 'swish'/'softmax': expected a hidden"),
    ],
)
def test_bad_model_files_are_clear_errors(
    tmp_path: Path, trained: toolkit.TrainResult, change: dict[str, np.ndarray], message: str
) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **{**_saved_fields(tmp_path, trained), **change})
    with pytest.raises(toolkit.ModelFileError, match=rf"{re.escape(str(path))}: {message}"):
        toolkit.load_model(path)


def test_model_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    np.savez(path, W1=np.zeros((2, 2)))
    with pytest.raises(toolkit.ModelFileError, match=r"not an nnspec model: missing \['format_version'"):
        toolkit.load_model(path)


def test_pickled_or_foreign_files_are_refused(tmp_path: Path) -> None:
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, format_version=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(toolkit.ModelFileError, match=r"not a readable nnspec model .*pickled"):
        toolkit.load_model(pickled)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(toolkit.ModelFileError, match=r"notes.txt: not an .npz archive"):
        toolkit.load_model(text)
    with pytest.raises(toolkit.ModelFileError, match=r"absent.npz: no such model file"):
        toolkit.load_model(tmp_path / "absent.npz")


# ---- command line --------------------------------------------------------------------------------------------


def test_cli_train_save_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m.npz"
    code = run_cli("train", "--layers", "784,8,10", "--epochs", "1", "--batch-size", "600", "--save", str(model),
                   "--data-dir", str(VENDORED))
    out = capsys.readouterr().out
    assert code == 0 and model.is_file()
    trained_accuracy = re.search(r"test accuracy (\d+\.\d\d)% after 1 epochs", out)
    assert trained_accuracy, out
    assert re.search(r"^epoch 1/1  60000 samples  loss ", out, re.MULTILINE), out
    assert run_cli("evaluate", str(model), "--data-dir", str(VENDORED)) == 0
    evaluated = capsys.readouterr().out
    assert f"test accuracy {trained_accuracy.group(1)}% (" in evaluated, evaluated


def test_cli_errors_are_one_line_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("evaluate", str(tmp_path / "none.npz")) == 2
    assert "nnspec evaluate: error: " in capsys.readouterr().err
    assert run_cli("train", "--data-dir", str(tmp_path / "nowhere")) == 2
    assert "nnspec train: error: data_dir: received" in capsys.readouterr().err


@pytest.mark.parametrize("layers", ["784,x,10", "784,16,9", "100,10", "784"])
def test_cli_rejects_bad_layers(layers: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli("train", "--layers", layers)
    assert "argument --layers: received" in capsys.readouterr().err


# ---- plots and sweep -----------------------------------------------------------------------------------------


def test_plots_are_written(tmp_path: Path, trained: toolkit.TrainResult, subset: tuple[np.ndarray, ...]) -> None:
    pytest.importorskip("matplotlib")
    paths = toolkit.write_plots(tmp_path / "plots", trained, subset[2], subset[3])
    assert [p.name for p in paths] == ["loss.png", "misclassified.png", "weights.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_missing_matplotlib_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_matplotlib(name: str) -> None:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(plots.importlib, "import_module", no_matplotlib)
    with pytest.raises(SystemExit, match=r"plots need matplotlib, which is not installed: pip install"):
        toolkit.require_matplotlib()


def test_digit_image_is_upright(data: mnist.MNIST) -> None:
    """Training image 0 is a 5: its top stroke is horizontal (many inked pixels in one of the upper rows)."""
    image = toolkit.digit_image(data.X_train[:, 0])
    ink_rows = np.flatnonzero(image.max(axis=1) > 0.5)
    assert image.shape == (28, 28) and ink_rows.min() < 10 and ink_rows.max() > 20
    top_row = image[ink_rows.min() : ink_rows.min() + 3]
    assert (top_row > 0.5).sum(axis=1).max() >= 6, "a 5 starts with its horizontal bar at the top"


def test_sweep_table_rows(subset: tuple[np.ndarray, ...]) -> None:
    rates = (0.3, 0.003, 1e6, 1e30)
    results = [Point("learning_rate", rate, train(subset, learning_rate=rate)) for rate in rates]
    rows = toolkit.sweep_table(results).splitlines()
    assert rows[0].startswith("| learning rate |") and len(rows) == 2 + len(results)
    assert re.fullmatch(r"\| 0\.3 \| \d\.\d{4} \| \d\.\d{4} \| \d+\.\d\d% \| slow: below 90% test accuracy \|", rows[2])
    assert rows[3].endswith("| slow: below 90% test accuracy |")
    assert rows[4].endswith("| diverged: loss above chance level (ln 10 = 2.30) |"), rows[4]
    assert rows[5] == "| 1e+30 | - | non-finite | - | diverged in epoch 1 |"


def test_smoothed_losses_average_windows() -> None:
    x, means = toolkit.smoothed_losses([float(i) for i in range(80)], batches_per_epoch=40)
    assert len(means) == 40 and means[0] == 0.5 and x[-1] == 2.0


def test_sweep_varies_one_dimension_at_a_time(data: mnist.MNIST, tmp_path: Path) -> None:
    """Each point differs from the base in its own dimension only; the summary holds every point's figures."""
    small = mnist.MNIST(data.X_train[:, :SUBSET], data.Y_train[:, :SUBSET], data.y_train[:SUBSET],
                        data.X_test[:, :TEST_SUBSET], data.Y_test[:, :TEST_SUBSET], data.y_test[:TEST_SUBSET],
                        data.directory)
    base = toolkit.TrainConfig(epochs=1)
    points = sweep_module.sweep(small, base, {"hidden": (8, 128), "depth": (1, 2)}, {"batch_size": 100})
    layers = [point.result.config.layers for point in points]
    assert layers == [(784, 8, 10), (784, 128, 10), (784, 128, 10), (784, 128, 128, 10)]
    assert points[1].result is points[2].result, "the base configuration is trained once, not once per dimension"
    assert {point.result.config.batch_size for point in points} == {100}
    assert {point.result.config.learning_rate for point in points} == {sweep_module.BASE["learning_rate"]}
    data = sweep_module.summary(points, {"batch_size": 100})
    assert data["base"] == {**sweep_module.BASE, "batch_size": 100} and data["epochs"] == 1
    figures = data["dimensions"]
    assert [row["value"] for row in figures["depth"]] == [1, 2] and all(
        0 <= row["test_accuracy"] <= 1 for rows in figures.values() for row in rows)
    tables = toolkit.sweep_table(points)
    assert "| hidden units per layer |" in tables and "| hidden layers |" in tables
    pytest.importorskip("matplotlib")
    paths = sweep_module.plot_sweep(tmp_path, points)
    assert [path.name for path in paths] == ["sweep_hidden.png", "sweep_depth.png"]
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in paths)
