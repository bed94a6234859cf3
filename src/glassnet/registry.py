"""Components that describe themselves, and the registries that turn their names back into classes.

Every activation, loss, optimizer, initializer, schedule and layer is a ``Component``: a class with a
``name`` and a JSON-safe ``config()`` (its constructor's arguments), so that

    spec = {"name": obj.name, "config": obj.config()}     # what a model file stores
    registry.build(spec)                                  # an equal object again

A registry per kind maps names to classes. A class of your own joins with one call, e.g.
``gn.activations.register(MyActivation)``, and then trains, saves and loads like a built-in one.
"""

from __future__ import annotations

import reprlib
from typing import Any, ClassVar, Generic, TypeVar

from .errors import InputError

T = TypeVar("T", bound="Component")
Spec = dict[str, Any]  # {"name": str, "config": dict}


class Component:
    """A named part whose ``config()`` rebuilds it: ``type(c).from_config(c.config())`` acts like ``c``."""

    name: ClassVar[str] = ""

    def config(self) -> dict[str, Any]:
        """The constructor's arguments, as JSON-safe values (nested components as specs)."""
        return {}

    @classmethod
    def from_config(cls: type[T], config: dict[str, Any]) -> T:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Registry(Generic[T]):
    """The classes of one kind of component, by name."""

    def __init__(self, kind: str, base: type[T], home: str, classes: tuple[type[T], ...] = ()) -> None:
        self.kind, self.base, self.home = kind, base, home  # home: where register lives, for messages
        self.classes: dict[str, type[T]] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type[T]) -> type[T]:
        """Add ``cls`` under its ``name`` (usable as a class decorator); the name must be new."""
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise InputError(f"{self.home}.register needs a subclass of {self.base.__name__}; got {cls!r}")
        name = cls.name
        if not isinstance(name, str) or not name:
            raise InputError(f"{cls.__name__} needs a class attribute 'name' (a non-empty string) to be registered")
        taken = self.classes.get(name)
        if taken is not None and taken is not cls:
            raise InputError(f"{self.kind} name {name!r} is taken by {taken.__module__}.{taken.__qualname__}; "
                             f"give {cls.__name__} another name")
        self.classes[name] = cls
        return cls

    def get(self, spec: str | Spec | T) -> T:
        """An instance from a name (default settings), a spec dict, or the instance itself."""
        if isinstance(spec, self.base):
            return spec
        if isinstance(spec, dict):
            return self.build(spec)
        cls = self.lookup(spec)
        if not _fits(cls, {}):
            raise InputError(f"{self.kind} {spec!r} has no default settings; give an instance such as "
                             f"{cls.__name__}(...)")
        return cls()

    def lookup(self, name: object) -> type[T]:
        """The class registered as ``name``, or an InputError listing the known names."""
        cls = self.classes.get(name) if isinstance(name, str) else None
        if cls is None:
            raise InputError(f"unknown {self.kind} {reprlib.repr(name)}; expected one of: "
                             f"{', '.join(sorted(self.classes))}")
        return cls

    def build(self, spec: object) -> T:
        """The object a ``spec(obj)`` dict describes; a bad name or setting is an InputError."""
        if not isinstance(spec, dict) or set(spec) != {"name", "config"} or not isinstance(spec["config"], dict):
            raise InputError(f"the {self.kind} must be described as {{'name': ..., 'config': {{...}}}}; "
                             f"got {reprlib.repr(spec)}")
        cls = self.lookup(spec["name"])
        if not _fits(cls, spec["config"]):
            raise InputError(f"{self.kind} {spec['name']!r}: settings {reprlib.repr(spec['config'])} do not fit "
                             f"its constructor {cls.__name__}{signature(cls)}")
        obj = cls.from_config(spec["config"])
        missing = sorted(set(obj.config()) - set(spec["config"]))
        if missing:  # a description that leaves a setting out would load with its default, unseen
            raise InputError(f"{self.kind} {spec['name']!r}: settings {reprlib.repr(spec['config'])} lack "
                             f"{', '.join(missing)}")
        return obj

    def spec(self, obj: T) -> Spec:
        """``{"name": ..., "config": ...}`` of a registered object (one of your own: register its class first)."""
        registered = self.classes.get(obj.name)
        if registered is type(obj):
            return {"name": obj.name, "config": obj.config()}
        mine = type(obj).__name__
        if registered is not None:  # a subclass that kept its parent's name
            raise InputError(f"{self.kind} {mine} is not registered: it has the name {obj.name!r} of "
                             f"{registered.__qualname__}; give it a name of its own and call {self.home}.register"
                             f"({mine}) once, so a model file can name it")
        raise InputError(f"{self.kind} {mine} is not registered, so a model file could not name it: call "
                         f"{self.home}.register({mine}) once")


def signature(cls: type) -> str:
    """``(lr, steps, warmup=0, final=0.0)``: the constructor's arguments."""
    import inspect

    return "(" + ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}"
                           for p in inspect.signature(cls).parameters.values()) + ")"


def _fits(cls: type, config: dict[str, Any]) -> bool:
    """Whether ``cls(**config)`` names its arguments right (checked apart from the constructor's own work, so an
    error inside it is not mistaken for a bad setting)."""
    import inspect

    try:
        inspect.signature(cls).bind(**config)
    except TypeError:
        return False
    return True
