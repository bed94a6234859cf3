"""``glassnet.sklearn``: the scikit-learn estimators, ``GlassnetClassifier`` and ``GlassnetRegressor`` (needs the
``glassnet[sklearn]`` extra). They live in ``glassnet.integrations.sklearn``; this is their public name."""

from .integrations.sklearn import GlassnetClassifier, GlassnetRegressor

__all__ = ["GlassnetClassifier", "GlassnetRegressor"]
