"""A private D-Bus session bus and a desktop portal on it, for the portal tests.

:func:`session_bus` starts a real ``dbus-daemon`` (a session-type bus, listening on a
Unix socket in a temporary folder, with no service folders: nothing on the machine is
activated behind the test's back) and yields its address. :class:`FakePortal` runs
``tests/helpers/fake_portal.py`` on it as its own process. ``dbus-daemon`` is required
(``.ci/run`` installs the Debian package dbus-daemon): a missing one fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HELPERS = Path(__file__).resolve().parent
SRC = HELPERS.parents[1] / "src"
CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def session_bus() -> Iterator[str]:
    """A real dbus-daemon of our own; yields its address."""
    assert shutil.which("dbus-daemon"), (
        "dbus-daemon is missing: install the Debian package dbus-daemon"
    )
    with tempfile.TemporaryDirectory(prefix="llmasos-bus-") as folder:
        config = Path(folder) / "session.conf"
        config.write_text(CONFIG.format(folder=folder))
        read, write = os.pipe()
        proc = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", f"--print-address={write}"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            address = pipe.readline().strip()
        try:
            assert address, "dbus-daemon did not start"
            yield address
        finally:
            proc.terminate()
            proc.wait(timeout=10)


class FakePortal:
    """``fake_portal.py`` on the bus at ``address``: it says what it was asked on its
    output (JSON lines, read with :meth:`next_call`) and takes commands on its input."""

    def __init__(self, address: str, *args: str) -> None:
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "PYTHONPATH": str(SRC)}
        self.proc = subprocess.Popen(
            [sys.executable, str(HELPERS / "fake_portal.py"), *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.next_call() == {"ready": True}

    def next_call(self) -> dict[str, Any]:
        """The next thing it reports (a line is written at once: no wait without end)."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the fake portal exited ({self.proc.poll()})"
        return dict(json.loads(line))

    def command(self, text: str) -> None:
        """``activate ID``, ``approve`` or ``refuse`` (see fake_portal.py)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
