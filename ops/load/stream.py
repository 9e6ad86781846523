"""What a day of reports looks like: who sends them, from where, saying what.

The stream draws grids and categories from the registry, writes each text in Chinese
or English, places most reports at a point inside their grid, and mixes in the
reports that make a real day hard: emergencies, a second voice about a problem that
was reported a moment ago (the router should make it a supporter of the open case),
and a phone resending the very same report after a dropped connection (intake should
answer it as before and nothing downstream should double).
"""

import itertools
import random
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.registry import Category, Grid, Registry

METRES_PER_DEGREE = 111_320.0
RECENT = 200
"""How many recent reports a second voice may repeat."""

PLACES_ZH = (
    "3栋楼下",
    "东门口",
    "菜市场旁",
    "小学门口",
    "公交站附近",
    "河堤路边",
    "停车场",
)
PLACES_EN = (
    "Block 3",
    "the east gate",
    "the wet market",
    "the primary school",
    "the bus stop",
)
NAMES_ZH = ("王女士", "李先生", "陈阿姨", "张师傅", "刘同学", "黄伯")

ORDINARY_ZH = (
    "{grid}{place}{keyword}问题，已经好几天了，请尽快处理。",
    "居民反映{grid}{place}有{keyword}，希望派人来看看。",
    "{grid}{place}又出现{keyword}，影响大家出行，麻烦处理一下。",
)
ORDINARY_EN = (
    "There is {keyword} near {place} in {grid}; it has been like this for days.",
    "Residents of {grid} report {keyword} at {place}, please send someone.",
    "{keyword} at {place} ({grid}) again, it is in everybody's way.",
)
EMERGENCY_TEXTS: dict[str, tuple[str, str]] = {
    "fire_incident": (
        "{grid}{place}二楼厨房着火了，浓烟很大，可能有人被困。",
        "Flames from a second-floor kitchen at {place} in {grid}, people may be trapped.",
    ),
    "gas_leak": (
        "{grid}{place}楼道里燃气泄漏，味道很重，居民正在撤离。",
        "Strong smell of gas in the stairwell at {place} in {grid}, residents leaving.",
    ),
    "slope_hazard": (
        "{grid}{place}后面山体滑坡，泥土冲到路上，房屋有倒塌危险。",
        "A landslide behind {place} in {grid} covered the road; a house may collapse.",
    ),
}
GENERIC_EMERGENCY = (
    "{grid}{place}发生{keyword}，有人受伤，情况紧急！",
    "{keyword} at {place} in {grid}, someone is injured, come at once!",
)


class Kind(StrEnum):
    """What a report is to the system."""

    ORDINARY = "ordinary"
    DUPLICATE = "duplicate"
    EMERGENCY = "emergency"


@dataclass(frozen=True)
class Mix:
    """The share of each sort of report, each between 0 and 1.

    ``duplicates`` repeat a recent report's problem from a few metres away;
    ``resends`` are the same report sent twice; ``located`` reports give a point, the
    rest only a grid code; ``hinted`` ones name a category, the rest leave it to the
    router's classifier.
    """

    emergencies: float = 0.03
    duplicates: float = 0.08
    resends: float = 0.02
    photos: float = 0.1
    located: float = 0.7
    hinted: float = 0.7
    chinese: float = 0.6

    def __post_init__(self) -> None:
        for name, share in vars(self).items():
            if not 0 <= share <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1, not {share}")
        if self.emergencies + self.duplicates > 1:
            raise ValueError("emergencies and duplicates together exceed every report")

    @classmethod
    def unique(cls) -> "Mix":
        """Ordinary reports by grid code only: none can support another's case."""
        return cls(emergencies=0, duplicates=0, resends=0, photos=0, located=0, hinted=1)


@dataclass(frozen=True)
class Planned:
    """One report to send, and what the stream meant by it.

    ``caller`` names the credential to send it with (see ``credentials``);
    ``original`` is the report a duplicate repeats.
    """

    body: dict[str, Any]
    kind: Kind
    caller: str
    photo: bool = False
    resend: bool = False
    original: str | None = None

    @property
    def report_id(self) -> str:
        """The client-generated id, the report's idempotency key."""
        return str(self.body["report_id"])


@dataclass(frozen=True)
class _Spot:
    """A recent located report another voice may repeat."""

    report_id: str
    grid: Grid
    category: Category
    lat: float
    lon: float


class ReportStream:
    """An endless sequence of report bodies; a seed repeats the content, never the ids."""

    def __init__(
        self, registry: Registry, mix: Mix | None = None, *, seed: int = 7, tag: str = ""
    ) -> None:
        self.mix = mix or Mix()
        self.tag = tag
        self.random = random.Random(seed)
        self.grids = list(registry.grids)
        self.ordinary = [c for c in registry.categories if not c.emergency]
        self.emergency = [c for c in registry.categories if c.emergency]
        self.recent: deque[_Spot] = deque(maxlen=RECENT)
        self.sequence = itertools.count(1)
        if not self.grids or not self.ordinary:
            raise ValueError("the registry has no grids or no ordinary categories")

    def next(self) -> Planned:
        """The next report, of a kind drawn by the mix."""
        number = next(self.sequence)
        draw = self.random.random()
        if draw < self.mix.emergencies and self.emergency:
            return self._emergency(number)
        if draw < self.mix.emergencies + self.mix.duplicates and self.recent:
            return self._duplicate(number)
        return self._ordinary(number)

    def _ordinary(self, number: int) -> Planned:
        grid = self.random.choice(self.grids)
        category = self.random.choice(self.ordinary)
        located = self.random.random() < self.mix.located
        point = self._point_in(grid) if located else None
        body = self._body(number, grid, category, point, emergency=False)
        if point is not None and category.duplicate_radius_m > 0:
            self.recent.append(_Spot(body["report_id"], grid, category, *point))
        return self._planned(body, Kind.ORDINARY, grid)

    def _duplicate(self, number: int) -> Planned:
        spot = self.random.choice(self.recent)
        # Well inside the category's radius, so the router should see the same problem.
        reach = min(10.0, spot.category.duplicate_radius_m / 3) / METRES_PER_DEGREE
        point = (
            spot.lat + self.random.uniform(-reach, reach) * 0.7,
            spot.lon + self.random.uniform(-reach, reach) * 0.7,
        )
        body = self._body(number, spot.grid, spot.category, point, emergency=False)
        body["category_hint"] = spot.category.code
        return self._planned(body, Kind.DUPLICATE, spot.grid, original=spot.report_id)

    def _emergency(self, number: int) -> Planned:
        grid = self.random.choice(self.grids)
        category = self.random.choice(self.emergency)
        body = self._body(number, grid, category, self._point_in(grid), emergency=True)
        return self._planned(body, Kind.EMERGENCY, grid)

    def _planned(
        self, body: dict[str, Any], kind: Kind, grid: Grid, original: str | None = None
    ) -> Planned:
        caller = _caller_for(body["channel"], grid)
        if caller.startswith("grid_head:"):
            body["reporter"] = {"kind": "grid_staff"}
        elif caller == "hotline":
            body["reporter"] = {
                "kind": "resident",
                "name": self.random.choice(NAMES_ZH),
                "phone": f"+86 138 {self.random.randint(0, 9999):04d} "
                f"{self.random.randint(0, 9999):04d}",
            }
        else:
            body["reporter"] = {"kind": "operator"}
        return Planned(
            body=body,
            kind=kind,
            caller=caller,
            photo=self.random.random() < self.mix.photos,
            resend=self.random.random() < self.mix.resends,
            original=original,
        )

    def _body(
        self,
        number: int,
        grid: Grid,
        category: Category,
        point: tuple[float, float] | None,
        *,
        emergency: bool,
    ) -> dict[str, Any]:
        chinese = self.random.random() < self.mix.chinese
        text = self._text(grid, category, chinese=chinese, emergency=emergency)
        if self.tag:
            text = f"{text} [{self.tag} #{number}]"
        observed = datetime.now(UTC) - timedelta(minutes=self.random.uniform(0, 90))
        body: dict[str, Any] = {
            "report_id": str(uuid.uuid4()),
            "channel": self._channel(emergency),
            "description": text,
            "observed_at": observed.isoformat(),
        }
        if point is None:
            body["grid_code"] = grid.code
        else:
            body["location"] = {"lat": round(point[0], 7), "lon": round(point[1], 7)}
        if emergency or self.random.random() < self.mix.hinted:
            body["category_hint"] = category.code
        return body

    def _text(
        self, grid: Grid, category: Category, *, chinese: bool, emergency: bool
    ) -> str:
        keywords = category.keywords_zh if chinese else category.keywords_en
        keyword = self.random.choice(keywords[:3]) if keywords else category.name_en
        if emergency:
            pair = EMERGENCY_TEXTS.get(category.code, GENERIC_EMERGENCY)
            template = pair[0] if chinese else pair[1]
        else:
            template = self.random.choice(ORDINARY_ZH if chinese else ORDINARY_EN)
        place = self.random.choice(PLACES_ZH if chinese else PLACES_EN)
        text = template.format(
            grid=grid.name_zh if chinese else grid.name_en, place=place, keyword=keyword
        )
        return text[0].upper() + text[1:]

    def _channel(self, emergency: bool) -> str:
        if emergency:
            return self.random.choice(("hotline", "hotline", "app"))
        return self.random.choices(("app", "hotline", "patrol", "web"), (4, 3, 2, 1))[0]

    def _point_in(self, grid: Grid) -> tuple[float, float]:
        """A uniformly drawn point inside the grid, as (lat, lon)."""
        box = grid.bbox
        for _ in range(30):
            lat = self.random.uniform(box.min_lat, box.max_lat)
            lon = self.random.uniform(box.min_lon, box.max_lon)
            if grid.contains(lat, lon):
                return lat, lon
        lon, lat = grid.centroid
        return lat, lon


def _caller_for(channel: str, grid: Grid) -> str:
    """Grid staff report from the app and on patrol, operators from the hotline and web."""
    if channel in {"app", "patrol"}:
        return f"grid_head:{grid.code}"
    return "hotline" if channel == "hotline" else "operator"
