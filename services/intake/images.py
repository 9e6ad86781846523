"""Photo cleaning: recognise the format by content, refuse bombs, strip every tag."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.errors import ApiError

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded photo: pixels only, no EXIF, GPS, ICC or text chunks."""

    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        """Digest of the stored bytes, which is also what the media id derives from."""
        return hashlib.sha256(self.data).hexdigest()


def clean(data: bytes, max_pixels: int) -> CleanImage:
    """Decode ``data`` as JPEG, PNG or WebP and re-encode its pixels alone.

    The size is read from the header and checked before any pixel is decoded, so
    a small file that would inflate to gigabytes is refused cheaply. Animated
    images keep their first frame only.
    """
    try:
        image = Image.open(io.BytesIO(data), formats=list(ACCEPTED))
    except UnidentifiedImageError as exc:
        raise ApiError(
            415, "unsupported_media_type", "send a JPEG, PNG or WebP image", field="file"
        ) from exc
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ApiError(
            422, "invalid_image", "the image cannot be read", field="file"
        ) from exc

    fmt = str(image.format)
    width, height = image.size
    if width * height > max_pixels:
        raise ApiError(
            413,
            "too_many_pixels",
            f"{width}x{height} exceeds {max_pixels} pixels",
            field="file",
        )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Warning, Image.DecompressionBombError) as exc:
        raise ApiError(
            422, "invalid_image", "the image cannot be decoded", field="file"
        ) from exc

    return _encode(upright, fmt)


def _encode(image: Image.Image, fmt: str) -> CleanImage:
    """Copy the pixels into a fresh image, which carries no metadata, and save it."""
    mode = image.mode
    if fmt == "JPEG" and mode not in {"RGB", "L", "CMYK"}:
        mode = "RGB"
    elif fmt != "JPEG" and mode not in {"RGB", "RGBA", "L", "LA"}:
        mode = "RGBA" if "A" in mode or "transparency" in image.info else "RGB"
    pixels = image.convert(mode) if mode != image.mode else image
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())

    out = io.BytesIO()
    if fmt == "JPEG":
        bare.save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        bare.save(out, "PNG", optimize=False)
    else:
        bare.save(out, "WEBP", quality=85, method=4)
    return CleanImage(out.getvalue(), ACCEPTED[fmt], bare.width, bare.height)
