"""Package discovery lives here (the rest of the configuration is in pyproject.toml) for
one reason: the repository keeps the bundled models in the top-level `data/` folder, and a
plain `pip install .` must install them inside the package, as `reasoning/data/`, so that
they are found from any working directory (pyproject's declarative `packages.find` cannot
map a folder outside the package tree onto a subpackage)."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["reasoning*", "generators*", "solvers*", "kg*", "evals*"])
    + ["reasoning.data"],
    package_dir={"reasoning.data": "data"},
)
