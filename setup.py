"""Builds deploysim._core with the project's CMake for the interpreter running pip.

    python3 -m venv --system-site-packages .venv && .venv/bin/pip install --no-build-isolation .

Metadata lives in pyproject.toml; this file only teaches setuptools to run CMake.

Environment (all optional):

* ``DEPLOYSIM_CMAKE_BUILD_DIR``: the CMake build directory to use and keep (default: a
  directory under setuptools' temporary build tree). Reusing one makes a second install an
  incremental build.
* ``DEPLOYSIM_CMAKE_ARGS``: extra arguments for the CMake configure step, split on spaces
  (e.g. ``-DDEPLOYSIM_WARNINGS_AS_ERRORS=ON``).
* ``CMAKE_CXX_COMPILER_LAUNCHER``: e.g. ``ccache``, passed on to CMake.
* ``CMAKE_BUILD_PARALLEL_LEVEL``: parallel compile jobs (default: every core).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE_DIR = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    """An extension whose sources CMake knows (python/CMakeLists.txt)."""

    def __init__(self, name: str, target: str) -> None:
        super().__init__(name, sources=[])
        self.target = target


class CMakeBuild(build_ext):
    """Configures and builds one CMake target, then copies the module where setuptools wants it."""

    def build_extension(self, ext: Extension) -> None:
        assert isinstance(ext, CMakeExtension)
        given = os.environ.get("DEPLOYSIM_CMAKE_BUILD_DIR")
        build_dir = Path(given).resolve() if given else Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        # A reused build directory keeps its generator.
        cached = build_dir / "CMakeCache.txt"
        generator = ["-G", "Ninja"] if shutil.which("ninja") and not cached.exists() else []
        launcher = os.environ.get("CMAKE_CXX_COMPILER_LAUNCHER")
        extra = os.environ.get("DEPLOYSIM_CMAKE_ARGS", "").split()
        subprocess.run(
            ["cmake", "-S", str(SOURCE_DIR), "-B", str(build_dir), *generator,
             "-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}",
             "-DDEPLOYSIM_BUILD_PYTHON=ON", "-DDEPLOYSIM_BUILD_TESTS=OFF",
             "-DDEPLOYSIM_BUILD_BENCHMARKS=OFF", "-DDEPLOYSIM_BUILD_GUI=OFF",
             *([f"-DCMAKE_CXX_COMPILER_LAUNCHER={launcher}"] if launcher else []), *extra],
            check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", ext.target,
                        "--parallel", jobs], check=True)
        built = next((build_dir / "python" / "deploysim").glob("_core*.so"))
        destination = Path(self.get_ext_fullpath(ext.name))
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, destination)


setup(ext_modules=[CMakeExtension("deploysim._core", "deploysim_python")],
      cmdclass={"build_ext": CMakeBuild})
