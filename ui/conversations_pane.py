"""The list of stored conversations, newest first, and the button that starts a new one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from assistant.session.conversations import Conversation

CONVERSATION_ROLE = Qt.ItemDataRole.UserRole


class ConversationsPane(QWidget):
    """Shows the conversations the main window lists; clicking one asks to open it.

    Signals:
        conversation_opened(conversation_id): the user clicked a conversation.
        new_requested(): the user wants a new, empty conversation.
    """

    conversation_opened = Signal(str)
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("conversations")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.itemClicked.connect(self._on_clicked)
        title = QLabel("Conversations")
        title.setObjectName("paneTitle")
        new_button = QPushButton("New conversation")
        new_button.clicked.connect(self.new_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(title)
        layout.addWidget(new_button)
        layout.addWidget(self.list, 1)

    def show_conversations(self, conversations: Sequence[Conversation], current: str) -> None:
        """List ``conversations``, with the one shown in the chat (``current``) selected."""
        self.list.clear()
        for conversation in conversations:
            item = QListWidgetItem(conversation.title)
            item.setData(CONVERSATION_ROLE, conversation.id)
            item.setToolTip(conversation.title)
            self.list.addItem(item)
            if conversation.id == current:
                item.setSelected(True)

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.conversation_opened.emit(str(item.data(CONVERSATION_ROLE)))
