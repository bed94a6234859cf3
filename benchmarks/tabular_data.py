"""The real tables of the tabular benchmark: each shipped inside an installable package, read from disk (no
download at run time). A table whose package is not installed is skipped, and the report says so.

    name            package          rows  task            what makes it real
    iris            scikit-learn      150  3 classes
    wine            scikit-learn      178  3 classes       columns on very different scales
    breast_cancer   scikit-learn      569  2 classes       30 correlated columns
    digits          scikit-learn     1797  10 classes      64 pixel columns, many constant
    penguins        palmerpenguins    344  3 classes       text columns (island, sex), missing cells
    penguins_sex    palmerpenguins    333  2 classes       text column (species, island), missing cells
    fair            statsmodels      6366  2 classes       affairs > 0: noisy, imbalanced (32% positive)
    anes96          statsmodels       944  2 classes       vote in the 1996 US election
    diabetes        scikit-learn      442  regression      a weak signal (R^2 about 0.5 at best)
    penguins_mass   palmerpenguins    342  regression      body mass; text columns, missing cells
    grunfeld        statsmodels       220  regression      investment; a text column (firm)
    star98          statsmodels       303  regression      share of students above the median; 20 columns
    engel           statsmodels       235  regression      food expense from income: one skewed column
    randhie         statsmodels      5000  regression      doctor visits (a seeded 5,000-row sample of 20,190)

HELD_OUT: seven more tables, added after the defaults were chosen and never used to choose anything: a check of
whether what the 14 tables chose holds on tables it was not chosen on (``tabular.py --held-out``).

    cars_mpg        vega_datasets     398  regression      fuel use of 1970s cars; a text column, missing cells
    cars_origin     vega_datasets     406  3 classes       where a car was made, from its measurements
    seattle_weather vega_datasets    1461  5 classes       the day's weather from rain, temperature, wind, month
    tips            plotly            244  regression      a restaurant's tips; four text columns
    gapminder       plotly           1704  regression      life expectancy from country, continent, year, wealth
    barley          vega_datasets     120  regression      yield from variety, site (text) and year
    carshare        plotly            249  regression      car-sharing hours by place and hour: mostly noise
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Dataset:
    name: str
    package: str  # the import name of the package that ships it
    task: str  # classification or regression
    target: str
    load: Callable[[], pd.DataFrame]

    def available(self) -> bool:
        return importlib.util.find_spec(self.package) is not None


def _sklearn(name: str, target: str = "target") -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        import sklearn.datasets

        frame = getattr(sklearn.datasets, f"load_{name}")(as_frame=True).frame
        return frame.rename(columns={"target": target})

    return load


def _statsmodels(name: str) -> pd.DataFrame:
    import importlib

    return importlib.import_module(f"statsmodels.datasets.{name}").load_pandas().data.copy()


def _penguins() -> pd.DataFrame:
    from palmerpenguins import load_penguins

    return load_penguins()


def _penguins_sex() -> pd.DataFrame:
    frame = _penguins()
    return frame[frame["sex"].notna()].reset_index(drop=True)


def _penguins_mass() -> pd.DataFrame:
    frame = _penguins()
    return frame[frame["body_mass_g"].notna()].reset_index(drop=True)


def _fair() -> pd.DataFrame:
    frame = _statsmodels("fair")
    frame["affair"] = (frame.pop("affairs") > 0).map({True: "yes", False: "no"})
    return frame


def _anes96() -> pd.DataFrame:
    frame = _statsmodels("anes96")
    frame["vote"] = frame["vote"].map({0.0: "Clinton", 1.0: "Dole"})
    return frame.drop(columns=["logpopul"])  # log of another column


def _grunfeld() -> pd.DataFrame:
    frame = _statsmodels("grunfeld")
    frame["firm"] = frame["firm"].astype(str)
    return frame


def _star98() -> pd.DataFrame:
    frame = _statsmodels("star98")
    above, below = frame.pop("NABOVE"), frame.pop("NBELOW")
    frame["share_above"] = above / (above + below)
    return frame


def _randhie() -> pd.DataFrame:
    return _statsmodels("randhie").sample(n=5000, random_state=0).reset_index(drop=True)


DATASETS = [
    Dataset("iris", "sklearn", "classification", "species", _sklearn("iris", "species")),
    Dataset("wine", "sklearn", "classification", "cultivar", _sklearn("wine", "cultivar")),
    Dataset("breast_cancer", "sklearn", "classification", "malignant", _sklearn("breast_cancer", "malignant")),
    Dataset("digits", "sklearn", "classification", "digit", _sklearn("digits", "digit")),
    Dataset("penguins", "palmerpenguins", "classification", "species", _penguins),
    Dataset("penguins_sex", "palmerpenguins", "classification", "sex", _penguins_sex),
    Dataset("fair", "statsmodels", "classification", "affair", _fair),
    Dataset("anes96", "statsmodels", "classification", "vote", _anes96),
    Dataset("diabetes", "sklearn", "regression", "progression", _sklearn("diabetes", "progression")),
    Dataset("penguins_mass", "palmerpenguins", "regression", "body_mass_g", _penguins_mass),
    Dataset("grunfeld", "statsmodels", "regression", "invest", _grunfeld),
    Dataset("star98", "statsmodels", "regression", "share_above", _star98),
    Dataset("engel", "statsmodels", "regression", "foodexp", lambda: _statsmodels("engel")),
    Dataset("randhie", "statsmodels", "regression", "mdvis", _randhie),
]


def _cars() -> pd.DataFrame:
    from vega_datasets import local_data

    frame = local_data.cars().drop(columns=["Name"])  # (each model's name: nearly one per row)
    frame["Year"] = frame["Year"].dt.year  # (stored as January 1 of the model year)
    return frame


def _cars_mpg() -> pd.DataFrame:
    frame = _cars()
    return frame[frame["Miles_per_Gallon"].notna()].reset_index(drop=True)


def _seattle_weather() -> pd.DataFrame:
    from vega_datasets import local_data

    frame = local_data.seattle_weather()
    frame["month"] = frame.pop("date").dt.month
    return frame


def _barley() -> pd.DataFrame:
    from vega_datasets import local_data

    return local_data.barley()


def _plotly(name: str, drop: tuple[str, ...] = ()) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        import plotly.data

        return pd.DataFrame(getattr(plotly.data, name)()).drop(columns=list(drop))

    return load


HELD_OUT = [
    Dataset("cars_mpg", "vega_datasets", "regression", "Miles_per_Gallon", _cars_mpg),
    Dataset("cars_origin", "vega_datasets", "classification", "Origin", _cars),
    Dataset("seattle_weather", "vega_datasets", "classification", "weather", _seattle_weather),
    Dataset("tips", "plotly", "regression", "tip", _plotly("tips")),
    Dataset("gapminder", "plotly", "regression", "lifeExp", _plotly("gapminder", ("iso_alpha", "iso_num"))),
    Dataset("barley", "vega_datasets", "regression", "yield", _barley),
    Dataset("carshare", "plotly", "regression", "car_hours", _plotly("carshare")),
]
