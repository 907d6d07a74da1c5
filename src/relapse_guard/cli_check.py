"""The ``check`` command of ``relapse-guard``: a policy's static checks, for people and for CI.

The policy is a registered name (``yubei_2016``) or a policy of your own, given as
``path/to/file.py:NAME`` or ``package.module:NAME``, where ``NAME`` is a
:class:`~relapse_guard.policy.Policy` or a function of no arguments that returns one.
:func:`load_policy_spec` resolves such a spec; :func:`run_check` prints the findings of
:func:`~relapse_guard.checks.check_policy` and returns the exit code.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import inspect
import json
import sys
import traceback
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from .checks import CHECKS, Finding, check_policy
from .errors import RelapseGuardError, UnknownPlugin
from .policies import load_policy
from .policy import Policy

__all__ = ["OUTPUT_FORMATS", "finding_to_dict", "load_policy_spec", "run_check", "summary"]

#: What ``relapse-guard check --format`` can print.
OUTPUT_FORMATS = ("text", "json")

_SPEC_FORMS = "a registered policy name, a path/to/file.py:NAME or a package.module:NAME"


def load_policy_spec(spec: str) -> Policy:
    """The policy ``spec`` names: a registered policy name, ``path.py:NAME`` or ``package.module:NAME``.

    A registered name wins. Otherwise the part before the last ``:`` is a Python file (it
    ends in ``.py`` or contains a path separator) or an importable module (the current
    directory is searched first), and ``NAME`` an attribute of it (dotted names are
    followed): a :class:`~relapse_guard.policy.Policy`, or a function of no arguments that
    returns one. A file is run as a module, with its directory on ``sys.path`` while it
    loads; it is not run as ``__main__``.

    Raises :class:`~relapse_guard.errors.RelapseGuardError` naming the spec and the file,
    module or attribute at fault: an unknown name (listing the registered ones), a missing
    file, a module that cannot be imported or raises while loading, a missing attribute
    (listing the policies it defines), or an attribute that is not a policy.

    >>> load_policy_spec("relapse_guard.policies.dazu_2016:policy").label
    'dazu_2016@2016.1'
    """
    if spec.endswith(".py"):
        module = _load_file(spec, spec)
        raise RelapseGuardError(
            f"{spec!r} is a file; say which policy in it to check: {spec}:NAME ({_defined_policies(module)})"
        )
    source, colon, attribute = spec.rpartition(":")
    is_file = bool(colon) and _looks_like_file(source)
    if not colon:
        try:
            return load_policy(spec)
        except UnknownPlugin as error:
            raise RelapseGuardError(
                f"unknown policy {spec!r}; known: {', '.join(error.known) or 'none'}; "
                "or give a policy of your own as path/to/file.py:NAME or package.module:NAME"
            ) from None
    if not source or not attribute:
        raise RelapseGuardError(f"policy {spec!r} is not {_SPEC_FORMS}")
    module = _load_file(source, spec) if is_file else _load_module(source, spec)
    return _policy_of(module, source, attribute, spec)


def _looks_like_file(source: str) -> bool:
    return source.endswith(".py") or "/" in source or "\\" in source


def _module_name(path: Path) -> str:
    stem = path.stem
    if stem.isidentifier() and stem not in sys.modules and stem not in sys.stdlib_module_names:
        return stem
    return f"_relapse_guard_policy_{zlib.crc32(str(path).encode()):08x}"


def _load_file(source: str, spec: str) -> ModuleType:
    path = Path(source)
    if not path.is_file():
        where = "is a directory" if path.is_dir() else "does not exist"
        raise RelapseGuardError(f"policy file {source!r} {where} (policy {spec!r})")
    resolved = path.resolve()
    name = _module_name(resolved)
    module_spec = importlib.util.spec_from_file_location(name, resolved)
    if module_spec is None or module_spec.loader is None:
        raise RelapseGuardError(f"policy file {source!r} cannot be loaded as Python (policy {spec!r})")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    directory = str(resolved.parent)
    sys.path.insert(0, directory)
    try:
        module_spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        sys.modules.pop(name, None)
        raise RelapseGuardError(
            f"policy file {source!r}{_where(error, resolved)} raised {type(error).__name__} while loading: {error}"
        ) from error
    finally:
        if directory in sys.path:
            sys.path.remove(directory)
    return module


def _where(error: BaseException, path: Path) -> str:
    """``", line N"``: where in ``path`` loading failed, when the traceback says."""
    if isinstance(error, SyntaxError) and error.lineno is not None:
        return f", line {error.lineno}"
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    return f", line {lines[-1]}" if lines else ""


def _load_module(source: str, spec: str) -> ModuleType:
    if not all(part.isidentifier() for part in source.split(".")):
        raise RelapseGuardError(f"policy {spec!r} is not {_SPEC_FORMS}: {source!r} is not a module name")
    cwd_added = "" not in sys.path and str(Path.cwd()) not in sys.path
    if cwd_added:
        sys.path.insert(0, "")
    try:
        return importlib.import_module(source)
    except ModuleNotFoundError as error:
        raise RelapseGuardError(f"cannot import module {source!r} (policy {spec!r}): {error}") from None
    except (Exception, SystemExit) as error:
        raise RelapseGuardError(
            f"module {source!r} raised {type(error).__name__} while loading (policy {spec!r}): {error}"
        ) from error
    finally:
        if cwd_added:
            sys.path.remove("")


def _defined_policies(module: ModuleType) -> str:
    names = sorted(name for name, value in vars(module).items() if isinstance(value, Policy))
    return "policies it defines: " + (", ".join(names) if names else "none")


def _policy_of(module: ModuleType, source: str, attribute: str, spec: str) -> Policy:
    value: object = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise RelapseGuardError(f"{source!r} has no attribute {attribute!r} ({_defined_policies(module)})")
        value = getattr(value, part)
    if isinstance(value, Policy):
        return value
    if isinstance(value, type):
        raise RelapseGuardError(
            f"{spec} is a class ({value.__name__}), not a Policy or a function returning one "
            f"({_defined_policies(module)})"
        )
    if callable(value):
        try:
            inspect.signature(value).bind()
        except TypeError as error:
            raise RelapseGuardError(
                f"{spec} cannot be called with no arguments ({error}); "
                "name a Policy or a function of no arguments that returns one"
            ) from None
        except ValueError:  # no signature to inspect (a builtin): just call it
            pass
        try:
            made = value()
        except Exception as error:
            raise RelapseGuardError(f"{spec}() raised {type(error).__name__}: {error}") from error
        if isinstance(made, Policy):
            return made
        raise RelapseGuardError(f"{spec}() returned a value of type {type(made).__name__!r}, not a Policy")
    raise RelapseGuardError(
        f"{spec} is of type {type(value).__name__!r}, not a Policy or a function returning one "
        f"({_defined_policies(module)})"
    )


def finding_to_dict(finding: Finding, policy: Policy) -> dict[str, str]:
    """One finding as JSON-ready data: ``policy`` (its label), ``check``, ``subject`` and ``message``."""
    return {"policy": policy.label, "check": finding.check, "subject": finding.subject, "message": finding.message}


def summary(policy: Policy, findings: Sequence[Finding]) -> str:
    """The closing line of ``check``: how many findings of which check, or none.

    >>> summary(load_policy("yubei_2016"), ())
    'yubei_2016@2016.1: no findings (9 checks run)'
    """
    if not findings:
        return f"{policy.label}: no findings ({len(CHECKS)} checks run)"
    counts = Counter(f.check for f in findings)
    by_check = ", ".join(f"{check} {counts[check]}" for check in CHECKS if check in counts)
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{policy.label}: {len(findings)} {noun} ({by_check})"


def run_check(spec: str, output_format: str = "text", on: dt.date | None = None) -> int:
    """Print the static checks' findings for the policy ``spec`` names (see :func:`load_policy_spec`).

    ``text`` prints one line per finding (``check: subject: message``) and a summary line;
    ``json`` prints a JSON list of findings as objects (:func:`finding_to_dict`) and nothing
    else. ``on`` probes that date only, instead of every date the policy uses.

    Returns 0 when there are no findings and 1 when there are; raises
    :class:`~relapse_guard.errors.RelapseGuardError` for a spec that names no policy.
    """
    if output_format not in OUTPUT_FORMATS:
        raise RelapseGuardError(f"unknown output format {output_format!r}; known: {', '.join(OUTPUT_FORMATS)}")
    policy = load_policy_spec(spec)
    findings = check_policy(policy, on=on)
    if output_format == "json":
        print(json.dumps([finding_to_dict(f, policy) for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            print(finding)
        print(summary(policy, findings))
    return 1 if findings else 0
