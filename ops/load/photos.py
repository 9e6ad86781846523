"""Photos for the reports that carry one: distinct JPEGs of a phone picture's weight.

Intake decodes and re-encodes every upload, so the cost of a photo is in its pixels;
noisy pixels compress badly, as grainy phone pictures do, which keeps the file near a
real picture's size without shipping pictures in the repository.
"""

import io
import random

from PIL import Image

WIDTH, HEIGHT = 800, 600
NOISE_SIDE = 400


class PhotoPool:
    """A few distinct photos made once, handed out in turn."""

    def __init__(self, count: int = 8, seed: int = 11) -> None:
        self.random = random.Random(seed)
        self.photos = [self._make(n) for n in range(count)]
        self.turn = 0

    def next(self) -> bytes:
        """The next photo of the pool (intake stores a repeated photo once)."""
        photo = self.photos[self.turn % len(self.photos)]
        self.turn += 1
        return photo

    def _make(self, number: int) -> bytes:
        """A gradient with a patch of noise: a scene with some texture in it."""
        image = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
        noise = Image.frombytes(
            "RGB", (NOISE_SIDE, NOISE_SIDE), self.random.randbytes(NOISE_SIDE**2 * 3)
        )
        image.paste(
            noise, (number * 37 % (WIDTH - NOISE_SIDE), number * 53 % (HEIGHT - NOISE_SIDE))
        )
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()
