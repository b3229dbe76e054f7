"""The status bar: model, device, context, memory, last speed, busy indicator, Stop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from llmasos.apps.gui.common.elide import ElidedLabel
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.foundation.platform.memory import process_rss
from llmasos.kernel.kernel import Kernel

if TYPE_CHECKING:
    from llmasos.foundation.engine.stream import GenerationStats
    from llmasos.foundation.gguf.model_info import ModelInfo


def _cpu_has_amx() -> bool:
    # hardware's probes are asked about only once a model ran: not part of the first frame
    from llmasos.foundation.platform import hardware

    return hardware.cpu_has_amx()


def _label(name: str) -> QLabel:
    """A status label; ``name`` is its already translated accessible name."""
    label = QLabel()
    label.setAccessibleName(name)
    return label


class StatusBar(QStatusBar):
    """Shows what the kernel is doing. Lives on the GUI thread."""

    stop_requested = Signal()

    def __init__(self, kernel: Kernel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kernel = kernel
        self._loading_path = ""
        # a long path while loading is cut with "…" (whole in the tooltip), never
        # widening the window
        self.model = ElidedLabel()
        self.model.setAccessibleName(self.tr("Loaded model"))
        self.device = _label(self.tr("Device"))
        self.context = _label(self.tr("Context length"))
        self.memory = _label(self.tr("Memory in use"))
        self.speed = _label(self.tr("Speed of the last generation"))
        self.notice = _label(self.tr("What LLMasOS turned off to run the model"))
        self.notice.hide()
        self.busy = QProgressBar()
        self.busy.setAccessibleName(self.tr("Busy"))
        self.busy.setRange(0, 0)  # indeterminate
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.stop = QPushButton(self.tr("Stop"))
        self.stop.setAccessibleName(self.tr("Stop all generation"))
        self.stop.setIcon(ui_icon("stop"))
        self.stop.setAccessibleDescription(
            self.tr("Stop everything the windows asked the model for; the text so far is kept")
        )
        self.stop.clicked.connect(self.stop_requested)
        self.stop.hide()
        self.addWidget(self.model, 1)
        for widget in (self.notice, self.device, self.context, self.memory, self.speed):
            self.addWidget(widget)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.stop)
        kernel.loading.connect(self._loading)
        kernel.load_progress.connect(self._load_progress)
        kernel.loaded.connect(self.show_model)
        kernel.load_failed.connect(lambda _m: self.show_model(kernel.model_info))
        kernel.unloaded.connect(lambda: self.show_model(None))
        kernel.busy_changed.connect(self.set_busy)
        kernel.finished.connect(self._speed)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._memory)
        self._timer.start(2000)
        self.show_model(kernel.model_info)
        self._memory()

    def _loading(self, path: str) -> None:
        self._loading_path = path
        self.model.setText(self.tr("Loading {path}…").format(path=path))
        self.busy.setRange(0, 0)  # checking the file first: no percentage yet

    def _load_progress(self, value: float) -> None:
        """llama.cpp's loading progress: a percentage in the bar and the text."""
        percent = round(value * 100)
        self.busy.setRange(0, 100)
        self.busy.setValue(percent)
        self.busy.setFormat("%p %")
        self.model.setText(
            self.tr("Loading {path}… {percent} %").format(path=self._loading_path, percent=percent)
        )

    def show_model(self, info: ModelInfo | None) -> None:
        """Describe the loaded model (or say there is none)."""
        self.busy.setRange(0, 0)  # back to "busy" for generation
        self._show_notice()
        if info is None:
            self.model.setText(self.tr("No model loaded"))
            self.device.setText("")
            self.context.setText("")
            return
        size = (
            f"{info.file_size / 1e9:.2f} GB"
            if info.file_size >= 1e8
            else (f"{info.file_size / 1e6:.0f} MB")
        )
        self.model.setText(f"{info.name or info.path.stem} · {info.quantization} · {size}")
        from llmasos.foundation.engine.llama import resolve_gpu_layers  # loaded by now
        from llmasos.foundation.platform import hardware

        config = self.kernel.run_config
        layers = resolve_gpu_layers(None) if config is None or config.gpu else 0
        backend = hardware.backend_name()
        self.device.setText(
            self.tr("{backend} (all layers on GPU)").format(backend=backend) if layers else backend
        )
        self.context.setText(self.tr("Context {n} tokens").format(n=self.kernel.n_ctx or "-"))

    def _show_notice(self) -> None:
        """One line when the probe had to turn a llama.cpp path off to run the model."""
        config = self.kernel.run_config
        text = ""
        if config is not None and not config.gpu:
            text = self.tr(
                "llama.cpp crashes with this model on the GPU; LLMasOS runs it on the CPU (slower)."
            )
        elif config is not None and not config.extra_bufts and _cpu_has_amx():
            text = self.tr(
                "llama.cpp's AMX acceleration crashes on this CPU; LLMasOS runs without it."
            )
        elif config is not None and not config.extra_bufts:
            text = self.tr(
                "llama.cpp's repacked CPU weights crash with this model on this "
                "CPU; LLMasOS runs without them."
            )
        self.notice.setText(f"⚠ {text}" if text else "")
        self.notice.setToolTip(text)
        self.notice.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.stop.setVisible(busy)

    def _speed(self, _request_id: int, stats: GenerationStats | None) -> None:
        if stats is None or not stats.tokens_per_s:
            return
        self.speed.setText(self.tr("Last: {tps:.1f} tokens/s").format(tps=stats.tokens_per_s))
        info = self.kernel.model_info
        if info is not None and not info.is_remote and stats.completion_tokens >= 16:
            from llmasos.foundation.models import fit

            # real decode speed corrects the speed estimates of the recommendation
            fit.record_observed_speed(info.file_size, stats.tokens_per_s)

    def _memory(self) -> None:
        self.memory.setText(self.tr("Memory {mb:.0f} MB").format(mb=process_rss() / 2**20))
