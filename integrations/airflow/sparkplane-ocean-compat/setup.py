"""Ships sparkplane_ocean_compat.pth at the top of site-packages, where the interpreter runs it at
start (pyproject.toml alone cannot place a file outside the package)."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "sparkplane_ocean_compat.pth"


class BuildWithPth(build_py):
    def run(self) -> None:
        super().run()
        self.copy_file(os.path.join("src", PTH), os.path.join(self.build_lib, PTH))


setup(cmdclass={"build_py": BuildWithPth})
