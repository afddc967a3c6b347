"""Build hook: compile the optional accelerator gutnerve/_speedups.c when a wheel is built.

The extension is optional. If it cannot be compiled (no C compiler, no Python headers,
no setuptools to drive the compiler) the build prints a warning and goes on as a pure
Python wheel; `gutnerve batch` then uses its pure Python path (gutnerve/fastline.py says
which path runs). GUTNERVE_NO_SPEEDUPS=1 skips the compilation on purpose.

The module is compiled in place (gutnerve/_speedups.<tag>.so, ignored by git), so an
editable install and the tests of a source checkout import it too, and it is added to a
regular wheel as gutnerve/_speedups.<tag>.so (then the wheel is tagged for this Python
and platform). Compiled without -ffast-math and without fusing a*b+c into one rounding:
its sums must be bit-for-bit the Python ones.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "gutnerve/_speedups.c"
UNIX_FLAGS = ["-fno-fast-math", "-ffp-contract=off", "-Wall", "-Wextra"]
MSVC_FLAGS = ["/O2", "/fp:precise"]


def compile_speedups(root: Path) -> Path:
    """Compile the extension in place under `root`; return the path of the built module."""
    import tempfile

    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    flags = MSVC_FLAGS if os.name == "nt" else UNIX_FLAGS
    extension = Extension("gutnerve._speedups", [SOURCE], extra_compile_args=flags)
    here = os.getcwd()
    os.chdir(root)  # setuptools resolves the source and the in-place target from the working directory
    try:
        with tempfile.TemporaryDirectory() as temporary:
            command = build_ext(Distribution({"name": "gutnerve", "ext_modules": [extension]}))
            command.inplace = True
            # objects and the module are built in the scratch folder, then the module copied in
            # place: a build/ folder in the source tree would be reused, unchecked, by a later build
            # whose sources are not newer (a compiler that fails would then still give a module)
            command.build_temp = command.build_lib = temporary
            command.ensure_finalized()
            command.run()
            return root / command.get_ext_fullpath(extension.name)
    finally:
        os.chdir(here)


class SpeedupsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if os.environ.get("GUTNERVE_NO_SPEEDUPS", "") not in ("", "0"):
            print("gutnerve: GUTNERVE_NO_SPEEDUPS is set: building without the compiled accelerator", file=sys.stderr)
            return
        try:
            built = compile_speedups(Path(self.root))
        except Exception as error:  # noqa: BLE001 - any failure: a pure wheel, as promised
            print(
                f"WARNING: gutnerve: the optional accelerator (gutnerve/_speedups.c) was not built ({error}); "
                "installing the pure Python version, which gives the same results more slowly",
                file=sys.stderr,
            )
            return
        if version == "standard":  # an editable install imports it from the source folder
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"][str(built)] = f"gutnerve/{built.name}"
