"""An object read when first used: ``Deferred(load)`` stands for ``load()`` and calls it on first use.

Why: a workbook's setup cell binds ``cs = ds.case_study``. Reading a case study needs pydantic, whose
import alone (0.12 s) would double what the setup cell costs beyond ``import pandas``; deferred, it is
paid by the first cell that looks inside ``cs``, and not at all by a notebook that never does.

The stand-in behaves as the object for what notebooks and the package do with a case study: attribute
access, ``isinstance`` (``__class__`` is the object's), ``==`` and ``hash``, ``repr``/``str`` and
IPython display, iteration, ``dir`` (tab completion), copying and pickling (a pickle holds the object
itself, not the stand-in). Assignment goes to the object (a frozen pydantic model refuses it, as it
would without the stand-in). ``type(x)`` is the one thing that tells them apart.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any


class Deferred:
    __slots__ = ("_load", "_value")

    def __init__(self, load: Callable[[], Any]):
        object.__setattr__(self, "_load", load)

    def _target(self) -> Any:
        try:
            return object.__getattribute__(self, "_value")
        except AttributeError:
            value = object.__getattribute__(self, "_load")()
            object.__setattr__(self, "_value", value)
            return value

    @property
    def __class__(self):  # isinstance(x, CaseStudy) holds, as it does for the object itself
        return self._target().__class__

    def __getattr__(self, name: str) -> Any:  # only called for names the stand-in itself lacks
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._target(), name)

    def __dir__(self):
        return dir(self._target())

    def __repr__(self) -> str:
        return repr(self._target())

    def __str__(self) -> str:
        return str(self._target())

    def __eq__(self, other: object) -> bool:
        return self._target() == (other._target() if type(other) is Deferred else other)

    def __hash__(self) -> int:
        return hash(self._target())

    def __iter__(self):
        return iter(self._target())

    def __copy__(self):
        return copy.copy(self._target())

    def __deepcopy__(self, memo):
        return copy.deepcopy(self._target(), memo)

    def __reduce_ex__(self, protocol):
        return self._target().__reduce_ex__(protocol)
