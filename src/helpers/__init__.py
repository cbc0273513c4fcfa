"""Contact Centre Workbooks: the importable library behind the workbooks, the generator and the grader.

Learners use ``helpers.data`` (their own dataset), ``helpers.kpi``, ``helpers.staffing`` and
``helpers.analysis``; the grader side builds on the same functions. Criteria of the five units live
once, as data, in ``helpers.curriculum``.
"""
__version__ = "0.1.0"


def lazy_exports(package: str, exports: dict[str, tuple[str, ...]]):
    """``__getattr__`` and ``__dir__`` (PEP 562) for a package that re-exports its submodules' public names:
    ``exports`` maps each submodule to its names, and a submodule is imported when one of its names is first
    used (``package.name`` or ``from package import name``), so importing the package costs next to nothing.

    In the package: ``__getattr__, __dir__ = lazy_exports(__name__, {"design": ("check_design", ...), ...})``."""
    import importlib
    import sys

    where = {name: sub for sub, names in exports.items() for name in names}

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)  # next time a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__
