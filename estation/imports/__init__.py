"""Import and export for counter staff, who live in Excel (issue 2, parts 7-8; issue 9, part 4).

- ``files``: reads an upload as a table, refusing wrong types (by content, not name), oversize files,
  zip bombs and broken encodings (UTF-8 with/without BOM, UTF-16 with BOM and GB18030 are detected).
- ``cells``: one cell to one typed value; formula-looking text is refused on import and neutralised on
  export (a leading apostrophe).
- ``columns``: the Chinese headers of each sheet and the Chinese labels of each enum.
- ``importer``: all-or-nothing import with a report of every bad row, column and reason.
- ``exporter``: .xlsx export with the same headers, masked id numbers and phones by default.
- ``commands``: what ``estation import`` and ``estation export`` print.
"""

from estation.imports.files import FileTooLarge, UploadRefused, WrongFileType
from estation.imports.importer import KINDS, ImportReport, RowError, import_bytes, import_table

__all__ = [
    "KINDS",
    "FileTooLarge",
    "ImportReport",
    "RowError",
    "UploadRefused",
    "WrongFileType",
    "import_bytes",
    "import_table",
]
