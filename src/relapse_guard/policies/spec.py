"""A policy named by a **spec**, as ``--policy`` takes it: a registered name, ``path/to/file.py:NAME``
or ``package.module:NAME``.

:func:`load_policy_spec` loads one. It is here, beside the registry, so that a policy map
(:mod:`relapse_guard.policies.policy_map`) can name a policy of one's own as ``--policy`` does;
the command line's :mod:`relapse_guard.cli_policy` gives it under its old name too.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import traceback
import zlib
from pathlib import Path
from types import ModuleType

from ..errors import InvalidPolicySpec, UnknownPlugin, UnknownPolicy
from ..policy import Policy
from . import POLICIES, load_policy

__all__ = ["load_policy_spec", "looks_like_file"]


_SPEC_FORMS = "a registered policy name, a path/to/file.py:NAME or a package.module:NAME"


def load_policy_spec(spec: str) -> Policy:
    """The policy ``spec`` names: a registered policy name, ``path.py:NAME`` or ``package.module:NAME``.

    A registered name wins. Otherwise the part before the last ``:`` is a Python file (it
    ends in ``.py`` or contains a path separator) or an importable module (the current
    directory is searched first), and ``NAME`` an attribute of it (dotted names are
    followed): a :class:`~relapse_guard.policy.Policy`, or a function of no arguments that
    returns one. A file is run as a module, with its directory on ``sys.path`` while it
    loads; it is not run as ``__main__``.

    Raises :class:`~relapse_guard.errors.UnknownPolicy` for a name that is not registered (the
    message lists the registered ones and says how to register one), and
    :class:`~relapse_guard.errors.InvalidPolicySpec` naming the spec and the file, module or
    attribute at fault: a missing file, a module that cannot be imported or raises while
    loading, a missing attribute (listing the policies it defines), or an attribute that is not
    a policy. A registered policy that cannot be loaded raises
    :class:`~relapse_guard.errors.BrokenPlugin`.

    >>> load_policy_spec("relapse_guard.policies.dazu_2016:policy").label
    'dazu_2016@2016.1'
    """
    if spec.endswith(".py"):
        module = _load_file(spec, spec)
        raise InvalidPolicySpec(
            spec, f"{spec!r} is a file; say which policy in it to use: {spec}:NAME ({_defined_policies(module)})"
        )
    source, colon, attribute = spec.rpartition(":")
    is_file = bool(colon) and looks_like_file(source)
    if not colon:
        try:
            return load_policy(spec)
        except UnknownPlugin as error:
            raise UnknownPolicy(spec, error.known, POLICIES.group) from None
    if not source or not attribute:
        raise InvalidPolicySpec(spec, f"policy {spec!r} is not {_SPEC_FORMS}")
    module = _load_file(source, spec) if is_file else _load_module(source, spec)
    return _policy_of(module, source, attribute, spec)


def looks_like_file(source: str) -> bool:
    """Whether the part of a spec before its ``:`` names a file (it ends in ``.py`` or holds a
    path separator), not a module."""
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
        raise InvalidPolicySpec(spec, f"policy file {source!r} {where} (policy {spec!r})")
    resolved = path.resolve()
    name = _module_name(resolved)
    module_spec = importlib.util.spec_from_file_location(name, resolved)
    if module_spec is None or module_spec.loader is None:
        raise InvalidPolicySpec(spec, f"policy file {source!r} cannot be loaded as Python (policy {spec!r})")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    directory = str(resolved.parent)
    sys.path.insert(0, directory)
    try:
        module_spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        sys.modules.pop(name, None)
        raise InvalidPolicySpec(
            spec,
            f"policy file {source!r}{_where(error, resolved)} raised {type(error).__name__} while loading: {error}",
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
        raise InvalidPolicySpec(spec, f"policy {spec!r} is not {_SPEC_FORMS}: {source!r} is not a module name")
    cwd_added = "" not in sys.path and str(Path.cwd()) not in sys.path
    if cwd_added:
        sys.path.insert(0, "")
    try:
        return importlib.import_module(source)
    except ModuleNotFoundError as error:
        raise InvalidPolicySpec(spec, f"cannot import module {source!r} (policy {spec!r}): {error}") from None
    except (Exception, SystemExit) as error:
        raise InvalidPolicySpec(
            spec, f"module {source!r} raised {type(error).__name__} while loading (policy {spec!r}): {error}"
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
            raise InvalidPolicySpec(spec, f"{source!r} has no attribute {attribute!r} ({_defined_policies(module)})")
        value = getattr(value, part)
    if isinstance(value, Policy):
        return value
    if isinstance(value, type):
        raise InvalidPolicySpec(
            spec,
            f"{spec} is a class ({value.__name__}), not a Policy or a function returning one "
            f"({_defined_policies(module)})",
        )
    if callable(value):
        try:
            inspect.signature(value).bind()
        except TypeError as error:
            raise InvalidPolicySpec(
                spec,
                f"{spec} cannot be called with no arguments ({error}); "
                "name a Policy or a function of no arguments that returns one",
            ) from None
        except ValueError:  # no signature to inspect (a builtin): just call it
            pass
        try:
            made = value()
        except Exception as error:
            raise InvalidPolicySpec(spec, f"{spec}() raised {type(error).__name__}: {error}") from error
        if isinstance(made, Policy):
            return made
        raise InvalidPolicySpec(spec, f"{spec}() returned a value of type {type(made).__name__!r}, not a Policy")
    raise InvalidPolicySpec(
        spec,
        f"{spec} is of type {type(value).__name__!r}, not a Policy or a function returning one "
        f"({_defined_policies(module)})",
    )
