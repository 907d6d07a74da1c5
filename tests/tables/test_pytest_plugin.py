"""The pytest plug-in, run in pytester's sandboxes: test_*.toml case files collected, one test per case."""

from __future__ import annotations

import pytest

# Loaded here, before any sandbox runs: pytester forgets the modules a sandbox imports first.
import relapse_guard.cli_check
import relapse_guard.pytest_plugin
import relapse_guard.testing.tables
from relapse_guard.policies import load_policy, policy_names

from .helpers import SAFETY_NET_2016

for _name in policy_names():
    load_policy(_name)


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A sandbox where plug-ins are not loaded automatically: the same whether relapse_guard's entry
    point is installed or not (an editable install may predate it)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in the sandbox with the plug-in, as ``-p relapse_guard`` gives it (given as the module
    itself, which is already imported, so that pytest does not warn it cannot rewrite its asserts)."""
    return pytester.runpytest("-p", "no:cacheprovider", *args, plugins=[relapse_guard.pytest_plugin])


def test_each_case_of_a_test_toml_file_is_a_test(run: pytest.Pytester) -> None:
    run.makefile(".toml", test_safety_net=SAFETY_NET_2016)
    result = _run(run, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["test_safety_net.toml::a low-income household of two in 2016 PASSED*"])
    assert "warning" not in result.stdout.str()


def test_without_the_plug_in_case_files_are_not_collected(run: pytest.Pytester) -> None:
    run.makefile(".toml", test_safety_net=SAFETY_NET_2016)
    assert run.runpytest("-p", "no:cacheprovider").ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_other_toml_files_are_left_alone(run: pytest.Pytester) -> None:
    run.makefile(".toml", cases=SAFETY_NET_2016)  # not test_*.toml
    run.makefile(".toml", test_settings="[tool.case]\nname = 'not a case file'\n")
    run.makefile(".txt", test_notes=SAFETY_NET_2016)
    result = _run(run)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_failing_case_shows_the_diff_and_the_timeline(run: pytest.Pytester) -> None:
    run.makefile(".toml", test_wrong=SAFETY_NET_2016.replace('state = "assisted"', 'state = "exited"'))
    result = _run(run)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ case #1 'a low-income household of two in 2016' _*",
            "case #1 'a low-income household of two in 2016' (test_wrong.toml) failed:",
            "  state:",
            "    expected: exited",
            "    got:      assisted",
            "  timeline:",
            "    household YB-2 under yubei_2016@2016.1:",
            "*=> assisted since 2016-06-01",
            "FAILED test_wrong.toml::a low-income household of two in 2016 - case #1 *",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    short = _run(run, "--tb=short")
    assert "timeline:" not in short.stdout.str()
    assert "    got:      assisted" in short.stdout.str()


def test_a_file_that_cannot_be_read_is_a_collection_error_naming_the_field(run: pytest.Pytester) -> None:
    run.makefile(".toml", test_typo=SAFETY_NET_2016.replace('period = "monthly"', 'period = "montly"'))
    run.makefile(".toml", test_good=SAFETY_NET_2016)
    result = _run(run)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting test_typo.toml*",
            "case file test_typo.toml: case #1 'a low-income household of two in 2016': "
            "expect.grants[2].period = 'montly' refused; expected one of 'one_off', 'monthly', 'yearly'",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_the_policy_option_runs_every_file_under_one_policy(run: pytest.Pytester) -> None:
    run.makefile(".toml", test_safety_net=SAFETY_NET_2016)
    _run(run, "--relapse-guard-policy", "yubei_2016").assert_outcomes(passed=1)
    _run(run, "--relapse-guard-policy", "chongqing_2016").assert_outcomes(failed=1)  # no Yubei supports there


def test_a_policy_file_beside_the_case_file(run: pytest.Pytester) -> None:
    run.mkdir("cases")
    run.path.joinpath("cases", "mine.py").write_text(
        "from relapse_guard import load_policy\n\nmine = load_policy('yubei_2016').derive(name='mine')\n",
        encoding="utf-8",
    )
    run.path.joinpath("cases", "test_mine.toml").write_text(
        SAFETY_NET_2016.replace('"yubei_2016"', '"mine.py:mine"'), encoding="utf-8"
    )
    result = _run(run, "cases")
    result.assert_outcomes(passed=1)


def test_several_cases_and_files_are_counted(run: pytest.Pytester) -> None:
    second = SAFETY_NET_2016.split("[household]")[0] + "\n".join(
        f'[[case]]\nname = "case {n}"\nexpect = {{ state = "new" }}\n' for n in range(3)
    )
    run.makefile(".toml", test_one=SAFETY_NET_2016, test_three=second)
    result = _run(run, "-q")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["4 passed*"])
    _run(run, "-q", "-k", "test_one").assert_outcomes(passed=1, deselected=3)


def test_a_file_naming_no_policy_says_to_give_the_plug_in_s_option(run: pytest.Pytester) -> None:
    run.makefile(".toml", test_unnamed=SAFETY_NET_2016.replace('policy = "yubei_2016"', ""))
    result = _run(run)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*or a policy given to run them under (--relapse-guard-policy)"])
    assert "(--policy)" not in result.stdout.str()
