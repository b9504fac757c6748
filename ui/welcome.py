"""The first-run screen: what Quire does and the one thing to do first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

WELCOME_HTML = """
<h1>Welcome to Quire</h1>
<p>Quire answers questions from <b>your own documents</b>, privately, on this computer.</p>
<ol>
<li><b>Add documents</b>: PDF, Word, text, Markdown or HTML files, or a whole folder.
    You can also drop files on this window.</li>
<li><b>Ask a question</b> in plain words, like <i>“How long is the notice period?”</i></li>
<li><b>Check the answer</b>: every claim cites a page [1]; click it to see the passage.</li>
</ol>
<p>Not sure yet? Try it with three short sample documents (a lease, a discharge summary and
an audit memo).</p>
"""


class WelcomePage(QWidget):
    """The first-run screen: what Quire does and the one thing to do first.

    Signals:
        add_requested(): the user wants to add documents.
        samples_requested(): the user wants to try the bundled samples.
    """

    add_requested = Signal()
    samples_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        text = QLabel(WELCOME_HTML)
        text.setWordWrap(True)
        text.setObjectName("welcomeText")
        self.add_button = QPushButton("Add documents…")
        self.add_button.setObjectName("primaryButton")
        self.add_button.clicked.connect(self.add_requested)
        self.samples_button = QPushButton("Try the sample documents")
        self.samples_button.clicked.connect(self.samples_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(text)
        layout.addWidget(self.add_button)
        layout.addWidget(self.samples_button)
        layout.addStretch(1)
