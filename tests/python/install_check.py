"""Installs deploysim with pip into a new virtual environment and runs the Knight replay from
outside the source tree (ctest: python.install).

    install_check.py SOURCE_DIR CMAKE_BUILD_DIR [CMAKE_ARG ...]

The environment is created with ``--system-site-packages`` (numpy, pandas, setuptools and pip
come from Debian) and ``pip install --no-build-isolation --no-index`` installs offline.
CMAKE_BUILD_DIR is kept between runs, so a second install is an incremental build; the
CMAKE_ARGs (warnings, compiler launcher) should match the project's own build, so that ccache
serves the first one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPLAY = """
import sys
from pathlib import Path
import deploysim
package = Path(deploysim.__file__).resolve()
assert Path(sys.prefix).resolve() in package.parents, f"imported {package}, not the installed package"
knight = deploysim.Scenario.load(sys.argv[1])
summary = knight.run().summary
assert summary["loss_usd"] > 4e8 and summary["hosts_total"] == 8, summary
assert len(knight.run().timeseries) > 0
print(f"deploysim {deploysim.__version__} from {package.parent}: "
      f"Knight replay lost ${summary['loss_usd'] / 1e6:.1f}M")
"""


def step(label: str, command: list[str], **kwargs: object) -> None:
    started = time.monotonic()
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]
    print(f"{label}: {time.monotonic() - started:.1f}s", flush=True)


def main(source: Path, build_dir: Path, cmake_args: list[str]) -> int:
    work = Path(tempfile.mkdtemp(prefix="deploysim-install-"))
    try:
        venv = work / "venv"
        # pip comes from the system site-packages; --without-pip skips bootstrapping a copy.
        step("venv", ["/usr/bin/python3", "-m", "venv", "--system-site-packages", "--without-pip",
                      str(venv)])
        # setuptools' own build and metadata directories go to the temporary directory, not
        # into the source tree.
        setup_cfg = work / "setup.cfg"
        setup_cfg.write_text(f"[build]\nbuild_base = {work / 'build'}\n"
                             f"[egg_info]\negg_base = {work}\n")
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env.update(DIST_EXTRA_CONFIG=str(setup_cfg), DEPLOYSIM_CMAKE_BUILD_DIR=str(build_dir),
                   DEPLOYSIM_CMAKE_ARGS=" ".join(cmake_args), PIP_NO_INPUT="1")
        python = str(venv / "bin" / "python")
        step("pip install", [python, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                             "--quiet", str(source)], env=env, cwd=work)
        step("import and replay", [python, "-c", REPLAY,
                                   str(source / "scenarios" / "knight_capital_2012.json")],
             env=env, cwd=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), sys.argv[3:]))
