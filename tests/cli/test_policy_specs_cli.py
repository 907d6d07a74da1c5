"""Every command's ``--policy`` takes a policy of your own (``path.py:NAME``, ``package.module:NAME``), as ``check``."""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import pytest

from relapse_guard.argtypes import POLICY_HELP
from relapse_guard.cli import _parser, main
from relapse_guard.cli_policy import load_policy_spec
from relapse_guard.errors import InvalidPolicySpec, RelapseGuardError, UnknownPolicy
from relapse_guard.policies import POLICIES, policy_names
from relapse_guard.population import generate_population

from .helpers import cli

AS_OF = "2016-12-31"
OWN = (
    "from relapse_guard import load_policy\n"
    "\n"
    "def policy():\n"
    '    return load_policy("dazu_2016").derive(name="my_district")\n'
)
#: What each command's output says of the policy it ran under.
OWN_LABEL = "my_district@1"


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a county (``county``), a policy file (``mine.py``) and a package (``district/own.py``)."""
    where = tmp_path_factory.mktemp("specs")
    generate_population(where / "county", households=120, partitions=2, seed=5, processes=1)
    (where / "mine.py").write_text(OWN, encoding="utf-8")
    (where / "district").mkdir()
    (where / "district" / "__init__.py").write_text("", encoding="utf-8")
    (where / "district" / "own.py").write_text(OWN, encoding="utf-8")
    return where


@pytest.fixture(scope="module")
def first_household(place: Path) -> str:
    households = (place / "county" / "households-00000.jsonl").read_text(encoding="utf-8").splitlines()
    return str(json.loads(households[0])["id"])


@pytest.mark.parametrize("spec", ["mine.py:policy", "district.own:policy"])
def test_screen_runs_under_a_policy_file_or_module_also_in_workers(place: Path, spec: str) -> None:
    done = cli("screen", "county", "--policy", spec, "--as-of", AS_OF, "--workers", "2", cwd=place)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["policy"] == OWN_LABEL


@pytest.mark.parametrize("spec", ["mine.py:policy", "district.own:policy"])
def test_explain_runs_under_a_policy_file_or_module(place: Path, first_household: str, spec: str) -> None:
    args = ("explain", first_household, "--population", "county", "--policy", spec, "--as-of", AS_OF)
    done = cli(*args, cwd=place)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"household {first_household} under {OWN_LABEL}:")


def test_explain_from_a_store_runs_under_a_policy_file(place: Path, tmp_path: Path) -> None:
    store = tmp_path / "county.db"
    first = cli(
        "cycle", str(store), "--population", "county", "--as-of", AS_OF, "--policy", "mine.py:policy", cwd=place
    )
    assert first.returncode == 0, first.stderr
    assert f"under {OWN_LABEL}: " in first.stdout  # the cycle's districts, each under the policy used
    household = json.loads((place / "county" / "households-00000.jsonl").read_text(encoding="utf-8").split("\n")[0])
    done = cli("explain", household["id"], "--store", str(store), "--policy", "district.own:policy", cwd=place)
    assert done.returncode == 0, done.stderr
    assert f"under {OWN_LABEL}:" in done.stdout


def test_report_and_demo_run_under_a_policy_file(place: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    done = cli("report", "county", "--policy", "mine.py:policy", "--as-of", AS_OF, "--out", str(out), cwd=place)
    assert done.returncode == 0, done.stderr
    assert "Policy my\\_district@1, as of 2016-12-31." in (out / "report.md").read_text(encoding="utf-8")
    demo = cli("demo", "--policy", "district.own:policy", cwd=place)
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith("relapse_guard demo: 4 households under my_district, as of 2019-06-30")


def test_a_registered_name_works_as_before() -> None:
    done = cli("demo")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("relapse_guard demo: 4 households under yubei_2016, as of 2019-06-30")


COMMANDS = {
    "demo": ["demo"],
    "check": ["check"],
    "screen": ["screen", "{county}", "--as-of", AS_OF],
    "report": ["report", "{county}", "--as-of", AS_OF, "--out", "{out}"],
    "explain": ["explain", "H1", "--population", "{county}"],
    "explain --store": ["explain", "H1", "--store", "{store}"],
    "cycle": ["cycle", "{store}", "--as-of", AS_OF],
}


def _args(command: str, spec: str, place: Path, tmp_path: Path) -> list[str]:
    fill = {"county": str(place / "county"), "out": str(tmp_path / "out"), "store": str(tmp_path / "never.db")}
    args = [word.format(**fill) for word in COMMANDS[command]]
    return [*args, spec] if command == "check" else [*args, "--policy", spec]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_unknown_name_lists_the_known_ones_and_says_how_to_register_one(
    command: str, place: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(command, "atlantis_2016", place, tmp_path)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"relapse-guard: error: unknown policy 'atlantis_2016'; known: {', '.join(policy_names())};")
    assert f"entry-point group '{POLICIES.group}'" in err
    assert "path/to/file.py:NAME or package.module:NAME" in err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "never.db").exists()  # refused before any work
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("spec", ["yubei2016", "Yubei_2016", "yubei"])
@pytest.mark.parametrize("command", ["screen", "check"])
def test_a_misspelt_name_gets_the_closest_registered_one(
    command: str, spec: str, place: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(command, spec, place, tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"relapse-guard: error: unknown policy {spec!r} (did you mean yubei_2016?); known: ")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_bad_policy_file_is_one_clean_line_and_exit_2(
    command: str, place: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("policy = 1 / 0\n", encoding="utf-8")
    assert main(_args(command, f"{broken}:policy", place, tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"relapse-guard: error: policy file '{broken}', line 1 raised ZeroDivisionError while loading"
    )
    assert "Traceback" not in err


def _policy_actions(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.Action]]:
    found: list[tuple[str, argparse.Action]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                # whatif gathers --policy and --policy-map in one list (dest "sides"): by the option
                found.extend(
                    (name, a) for a in command._actions if a.dest == "policy" or "--policy" in a.option_strings
                )
    return found


def test_every_policy_option_has_the_one_help_text_saying_that_a_file_is_run() -> None:
    actions = _policy_actions(_parser())
    assert {name for name, _ in actions} == {
        "demo",
        "check",
        "screen",
        "report",
        "explain",
        "diff",
        "cycle",
        "test",
        "whatif",
    }
    for name, action in actions:
        assert action.help is not None
        assert action.help.startswith(POLICY_HELP), name
        assert "runs the file: only use files you trust" in action.help, name
        assert "path/to/file.py:NAME or package.module:NAME" in action.help, name


def test_the_errors_are_library_errors_that_name_the_spec_and_pickle(tmp_path: Path) -> None:
    with pytest.raises(UnknownPolicy) as unknown:
        load_policy_spec("atlantis_2016")
    error = unknown.value
    assert isinstance(error, InvalidPolicySpec)
    assert isinstance(error, LookupError)
    assert (error.spec, error.known, error.group) == ("atlantis_2016", policy_names(), "relapse_guard.policies")
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.spec, back.known) == (UnknownPolicy, str(error), error.spec, error.known)
    missing = f"{tmp_path / 'nowhere.py'}:policy"
    with pytest.raises(InvalidPolicySpec) as raised:
        load_policy_spec(missing)
    assert isinstance(raised.value, (RelapseGuardError, ValueError))
    assert raised.value.spec == missing
    assert repr(str(tmp_path / "nowhere.py")) in str(raised.value)
