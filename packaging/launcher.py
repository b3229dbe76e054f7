"""Entry script of the PyInstaller bundle: ``LLMasOS [ARGS]`` is ``llmasos [ARGS]``.

One extra form exists because a frozen app has no ``python``: the app re-runs
itself as ``sys.executable -m llmasos.foundation.engine.probe MODEL`` to try a model in
a throwaway child process (``llmasos.foundation.engine.probe``). In the bundle
``sys.executable`` is this launcher, so ``LLMasOS -m llmasos.<module> ARGS`` runs
that module as ``__main__`` the way ``python -m`` would. Only ``llmasos`` modules
are accepted; the bundle is not a general Python interpreter.
"""

from __future__ import annotations

import runpy
import sys


def _reopen_std_streams() -> None:
    """Give a windowed Windows build the stdout/stderr its parent passed, if any.

    PyInstaller's windowed bootloader leaves ``sys.stdout``/``sys.stderr`` as None, but the
    model probe reports on stderr to the parent, which runs it with pipes attached.
    """
    for name, fd in (("stdout", 1), ("stderr", 2)):
        if getattr(sys, name) is None:
            try:
                stream = open(fd, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
            except OSError:
                continue  # no handle was passed: nothing to write to anyway
            setattr(sys, name, stream)


def main() -> int:
    """Run ``-m llmasos.X ...`` as a module, anything else through the ``llmasos`` CLI."""
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "-m" and args[1].startswith("llmasos."):
        _reopen_std_streams()
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        return 0  # a module that returns normally exited 0, as under python -m
    if args[:1] == ["-m"]:
        sys.stderr.write("error: this app only runs its own modules with -m (llmasos.*)\n")
        return 1

    from llmasos.apps.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    # PyInstaller runs this file as __main__; multiprocessing is not used by LLMasOS, so
    # no freeze_support() is needed.
    raise SystemExit(main())
