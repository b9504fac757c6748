"""Dialogs: search the library (Ctrl+F), settings, and About (what the model can and cannot do)."""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assistant.config import Settings, WeightRepack
from ui.answer_html import SourceTarget

if TYPE_CHECKING:
    from assistant.index.retrieve import SearchHit
    from assistant.llm.registry import ModelInfo

HIT_ROLE = Qt.ItemDataRole.UserRole


class SearchDialog(QDialog):
    """Passages matching words or a question; the main window runs the search and shows results.

    Signals:
        search_requested(query): the user searched.
        source_requested(SourceTarget): a result was activated.
    """

    search_requested = Signal(str)
    source_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search the library")
        self.resize(640, 460)
        self.query = QLineEdit()
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText("Words or a question; Enter searches")
        self.query.returnPressed.connect(self._search)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setWordWrap(True)
        self.results.itemActivated.connect(self._open)
        self.results.itemClicked.connect(self._open)
        self.status = QLabel("Results show the document and page; click one to open it.")
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)

    def _search(self) -> None:
        text = self.query.text().strip()
        if text:
            self.status.setText("Searching…")
            self.search_requested.emit(text)

    def show_results(self, query: str, hits: Sequence[SearchHit]) -> None:
        if query != self.query.text().strip():
            return
        self.results.clear()
        for hit in hits:
            snippet = " ".join(hit.text.split())[:220]
            item = QListWidgetItem(f"{hit.document} — page {hit.page}\n{snippet}…")
            item.setData(HIT_ROLE, SourceTarget(hit.path, hit.document, hit.page, hit.text))
            item.setToolTip(hit.path)
            self.results.addItem(item)
        self.status.setText(f"{len(hits)} passage(s) found." if hits else "Nothing found.")

    def _open(self, item: QListWidgetItem) -> None:
        target = item.data(HIT_ROLE)
        if isinstance(target, SourceTarget):
            self.source_requested.emit(target)


class SettingsDialog(QDialog):
    """The chat model and its limits, and where the library lives; ``result_settings`` on Save.

    Signals:
        model_file_chosen(path): a GGUF file to register with the engine.
    """

    model_file_chosen = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quire settings")
        self.setMinimumWidth(520)
        self.original = settings
        self.result_settings = copy.deepcopy(settings)

        self.model = QComboBox()
        self.model.setObjectName("modelChoice")
        self.model.addItem(settings.llm.model, settings.llm.model)
        add_model = QPushButton("Add GGUF file…")
        add_model.clicked.connect(self._choose_model_file)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(add_model)
        self.model_status = QLabel("Loading the model list…")
        self.model_status.setWordWrap(True)

        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("Automatic (physical cores)")
        self.threads.setValue(settings.llm.threads)
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(-1, 999)
        self.gpu_layers.setSpecialValueText("All layers")
        self.gpu_layers.setValue(settings.llm.gpu_layers)
        self.gpu_layers.setToolTip(
            "Layers run on the GPU when llama.cpp was built with GPU support; 0 = CPU only"
        )
        self.repack = QComboBox()
        for choice, label in (
            (WeightRepack.AUTO, "Automatic (off on AVX-512 CPUs, where it slows prompt reading)"),
            (WeightRepack.ON, "On"),
            (WeightRepack.OFF, "Off"),
        ):
            self.repack.addItem(label, str(choice))
        self.repack.setCurrentIndex(max(self.repack.findData(str(settings.llm.repack_weights)), 0))
        self.repack.setToolTip(
            "Whether llama.cpp rearranges the model's weights for this CPU when it loads them"
        )
        self.answer_tokens = QSpinBox()
        self.answer_tokens.setRange(64, 4096)
        self.answer_tokens.setSingleStep(64)
        self.answer_tokens.setSuffix(" tokens")
        self.answer_tokens.setValue(settings.llm.max_answer_tokens)

        self.location = QLabel(str(settings.library_dir))
        self.location.setObjectName("libraryLocation")
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setWordWrap(True)
        open_location = QPushButton("Open folder")
        open_location.clicked.connect(self._open_library_location)
        change_location = QPushButton("Change…")
        change_location.clicked.connect(self._choose_library_location)
        location_row = QHBoxLayout()
        location_row.addWidget(self.location, 1)
        location_row.addWidget(change_location)
        location_row.addWidget(open_location)
        self.location_note = QLabel(
            f"Settings, conversations and logs stay in {settings.home}. A new location takes effect "
            "the next time Quire starts; the library already built stays where it is."
        )
        self.location_note.setWordWrap(True)
        self.location_note.setObjectName("note")

        form = QFormLayout()
        form.addRow("Chat model", model_row)
        form.addRow("", self.model_status)
        form.addRow("Threads", self.threads)
        form.addRow("GPU layers", self.gpu_layers)
        form.addRow("Weight repacking", self.repack)
        form.addRow("Answer length (max)", self.answer_tokens)
        form.addRow("Library location", location_row)
        form.addRow("", self.location_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def show_models(self, rows: Sequence[ModelInfo]) -> None:
        current = self.model.currentData() or self.original.llm.model
        self.model.clear()
        for row in rows:
            label = f"{row.display_name} ({row.quantization}, {row.size / 1e9:.2f} GB)"
            self.model.addItem(label, row.name)
            index = self.model.count() - 1
            self.model.setItemData(index, f"{row.path}\n{row.status}", Qt.ItemDataRole.ToolTipRole)
            if not row.installed:
                self.model.setItemData(index, 0, Qt.ItemDataRole.UserRole - 1)  # disabled
        self.model.setCurrentIndex(max(self.model.findData(current), 0))
        usable = sum(1 for r in rows if r.installed)
        self.model_status.setText(f"{usable} of {len(rows)} model(s) usable on this computer.")

    def _choose_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a GGUF chat model", str(Path.home()), "GGUF (*.gguf)"
        )
        if path:
            self.model_status.setText(f"Checking {Path(path).name}…")
            self.model_file_chosen.emit(path)

    def _open_library_location(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(self.location.text()))

    def _choose_library_location(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Where to keep the library", self.location.text())
        if chosen:
            self.set_library_location(Path(chosen))

    def set_library_location(self, folder: Path) -> bool:
        """Use ``folder`` for the library from the next start; False (and why) if it cannot hold one."""
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            self.location_note.setText(f"⚠ {folder}: Quire cannot write there; choose another folder.")
            return False
        self.result_settings.storage.library_location = str(folder)
        self.location.setText(str(folder))
        self.location_note.setText(f"The library will be kept in {folder} from the next start.")
        return True

    def location_changed(self) -> bool:
        return self.result_settings.storage != self.original.storage

    def _save(self) -> None:
        llm = self.result_settings.llm
        llm.model = str(self.model.currentData() or llm.model)
        llm.threads = self.threads.value()
        llm.gpu_layers = self.gpu_layers.value()
        llm.repack_weights = WeightRepack(self.repack.currentData())
        llm.max_answer_tokens = self.answer_tokens.value()
        self.accept()

    def model_changed(self) -> bool:
        return self.result_settings.llm != self.original.llm


ABOUT_HTML = """
<h2>Quire</h2>
<p>An offline, private document assistant. Your documents, questions and answers never leave
this computer: Quire makes no network connection.</p>
<h3>What the model can do</h3>
<ul>
<li>Answer questions only from the passages Quire finds in <i>your</i> documents. Each answer
opens with the direct answer, then quotes the sentences of your documents that back it, each
cited [1] so you can open the page; a part of the question your documents do not answer is
said plainly.</li>
<li>Say when your documents do not contain the answer, and show the closest passages instead.</li>
<li>Rate each answer high, medium or low confidence from checks it can measure: whether a
sentence of the cited page states the answer, how closely the passages match the question, and
whether every part was answered. Low-confidence answers are marked <b>Check the source</b> and
listed by <code>quire audit --needs-review</code>.</li>
</ul>
<h3>What it cannot do</h3>
<ul>
<li>It is a small language model ({model}) running on this computer: it can misread a passage,
pick the wrong figure, miss an answer spread over many pages, or phrase something wrongly.
The checks confirm that a cited sentence says what the answer says; they cannot confirm that it
is the whole story. A sentence no passage backs is marked ⚠. Check the sources before you rely
on an answer, and treat it as a research aid, not as legal, medical or financial advice.</li>
<li>It knows nothing beyond your documents and does not browse the web.</li>
<li>Scanned pages are read by OCR, which can make mistakes.</li>
</ul>
<h3>Where your data lives</h3>
<p>Conversations and settings: <code>{home}</code><br>
Library (index of your documents): <code>{library}</code><br>
Audit log of every answer: <code>{audit}</code><br>
Log file: <code>{logs}</code><br>
Models: <code>{models}</code></p>
"""


def show_about(parent: QWidget, settings: Settings, model_name: str) -> QDialog:
    """Opens the About dialog (window-modal, not blocking) and returns it."""
    dialog = QDialog(parent)
    dialog.setObjectName("aboutDialog")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowTitle("About Quire")
    text = QLabel(
        ABOUT_HTML.format(
            model=model_name or "no model loaded",
            home=settings.home,
            library=settings.library_dir,
            audit=settings.audit_path,
            logs=settings.log_path,
            models=settings.models_dir,
        )
    )
    text.setWordWrap(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    # Scrollable: the capability disclosure must be readable whole on a small screen too.
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(text)
    layout = QVBoxLayout(dialog)
    layout.addWidget(scroll)
    layout.addWidget(buttons)
    dialog.resize(620, 720)
    dialog.open()
    return dialog
