"""``relapse-guard check``, run as a user would: shipped policies, policies of one's own, bad specs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from relapse_guard import load_policy
from relapse_guard.checks import CHECKS, check_policy
from relapse_guard.cli_check import load_policy_spec
from relapse_guard.errors import RelapseGuardError
from relapse_guard.policies import policy_names

from .helpers import cli as run_cli

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "kit" / "broken.py"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


@pytest.mark.parametrize("name", policy_names())
def test_each_shipped_policy_prints_its_findings_and_a_summary(name: str) -> None:
    policy = load_policy(name)
    findings = check_policy(policy)
    done = cli("check", name)
    assert done.returncode == (1 if findings else 0), done.stderr
    assert done.stderr == ""
    *lines, summary = done.stdout.splitlines()
    assert lines == [str(f) for f in findings]
    if findings:
        assert summary.startswith(f"{policy.label}: {len(findings)} finding")
    else:
        assert summary == f"{policy.label}: no findings ({len(CHECKS)} checks run)"


def test_bishan_has_findings_in_2015_and_none_on_a_date_in_2016() -> None:
    done = cli("check", "bishan_2016")
    assert done.returncode == 1
    assert "parameter_missing: intervention micro_insurance:" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("bishan_2016@2016.1: ")
    on_one_date = cli("check", "bishan_2016", "--on", "2016-06-01")
    assert on_one_date.returncode == 0, on_one_date.stdout
    assert on_one_date.stdout == f"bishan_2016@2016.1: no findings ({len(CHECKS)} checks run)\n"


def test_json_is_a_list_of_findings_and_nothing_else() -> None:
    done = cli("check", "bishan_2016", "--format", "json")
    assert done.returncode == 1
    findings = json.loads(done.stdout)
    assert findings == [
        {"policy": "bishan_2016@2016.1", "check": f.check, "subject": f.subject, "message": f.message}
        for f in check_policy(load_policy("bishan_2016"))
    ]
    clean = cli("check", "yubei_2016", "--format", "json")
    assert clean.returncode == 0
    assert json.loads(clean.stdout) == []


def test_a_broken_policy_file_gives_a_finding_of_each_check() -> None:
    done = cli("check", f"{BROKEN}:broken_policy")
    assert done.returncode == 1, done.stderr
    *lines, summary = done.stdout.splitlines()
    assert {line.split(":")[0] for line in lines} == set(CHECKS) - {"parameter_invalid", "component_fails"}
    assert "dead_route: route income_fal: no trigger produces 'income_fal' risks" in done.stdout
    assert summary.startswith(f"broken_district@1: {len(lines)} findings (unreachable_state 6, ")
    as_json = json.loads(cli("check", f"{BROKEN}:broken_policy", "--format", "json").stdout)
    assert [f"{f['check']}: {f['subject']}: {f['message']}" for f in as_json] == lines


def test_a_relative_path_and_a_policy_value_in_the_file() -> None:
    done = cli("check", "examples/user_policy.py:policy")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"my_district_2016@2016.1: no findings ({len(CHECKS)} checks run)\n"


def test_a_module_spec_is_imported_from_the_current_directory(tmp_path: Path) -> None:
    package = tmp_path / "district_policies"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "mine.py").write_text(
        "from relapse_guard import load_policy\n"
        "from relapse_guard.routing import step\n"
        "\n"
        "def typo():\n"
        '    base = load_policy("yubei_2016")\n'
        '    return base.derive(name="typo", routes={"ilness": [step("medical_aid")]})\n',
        encoding="utf-8",
    )
    done = cli("check", "district_policies.mine:typo", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "dead_route: route ilness: no trigger produces 'ilness' risks" in done.stdout
    assert "did you mean 'illness'?" in done.stdout
    shipped = cli("check", "relapse_guard.policies.dazu_2016:policy", cwd=tmp_path)
    assert shipped.returncode == 0
    assert shipped.stdout.startswith("dazu_2016@2016.1: no findings")


def test_an_unknown_name_is_named_with_the_known_ones_and_exits_2() -> None:
    done = cli("check", "atlantis_2016")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("relapse-guard: error: unknown policy 'atlantis_2016'; known: ")
    for name in policy_names():
        assert name in done.stderr
    assert "path/to/file.py:NAME" in done.stderr


BAD_FILES = {
    "raises.py": "import datetime\n\nx = 1\nraise RuntimeError('no parameters for 2015')\n",
    "syntax.py": "policy = (\n",
    "values.py": "from relapse_guard import load_policy\n\npolicy = load_policy('dazu_2016')\nnumber = 3\n"
    "def needs_a_name(name):\n    return load_policy(name)\n\ndef gives_a_number():\n    return 3\n",
}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nowhere.py:policy", "policy file 'nowhere.py' does not exist (policy 'nowhere.py:policy')"),
        ("raises.py:policy", "policy file 'raises.py', line 4 raised RuntimeError while loading: no parameters"),
        ("syntax.py:policy", "policy file 'syntax.py', line 1 raised SyntaxError while loading"),
        ("values.py:missing", "'values.py' has no attribute 'missing' (policies it defines: policy)"),
        ("values.py:number", "values.py:number is of type 'int', not a Policy or a function returning one"),
        ("values.py:needs_a_name", "values.py:needs_a_name cannot be called with no arguments"),
        ("values.py:gives_a_number", "values.py:gives_a_number() returned a value of type 'int', not a Policy"),
        ("values.py", "'values.py' is a file; say which policy in it to use: values.py:NAME (policies it defines"),
        ("no_such_module:policy", "cannot import module 'no_such_module' (policy 'no_such_module:policy')"),
        ("not-a-module:policy", "'not-a-module' is not a module name"),
        ("values.py:", "policy 'values.py:' is not a registered policy name"),
    ],
)
def test_a_bad_spec_says_which_file_or_attribute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str, message: str
) -> None:
    for name, text in BAD_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    modules = set(sys.modules)
    try:
        with pytest.raises(RelapseGuardError) as raised:
            load_policy_spec(spec)
    finally:
        for name in set(sys.modules) - modules:  # the files loaded here, not to be met again
            del sys.modules[name]
    assert message in str(raised.value)


@pytest.mark.parametrize("spec", ["nowhere.py:policy", "raises.py:policy", "values.py:missing", "no_such_module:p"])
def test_a_bad_spec_exits_2_with_the_message_on_stderr(tmp_path: Path, spec: str) -> None:
    for name, text in BAD_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = cli("check", spec, cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert done.stderr.startswith("relapse-guard: error: ")
    assert spec.split(":")[0] in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors_exit_2() -> None:
    bad_format = cli("check", "yubei_2016", "--format", "yaml")
    assert bad_format.returncode == 2
    assert "invalid choice: 'yaml'" in bad_format.stderr
    bad_date = cli("check", "yubei_2016", "--on", "2016-02-30")
    assert bad_date.returncode == 2
    assert "argument --on: '2016-02-30' is not a date: day is out of range for month" in bad_date.stderr
    missing = cli("check")
    assert missing.returncode == 2
    assert "policy" in missing.stderr


def test_help() -> None:
    done = cli("check", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: relapse-guard check")
    for text in ("path/to/file.py:NAME", "package.module:NAME", "--format {text,json}", "--on"):
        assert text in done.stdout


def test_the_command_line_page_has_a_section_per_command() -> None:
    from relapse_guard.cli import _parser

    match = re.search(r"\{([\w,-]+)\}", _parser().format_usage())
    assert match is not None
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in match.group(1).split(","):
        assert f"\n## {command}\n" in page, f"docs/cli.md has no section for {command!r}"
        assert f"[`{command}`](#{command})" in page, f"docs/cli.md's table does not list {command!r}"
