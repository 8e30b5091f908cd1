"""Reading PS3.15's DocBook XML: the document's subtitle and its tables, by ``xml:id``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from compiler.errors import CompileError

DOCBOOK = "{http://docbook.org/ns/docbook}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


@dataclass(frozen=True)
class Table:
    """A DocBook table as plain text: header labels and body rows of cell texts."""

    xml_id: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


class Document:
    """A parsed DocBook file of the standard."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False))
        except OSError as error:
            raise CompileError(f"{path}: cannot be read ({error})") from error
        except etree.XMLSyntaxError as error:
            raise CompileError(f"{path}: not XML ({error.msg})") from error
        self._root = self._tree.getroot()

    def subtitle(self) -> str:
        """The text of the document's first ``<subtitle>`` (it names the edition)."""
        found = self._root.find(f"{DOCBOOK}subtitle")
        if found is None:
            found = self._root.find(f".//{DOCBOOK}subtitle")
        return "" if found is None else cell_text(found)

    def table(self, xml_id: str) -> Table | None:
        """The table with this ``xml:id``, or None when the document has none."""
        for element in self._root.iter(f"{DOCBOOK}table"):
            if element.get(XML_ID) == xml_id:
                return _read_table(self.path, xml_id, element)
        return None


def visible_text(text: str) -> str:
    """``text`` as a reader sees it: invisible format characters (Unicode category Cf, such
    as zero-width spaces and joiners, soft hyphens, byte-order marks) removed, every kind of
    space (no-break spaces included) a plain space, whitespace runs collapsed."""
    kept = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return " ".join(kept.split())


def cell_text(element: etree._Element) -> str:
    """An element's visible text (``visible_text``)."""
    return visible_text("".join(str(text) for text in element.itertext()))


def _read_table(path: Path, xml_id: str, element: etree._Element) -> Table:
    header_rows = element.findall(f"{DOCBOOK}thead/{DOCBOOK}tr")
    header = tuple(cell_text(cell) for cell in header_rows[0]) if header_rows else ()
    rows = []
    for number, row in enumerate(element.findall(f"{DOCBOOK}tbody/{DOCBOOK}tr"), start=1):
        for cell in row:
            if cell.get("colspan", "1") != "1" or cell.get("rowspan", "1") != "1":
                raise CompileError(
                    f"{path}: table {xml_id} row {number} has a spanning cell, which this"
                    " compiler does not read"
                )
        rows.append(tuple(cell_text(cell) for cell in row))
    return Table(xml_id, header, tuple(rows))
