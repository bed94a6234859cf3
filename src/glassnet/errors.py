"""The exceptions glassnet raises: each message says what was expected and what was given."""


class GlassnetError(Exception):
    """Base class of every error glassnet raises on purpose."""


class InputError(GlassnetError, ValueError):
    """Bad data, a bad name or a bad hyper-parameter."""


class DivergenceError(GlassnetError, ArithmeticError):
    """Training produced a non-finite loss; the network keeps its last finite weights."""


class ModelFileError(GlassnetError, ValueError):
    """A model file that is missing, damaged, foreign or from a newer glassnet."""
