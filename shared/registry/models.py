"""The registry's data model: places, people, departments, categories and rules.

The registry is published on Kafka as JSON, so every model here round-trips through
``model_dump`` and ``model_validate`` and keeps its lookup indexes out of the dump.
"""

import logging
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)

from shared.registry.geometry import (
    BBox,
    Position,
    is_simple_ring,
    point_in_polygon,
    ring_bbox,
    ring_centroid,
)
from shared.registry.working_time import HolidayCalendar

logger = logging.getLogger(__name__)

Level = Literal[1, 2, 3]
"""1: the grid handles it; 2: the village or community station; 3: the sub-district."""

Area = Literal[
    "environment_sanitation",
    "city_appearance",
    "roads_traffic",
    "public_safety_fire",
    "disputes",
    "market_food",
    "civil_affairs",
]

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
GridCode = Annotated[str, StringConstraints(pattern=r"^G-\d{2}-\d{2}$")]
VillageCode = Annotated[str, StringConstraints(pattern=r"^V-\d{2}$")]
StaffId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{2,15}$")]
ServiceCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,32}$")]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$")]
Keyword = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
]
Hours = Annotated[float, Field(gt=0, le=2000)]


class _Strict(BaseModel):
    """Unknown fields are refused, so a typo in an edited registry fails loudly."""

    model_config = ConfigDict(extra="forbid")


class Contact(_Strict):
    """A desk that can be called: a station, a duty office, a centre."""

    name_zh: Name
    name_en: Name
    phone: Phone
    email: str | None = None


class StaffMember(_Strict):
    """A person on the grid roster, known by a staff id."""

    staff_id: StaffId
    name_zh: Name
    name_en: Name
    phone: Phone


class SubDistrict(_Strict):
    """The sub-district itself and its command centre, the level-3 desk."""

    code: Code
    name_zh: Name
    name_en: Name
    centre: Contact


class Village(_Strict):
    """A village or community: the level-2 unit, with its service station."""

    code: VillageCode
    name_zh: Name
    name_en: Name
    kind: Literal["village", "community"]
    station: Contact


class Grid(_Strict):
    """The smallest governance unit, with its staff and its boundary."""

    code: GridCode
    name_zh: Name
    name_en: Name
    village_code: VillageCode
    households: int = Field(ge=0, le=100_000)
    head: StaffMember
    instructor: StaffMember
    members: list[StaffMember] = Field(default_factory=list)
    polygon: list[list[Position]] = Field(min_length=1)
    tags: list[Tag] = Field(default_factory=list)

    @field_validator("polygon")
    @classmethod
    def _rings_are_closed_and_simple(
        cls, rings: list[list[Position]]
    ) -> list[list[Position]]:
        """A boundary that is open or crosses itself would give wrong lookups."""
        for ring in rings:
            if len(ring) < 4:
                raise ValueError("a ring needs at least 4 positions (3 corners, closed)")

            if ring[0] != ring[-1]:
                raise ValueError(
                    "a ring must be closed: its last position repeats its first"
                )

            for lon, lat in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError(f"position ({lon}, {lat}) is not [lon, lat] in WGS84")

            if not is_simple_ring(ring):
                raise ValueError("a ring must not cross itself")
        return rings

    @property
    def bbox(self) -> BBox:
        """Bounding box of the outer ring."""
        return ring_bbox(self.polygon[0])

    @property
    def centroid(self) -> Position:
        """Area centroid of the outer ring, as (lon, lat)."""
        return ring_centroid(self.polygon[0])

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the grid's boundary."""
        return point_in_polygon(lon, lat, self.polygon)


class Department(_Strict):
    """A unit that takes cases: a functional department or the command centre."""

    code: Code
    name_zh: Name
    name_en: Name
    tier: Literal["centre", "department"] = "department"
    contacts: list[Contact] = Field(default_factory=list)


class StageLimits(_Strict):
    """Working hours allowed for each stage of a case."""

    sign_for: Hours
    disposal: Hours
    verification: Hours


class TimeLimits(_Strict):
    """Stage limits for each level, since higher levels get longer to dispose."""

    level_1: StageLimits
    level_2: StageLimits
    level_3: StageLimits

    def for_level(self, level: Level) -> StageLimits:
        """The limits that apply at ``level``."""
        return {1: self.level_1, 2: self.level_2, 3: self.level_3}[level]


class Category(_Strict):
    """A kind of report, with what the classifier and the router need to know about it."""

    code: Code
    name_zh: Name
    name_en: Name
    area: Area
    keywords_zh: list[Keyword] = Field(default_factory=list)
    keywords_en: list[Keyword] = Field(default_factory=list)
    default_level: Level
    default_department: Code
    open311_service_code: ServiceCode
    time_limits: TimeLimits
    emergency: bool = False
    duplicate_radius_m: float = Field(default=150, ge=0, le=2000)
    """Reports this close to an open case of the category support it; 0 never merges."""
    duplicate_window_hours: float = Field(default=72, ge=0, le=24 * 90)
    """How long after a case opens a nearby report of the category still supports it."""

    @field_validator("keywords_en")
    @classmethod
    def _lower_case(cls, keywords: list[str]) -> list[str]:
        """English matching is case-blind, so keywords are stored the way they match."""
        return [keyword.lower() for keyword in keywords]


class RoutingRule(_Strict):
    """An override of a category's defaults; the registry's rules are tried in order."""

    name: Code
    description: str = ""
    order: int = Field(default=100, ge=0, le=100_000)
    """Rules are tried by ascending order, then by name."""
    category: Code | None = None
    area: Area | None = None
    grid_tag: Tag | None = None
    level: Level | None = None
    set_department: Code | None = None
    set_level: Level | None = None

    @model_validator(mode="after")
    def _matches_and_acts(self) -> Self:
        """A rule with no condition catches everything; one with no action does nothing."""
        if (self.category, self.area, self.grid_tag, self.level) == (
            None,
            None,
            None,
            None,
        ):
            raise ValueError(f"rule {self.name!r} needs at least one condition")

        if self.set_department is None and self.set_level is None:
            raise ValueError(f"rule {self.name!r} must set a department or a level")
        return self

    def matches(self, category: Category, level: Level, grid_tags: list[str]) -> bool:
        """Whether every condition the rule names holds."""
        return (
            (self.category is None or self.category == category.code)
            and (self.area is None or self.area == category.area)
            and (self.grid_tag is None or self.grid_tag in grid_tags)
            and (self.level is None or self.level == level)
        )


class RouteResolution(_Strict):
    """Where the registry sends a category at a level, and which rule decided it."""

    category: Code
    department: Code
    level: Level
    rule: Code | None = None


def _unique(kind: str, codes: list[str]) -> None:
    """Duplicate codes would make lookups silently return the wrong item."""
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate {kind} {code!r}")
        seen.add(code)


class Registry(_Strict):
    """Everything the router needs to know about the sub-district, with fast lookups."""

    # Assigning a whole field re-validates and re-indexes. After editing nested objects
    # in place, call reindex() (or validate a fresh copy) before publishing.

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    version: int = Field(default=1, ge=1)
    subdistrict: SubDistrict
    villages: list[Village]
    grids: list[Grid]
    departments: list[Department]
    categories: list[Category]
    calendar: HolidayCalendar
    rules: list[RoutingRule] = Field(default_factory=list)
    triage_department: Code

    _villages: dict[str, Village] = PrivateAttr(default_factory=dict)
    _grids: dict[str, Grid] = PrivateAttr(default_factory=dict)
    _departments: dict[str, Department] = PrivateAttr(default_factory=dict)
    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)
    _service_codes: dict[str, Category] = PrivateAttr(default_factory=dict)
    _rules: list[RoutingRule] = PrivateAttr(default_factory=list)
    _extent: BBox | None = PrivateAttr(default=None)
    _spatial: list[tuple[BBox, list[tuple[BBox, Grid]]]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """Every code a record points at must exist, and every code must be unique."""
        _unique("village", [village.code for village in self.villages])
        _unique("grid", [grid.code for grid in self.grids])
        _unique("department", [department.code for department in self.departments])
        _unique("category", [category.code for category in self.categories])
        _unique("service code", [c.open311_service_code for c in self.categories])
        _unique("rule", [rule.name for rule in self.rules])

        villages = {village.code for village in self.villages}
        departments = {department.code for department in self.departments}
        categories = {category.code for category in self.categories}
        for grid in self.grids:
            if grid.village_code not in villages:
                raise ValueError(
                    f"grid {grid.code} names unknown village {grid.village_code}"
                )

        for category in self.categories:
            if category.default_department not in departments:
                raise ValueError(
                    f"category {category.code} names unknown department "
                    f"{category.default_department}"
                )

        for rule in self.rules:
            if rule.category is not None and rule.category not in categories:
                raise ValueError(f"rule {rule.name} names unknown category {rule.category}")
            if rule.set_department is not None and rule.set_department not in departments:
                raise ValueError(
                    f"rule {rule.name} names unknown department {rule.set_department}"
                )

        if self.triage_department not in departments:
            raise ValueError(f"unknown triage department {self.triage_department}")

        self.reindex()
        return self

    def reindex(self) -> None:
        """Rebuild the lookup tables and the two-level bounding-box index."""
        self._villages = {village.code: village for village in self.villages}
        self._grids = {grid.code: grid for grid in self.grids}
        self._departments = {department.code: department for department in self.departments}
        self._categories = {category.code: category for category in self.categories}
        self._service_codes = {c.open311_service_code: c for c in self.categories}
        self._rules = sorted(self.rules, key=lambda rule: (rule.order, rule.name))

        by_village: dict[str, list[tuple[BBox, Grid]]] = {}
        for grid in self.grids:
            by_village.setdefault(grid.village_code, []).append((grid.bbox, grid))

        self._spatial = []
        for boxed in by_village.values():
            village_box = boxed[0][0]
            for box, _ in boxed[1:]:
                village_box = village_box.union(box)
            self._spatial.append((village_box, boxed))

        self._extent = None
        for village_box, _ in self._spatial:
            self._extent = (
                village_box if self._extent is None else self._extent.union(village_box)
            )
        logger.debug("registry v%s indexed: %d grids", self.version, len(self._grids))

    def village(self, code: str) -> Village | None:
        """The village or community with this code."""
        return self._villages.get(code)

    def grid(self, code: str) -> Grid | None:
        """The grid with this code."""
        return self._grids.get(code)

    def department(self, code: str) -> Department | None:
        """The department with this code."""
        return self._departments.get(code)

    def category(self, code: str) -> Category | None:
        """The category with this code."""
        return self._categories.get(code)

    def category_by_service_code(self, service_code: str) -> Category | None:
        """The category behind an Open311 service code."""
        return self._service_codes.get(service_code)

    def grids_of(self, village_code: str) -> list[Grid]:
        """The grids of one village or community, in registry order."""
        return [grid for grid in self.grids if grid.village_code == village_code]

    def grid_at(self, lat: float, lon: float) -> Grid | None:
        """The grid containing a WGS84 point, or None outside the sub-district."""
        if self._extent is None or not self._extent.contains(lon, lat):
            return None

        for village_box, boxed in self._spatial:
            if not village_box.contains(lon, lat):
                continue

            for box, grid in boxed:
                if box.contains(lon, lat) and grid.contains(lat, lon):
                    return grid
        return None

    def route(
        self, category_code: str, level: Level, grid: Grid | None = None
    ) -> RouteResolution:
        """Department and level for a category: the first matching rule, or the defaults."""
        category = self._categories.get(category_code)
        if category is None:
            raise KeyError(f"unknown category {category_code!r}")

        tags = grid.tags if grid is not None else []
        for rule in self._rules:
            if rule.matches(category, level, tags):
                return RouteResolution(
                    category=category.code,
                    department=rule.set_department or category.default_department,
                    level=rule.set_level or level,
                    rule=rule.name,
                )

        return RouteResolution(
            category=category.code, department=category.default_department, level=level
        )
