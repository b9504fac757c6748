"""OCR for PDF pages without a text layer: pypdfium2 renders, rapidocr reads.

Choices, measured on real scans (see DESIGN.md, "OCR"):

- Render at 200 dpi (300 dpi reads no better and costs twice the time), RGB PIL image.
- rapidocr 3.x with the models bundled inside the installed package, named by path:
  any other model choice makes rapidocr download at first use, and Quire never touches
  the network. If the bundled files are missing we fail clearly instead.
- ``use_cls=False``: the per-line angle classifier garbles long upright lines. Whole
  page rotation is found first instead: a 100 dpi detection pass, then the longest lines
  are recognised in each candidate orientation and the orientation whose lines read with
  the best mean confidence wins (lines that are taller than wide mean 90/270, else 0/180).
- One onnxruntime thread per session: faster than two under load, and OCR runs beside
  the embedder in the background.
- The engine is slow to build (~1 s, ~100 MB), so one is built lazily per process and
  shared; rapidocr keeps per-call state, so calls are serialised by a lock.
- Lines come back top to bottom across columns; ``ocr_layout`` puts them in reading order.
"""

from __future__ import annotations

import logging
import statistics
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from assistant.errors import QuireError
from assistant.ingest.ocr_layout import TextBox, boxes_to_text
from assistant.jobs import CancelToken, Progress
from assistant.offline import enforce_offline

log = logging.getLogger(__name__)

enforce_offline()

RENDER_DPI = 200
ROTATION_DPI = 100
VOTE_LINES = 6
_ROTATIONS = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}

_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


class OcrUnavailable(QuireError, RuntimeError):
    """The OCR engine cannot be built (its bundled model files are missing)."""


@dataclass
class OcrResult:
    """Text per OCRed page, and the reason for each page that gave no text."""

    pages: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


def ocr_pdf_pages(
    path: Path,
    page_numbers: list[int],
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> OcrResult:
    """OCR the given 1-based pages of the PDF at ``path``.

    Every requested page ends up in ``pages`` or in ``failed``, never silently empty.
    Raises ``Cancelled`` between pages when ``cancel`` is set.
    """
    import pypdfium2 as pdfium

    result = OcrResult()
    if progress is not None:
        progress.update(0, len(page_numbers), detail=f"OCR {path.name}")
    try:
        pdf = pdfium.PdfDocument(path, password="")
    except (OSError, pdfium.PdfiumError) as exc:
        reason = f"the PDF could not be opened ({exc})"
        result.failed = dict.fromkeys(page_numbers, reason)
        return result
    try:
        try:
            engine = get_engine()
        except OcrUnavailable as exc:
            result.failed = dict.fromkeys(page_numbers, str(exc))
            return result
        for index, number in enumerate(page_numbers, start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            _ocr_one(pdf, number, engine, result)
            if progress is not None:
                progress.update(index, detail=f"OCR {path.name} page {number}")
    finally:
        pdf.close()
    return result


def _ocr_one(pdf: Any, number: int, engine: Any, result: OcrResult) -> None:
    if not 1 <= number <= len(pdf):
        result.failed[number] = f"no page {number} (the PDF has {len(pdf)} pages)"
        return
    try:
        page = pdf[number - 1]
        try:
            rotation = detect_rotation(engine, _render(page, ROTATION_DPI))
            image = _render(page, RENDER_DPI)
        finally:
            page.close()
        if rotation:
            image = image.transpose(_ROTATIONS[rotation])
        text = read_image(engine, image)
    except Exception as exc:  # a broken page or image must not stop the other pages
        log.warning("OCR failed on page %d: %s", number, exc, exc_info=True)
        result.failed[number] = f"OCR failed ({type(exc).__name__}: {exc})"
        return
    if text.strip():
        result.pages[number] = text
        log.debug("OCR page %d: rotation %d, %d characters", number, rotation, len(text))
    else:
        result.failed[number] = "OCR found no text on this page (blank, a picture, or too faint)"


def _render(page: Any, dpi: int) -> Image.Image:
    image: Image.Image = page.render(scale=dpi / 72).to_pil()
    return image.convert("RGB")


def read_image(engine: Any, image: Image.Image) -> str:
    """Recognise all lines of an upright page image and join them in reading order."""
    with _run_lock:
        output = engine(image, use_det=True, use_cls=False, use_rec=True)
    boxes = getattr(output, "boxes", None)
    texts = getattr(output, "txts", None)
    if boxes is None or texts is None:
        return ""
    found = []
    for quad, text in zip(boxes, texts, strict=False):
        xs = [float(point[0]) for point in quad]
        ys = [float(point[1]) for point in quad]
        found.append(TextBox(min(xs), min(ys), max(xs), max(ys), str(text)))
    return boxes_to_text(found)


def detect_rotation(engine: Any, image: Image.Image) -> int:
    """Degrees (0, 90, 180, 270) to turn ``image`` counter-clockwise to make it upright."""
    with _run_lock:
        detected = engine(image, use_det=True, use_cls=False, use_rec=False)
    quads = getattr(detected, "boxes", None)
    if quads is None or len(quads) == 0:
        return 0
    pixels = np.asarray(image)
    crops = sorted((_straighten(pixels, quad) for quad in quads), key=lambda c: max(c.size), reverse=True)
    longest = crops[:VOTE_LINES]
    vertical = sum(1 for crop in longest if crop.height > crop.width) * 2 > len(longest)
    candidates = (90, 270) if vertical else (0, 180)
    scores = {angle: _mean_confidence(engine, longest, angle) for angle in candidates}
    best = max(candidates, key=lambda angle: scores[angle])
    log.debug("rotation vote %s -> %d", scores, best)
    return best


def _straighten(pixels: np.ndarray[Any, Any], quad: Any) -> Image.Image:
    """Cut one detected line out along its own slant, so a skewed scan reads as straight.

    The detector's quadrilateral starts top-left and goes clockwise; mapping it onto a
    rectangle keeps the line's orientation (a tall box stays tall), which the vote needs.
    """
    points = np.asarray(quad, dtype=np.float32)
    width = max(int(np.linalg.norm(points[0] - points[1])), 1)
    height = max(int(np.linalg.norm(points[0] - points[3])), 1)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(points, target)
    warped = cv2.warpPerspective(
        pixels, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return Image.fromarray(warped)


def _mean_confidence(engine: Any, crops: list[Image.Image], angle: int) -> float:
    confidences: list[float] = []
    for crop in crops:
        turned = crop.transpose(_ROTATIONS[angle]) if angle else crop
        with _run_lock:
            output = engine(turned, use_det=False, use_cls=False, use_rec=True)
        scores = getattr(output, "scores", None) or ()
        texts = getattr(output, "txts", None) or ()
        readable = [float(s) for s, t in zip(scores, texts, strict=False) if str(t).strip()]
        confidences.append(max(readable) if readable else 0.0)
    return statistics.fmean(confidences) if confidences else 0.0


def get_engine() -> Any:
    """The process-wide rapidocr engine, built on first use from the bundled models only."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _build_engine()
        return _engine


def _bundled_model(models: Path, pattern: str) -> str:
    matches = sorted(models.glob(pattern))
    if not matches:
        raise OcrUnavailable(
            f"OCR model file {pattern} is missing from {models}; reinstall the rapidocr package"
        )
    return str(matches[0])


def _build_engine() -> Any:
    enforce_offline()
    import rapidocr
    from rapidocr import RapidOCR

    models = Path(rapidocr.__file__).resolve().parent / "models"
    params = {
        "Global.use_cls": False,
        "Global.log_level": "warning",
        "Global.model_root_dir": str(models),
        "Det.model_path": _bundled_model(models, "*_det_*.onnx"),
        "Rec.model_path": _bundled_model(models, "*_rec_*.onnx"),
        "Cls.model_path": _bundled_model(models, "*_cls_*.onnx"),
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    log.info("building the OCR engine from %s", models)
    return RapidOCR(params=params)


def _reset_engine() -> None:
    """Forget the shared engine (tests use it to prove that building one stays offline)."""
    global _engine
    with _engine_lock:
        _engine = None
