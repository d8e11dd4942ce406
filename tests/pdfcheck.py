"""Reading PDFs in tests with a pure-Python reader (pypdf): text and font embedding."""

from __future__ import annotations

from pypdf import PdfReader


def page_texts(reader: PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font used on any page (descendant fonts included) → whether its program is embedded."""
    found: dict[str, bool] = {}

    def visit(font) -> None:
        font = font.get_object()
        name = str(font.get("/BaseFont", "?"))
        if "/DescendantFonts" in font:
            for child in font["/DescendantFonts"]:
                visit(child)
            return
        descriptor = font.get("/FontDescriptor")
        embedded = descriptor is not None and any(
            k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        found[name] = found.get(name, True) and embedded

    def walk(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            visit(font)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return found
