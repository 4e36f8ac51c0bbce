"""Root conftest: loads the nnspec pytest plugin (implementation under test, profiles, per-chapter summary)."""

pytest_plugins = ["spec.plugin"]
