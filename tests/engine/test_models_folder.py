"""One owner for the models folder: the choice saved by the app is the command line's default too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glide_desktop import cli
from glide_desktop.engine import locations


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(locations.MODELS_DIR_ENV, raising=False)


def test_the_saved_choice_is_the_default_and_the_environment_overrides_it(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          isolated_config: Path) -> None:
    fallback = locations.default_models_dir()
    assert locations.saved_models_dir() is None and fallback.name == "models"
    written = locations.save_models_dir(tmp_path / "chosen")
    assert written == isolated_config / locations.SETTINGS_NAME  # never the user's real config folder
    assert json.loads(written.read_text(encoding="utf-8")) == {"models_dir": str(tmp_path / "chosen")}
    assert locations.default_models_dir() == tmp_path / "chosen"
    monkeypatch.setenv(locations.MODELS_DIR_ENV, str(tmp_path / "env"))
    assert locations.default_models_dir() == tmp_path / "env"
    monkeypatch.delenv(locations.MODELS_DIR_ENV)
    locations.save_models_dir(None)
    assert locations.default_models_dir() == fallback


def test_other_settings_survive_and_no_partial_file_is_left(isolated_config: Path, tmp_path: Path) -> None:
    path = isolated_config / locations.SETTINGS_NAME
    path.write_text(json.dumps({"theme": "dark"}), encoding="utf-8")
    locations.save_models_dir(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"theme": "dark", "models_dir": str(tmp_path)}
    assert sorted(p.name for p in isolated_config.iterdir()) == [locations.SETTINGS_NAME]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"models_dir": 5}', ""])
def test_an_unreadable_settings_file_means_no_choice(isolated_config: Path, content: str) -> None:
    (isolated_config / locations.SETTINGS_NAME).write_text(content, encoding="utf-8")
    assert locations.saved_models_dir() is None
    assert locations.default_models_dir().name == "models"


def test_the_command_line_looks_in_the_folder_chosen_in_the_app(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    locations.save_models_dir(tmp_path / "from-the-app")
    assert cli.main(["generate", "--prompt", "x"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "from-the-app") in err and "base.pt" in err
    assert cli.main(["generate", "--prompt", "x", "--models", str(tmp_path / "flag")]) == 2
    assert str(tmp_path / "flag") in capsys.readouterr().err


def test_the_download_sizes_are_the_official_networks_fp32_weights() -> None:
    import math

    from glide_desktop.engine.models import ModelStore

    candidates = ModelStore(Path("/nonexistent")).candidates()
    for name, build in candidates.items():
        layout = build()
        params = sum(math.prod(shape) for shape in layout.values())
        assert locations.DOWNLOAD_BYTES[name] == 4 * params, name
