"""The ID-card reader at a kiosk: an adapter, so the hardware can change without touching sign-in.

A real reader (a GB/T 20010 reader on the terminal, read through its vendor SDK or a local bridge)
implements :class:`IdCardReader`. :class:`SimulatedReader` stands in for the demo and the tests: a card is
"placed" on it from the demo page, and each placement can be read once, so the next person at the
terminal cannot sign in as the last one by tapping the same button.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class IdCard:
    """What the chip of a second-generation resident ID card gives; the number is all sign-in needs."""

    id_number: str
    name: str = ""


class IdCardReader(Protocol):
    name: str

    def read(self, terminal: str) -> IdCard | None:
        """The card on the reader of ``terminal`` now, or None when there is none."""
        ...


class SimulatedReader:
    """A reader whose card is placed by software: one slot per terminal, each placement read once."""

    name = "simulated"

    def __init__(self) -> None:
        self._cards: dict[str, IdCard] = {}
        self._lock = threading.Lock()

    def place(self, terminal: str, card: IdCard) -> None:
        with self._lock:
            self._cards[terminal] = card

    def remove(self, terminal: str) -> None:
        with self._lock:
            self._cards.pop(terminal, None)

    def holds_card(self, terminal: str) -> bool:
        with self._lock:
            return terminal in self._cards

    def read(self, terminal: str) -> IdCard | None:
        with self._lock:
            return self._cards.pop(terminal, None)
