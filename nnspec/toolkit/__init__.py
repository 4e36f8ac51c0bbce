"""The documents' "Neural Network Toolkit" on MNIST, one module per concern.

- ``training``: the mini-batch loop on the contract's functions (``train_model``, ``TrainConfig``);
- ``progress``: the live progress bar (rich);
- ``model_file``: saving and loading models (``save_model``, ``load_model``);
- ``plots``: loss, misclassified digits, first-layer weights (matplotlib);
- ``sweep``: exercise 4's hyper-parameter sweep;
- ``cli``: ``nnspec train``, ``nnspec evaluate``, ``nnspec sweep``.
"""

from nnspec.toolkit.cli import register
from nnspec.toolkit.model_file import Model, ModelFileError, load_model, save_model
from nnspec.toolkit.plots import digit_image, require_matplotlib, smoothed_losses, write_plots
from nnspec.toolkit.progress import Progress
from nnspec.toolkit.sweep import sweep_table
from nnspec.toolkit.training import Checkpoint, TrainConfig, TrainResult, describe, reference, train_model

__all__ = [
    "Checkpoint", "Model", "ModelFileError", "Progress", "TrainConfig", "TrainResult", "describe", "digit_image",
    "load_model", "reference", "register", "require_matplotlib", "save_model", "smoothed_losses",
    "sweep_table", "train_model", "write_plots",
]
