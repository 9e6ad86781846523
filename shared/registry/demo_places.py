"""The demo sub-district's places and people, generated the same way on every run.

Lanxi Sub-district is made up. Its 14 villages and communities sit in three east-west
bands between lat 22.50 and 22.60, lon 113.90 and 114.00. Each one is a quadrilateral
cut into rows and columns of grids whose inner corners are nudged a little, so the
grids are irregular but still tile their village exactly.
"""

import math
import random
from dataclasses import dataclass

from shared.registry.geometry import Position
from shared.registry.models import Contact, Grid, StaffMember, SubDistrict, Village

WEST, EAST = 113.90, 114.00

# Band edges as lat = south + rise * t, with t = 0 at WEST and 1 at EAST.
BAND_EDGES: list[tuple[float, float]] = [
    (22.5000, 0.0020),
    (22.5340, -0.0030),
    (22.5680, 0.0020),
    (22.6000, -0.0010),
]

SEPARATOR_TILT = 0.0012
JITTER = 0.15
COORDINATE_DIGITS = 6


@dataclass(frozen=True)
class PlaceSpec:
    """One village or community: where it sits and how it is cut into grids."""

    number: int
    name_zh: str
    name_en: str
    kind: str
    band: int
    rows: int
    cols: int


PLACES: list[PlaceSpec] = [
    PlaceSpec(1, "榕溪村", "Rongxi", "village", 0, 3, 4),
    PlaceSpec(2, "石岗村", "Shigang", "village", 0, 3, 4),
    PlaceSpec(3, "沙埔村", "Shapu", "village", 0, 2, 5),
    PlaceSpec(4, "蚝埔村", "Haopu", "village", 0, 3, 3),
    PlaceSpec(5, "鹤田村", "Hetian", "village", 0, 3, 5),
    PlaceSpec(6, "海澜社区", "Hailan", "community", 1, 4, 4),
    PlaceSpec(7, "云桥社区", "Yunqiao", "community", 1, 3, 6),
    PlaceSpec(8, "锦泉社区", "Jinquan", "community", 1, 4, 5),
    PlaceSpec(9, "明湾社区", "Mingwan", "community", 1, 3, 5),
    PlaceSpec(10, "翠林社区", "Cuilin", "community", 1, 3, 4),
    PlaceSpec(11, "新澄社区", "Xincheng", "community", 2, 3, 6),
    PlaceSpec(12, "禾塘村", "Hetang", "village", 2, 2, 6),
    PlaceSpec(13, "凤岭村", "Fengling", "village", 2, 3, 4),
    PlaceSpec(14, "荔坑村", "Likeng", "village", 2, 2, 4),
]

# Grids with facilities that make reports there more sensitive, by (village, grid number).
SPECIAL_GRIDS: dict[str, list[tuple[int, int]]] = {
    "school": [
        (1, 6),
        (2, 7),
        (3, 3),
        (5, 8),
        (6, 6),
        (6, 11),
        (7, 9),
        (8, 7),
        (8, 14),
        (9, 8),
        (10, 5),
        (11, 10),
        (12, 4),
        (13, 6),
    ],
    "hospital": [(6, 10), (8, 12), (11, 8), (5, 12)],
    "market": [(2, 6), (7, 10), (9, 2), (13, 2)],
    "industrial_park": [(4, 7), (4, 8), (12, 11), (12, 12)],
    "hillside": [(13, 9), (13, 10), (13, 11), (13, 12), (14, 5), (14, 6), (14, 7), (14, 8)],
}

SURNAMES: list[tuple[str, str]] = [
    ("陈", "Chen"),
    ("李", "Li"),
    ("黄", "Huang"),
    ("张", "Zhang"),
    ("林", "Lin"),
    ("王", "Wang"),
    ("刘", "Liu"),
    ("吴", "Wu"),
    ("郑", "Zheng"),
    ("梁", "Liang"),
    ("何", "He"),
    ("罗", "Luo"),
    ("谢", "Xie"),
    ("周", "Zhou"),
    ("叶", "Ye"),
    ("邓", "Deng"),
    ("曾", "Zeng"),
    ("彭", "Peng"),
    ("蔡", "Cai"),
    ("许", "Xu"),
    ("冯", "Feng"),
    ("钟", "Zhong"),
    ("潘", "Pan"),
    ("苏", "Su"),
]

GIVEN_NAMES: list[tuple[str, str]] = [
    ("家豪", "Jiahao"),
    ("志强", "Zhiqiang"),
    ("丽娟", "Lijuan"),
    ("晓敏", "Xiaomin"),
    ("国华", "Guohua"),
    ("美玲", "Meiling"),
    ("建平", "Jianping"),
    ("秀英", "Xiuying"),
    ("伟明", "Weiming"),
    ("海燕", "Haiyan"),
    ("振宇", "Zhenyu"),
    ("慧琳", "Huilin"),
    ("永康", "Yongkang"),
    ("淑贞", "Shuzhen"),
    ("锦荣", "Jinrong"),
    ("嘉欣", "Jiaxin"),
    ("少雄", "Shaoxiong"),
    ("碧云", "Biyun"),
    ("文杰", "Wenjie"),
    ("玉兰", "Yulan"),
    ("子健", "Zijian"),
    ("雅婷", "Yating"),
    ("德胜", "Desheng"),
    ("桂芳", "Guifang"),
    ("俊杰", "Junjie"),
    ("春梅", "Chunmei"),
    ("立新", "Lixin"),
    ("佩仪", "Peiyi"),
    ("国栋", "Guodong"),
    ("小燕", "Xiaoyan"),
    ("浩然", "Haoran"),
    ("月华", "Yuehua"),
    ("启明", "Qiming"),
    ("素芬", "Sufen"),
    ("天佑", "Tianyou"),
    ("婉清", "Wanqing"),
]

SEED = 20260101


def band_lat(edge: int, lon: float) -> float:
    """Latitude of a band edge at a longitude; edges are straight, tilted lines."""
    south, rise = BAND_EDGES[edge]
    return south + rise * (lon - WEST) / (EAST - WEST)


def _separators(band: int) -> list[tuple[float, float]]:
    """West-to-east (bottom lon, top lon) of the lines between a band's units."""
    specs = [spec for spec in PLACES if spec.band == band]
    total = sum(spec.rows * spec.cols for spec in specs)

    lines = [(WEST, WEST)]
    running = 0
    for index, spec in enumerate(specs[:-1]):
        running += spec.rows * spec.cols
        middle = WEST + (EAST - WEST) * running / total
        tilt = SEPARATOR_TILT if index % 2 == 0 else -SEPARATOR_TILT
        lines.append((middle - tilt, middle + tilt))
    lines.append((EAST, EAST))
    return lines


def _corners(spec: PlaceSpec) -> tuple[Position, Position, Position, Position]:
    """South-west, south-east, north-east and north-west corners of a unit."""
    specs = [other for other in PLACES if other.band == spec.band]
    index = specs.index(spec)
    lines = _separators(spec.band)
    (west_bottom, west_top), (east_bottom, east_top) = lines[index], lines[index + 1]

    return (
        (west_bottom, band_lat(spec.band, west_bottom)),
        (east_bottom, band_lat(spec.band, east_bottom)),
        (east_top, band_lat(spec.band + 1, east_top)),
        (west_top, band_lat(spec.band + 1, west_top)),
    )


def _lattice(spec: PlaceSpec, rng: random.Random) -> list[list[Position]]:
    """Corner points of a unit's grids, indexed [row][col]; inner points are jittered."""
    sw, se, ne, nw = _corners(spec)
    cell_lon = (se[0] - sw[0]) / spec.cols
    cell_lat = (nw[1] - sw[1]) / spec.rows

    lattice: list[list[Position]] = []
    for row in range(spec.rows + 1):
        v = row / spec.rows
        points: list[Position] = []
        for col in range(spec.cols + 1):
            u = col / spec.cols
            lon = (1 - u) * (1 - v) * sw[0] + u * (1 - v) * se[0] + u * v * ne[0]
            lon += (1 - u) * v * nw[0]
            lat = (1 - u) * (1 - v) * sw[1] + u * (1 - v) * se[1] + u * v * ne[1]
            lat += (1 - u) * v * nw[1]

            inner = 0 < row < spec.rows and 0 < col < spec.cols
            if inner:
                lon += (2 * rng.random() - 1) * JITTER * cell_lon
                lat += (2 * rng.random() - 1) * JITTER * cell_lat

            points.append((round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)))
        lattice.append(points)
    return lattice


class _Roster:
    """Hands out unique made-up names and staff ids, in a fixed order."""

    def __init__(self, rng: random.Random) -> None:
        self._names = [(s, g) for s in SURNAMES for g in GIVEN_NAMES]
        for i in range(len(self._names) - 1, 0, -1):
            j = int(rng.random() * (i + 1))
            self._names[i], self._names[j] = self._names[j], self._names[i]
        self._serial: dict[int, int] = {}

    def hire(self, village: int) -> StaffMember:
        """The next person, with a staff id numbered within the village."""
        (surname_zh, surname_en), (given_zh, given_en) = self._names.pop()
        serial = self._serial.get(village, 0) + 1
        self._serial[village] = serial

        return StaffMember(
            staff_id=f"GS-{village:02d}{serial:03d}",
            name_zh=surname_zh + given_zh,
            name_en=f"{surname_en} {given_en}",
            phone=f"+86 755 9{village:02d} {serial:04d}",
        )


def _tags(spec: PlaceSpec, number: int, row: int) -> list[str]:
    """Facility tags of a grid; the southern band's first row lies along the river."""
    tags = [tag for tag, cells in SPECIAL_GRIDS.items() if (spec.number, number) in cells]
    if spec.band == 0 and row == 0:
        tags.append("low_lying")
    return sorted(tags)


def _households(spec: PlaceSpec, rng: random.Random) -> int:
    """About 150 households per village grid and 300 per community grid."""
    base = 150 if spec.kind == "village" else 300
    return int(base * (0.8 + 0.4 * rng.random()))


def subdistrict() -> SubDistrict:
    """Lanxi Sub-district and its command centre."""
    return SubDistrict(
        code="lanxi",
        name_zh="澜溪街道",
        name_en="Lanxi Sub-district",
        centre=Contact(
            name_zh="澜溪街道综合治理指挥中心",
            name_en="Lanxi Sub-district Command Centre",
            phone="+86 755 0000 1000",
            email="centre@lanxi.example",
        ),
    )


def villages() -> list[Village]:
    """The 14 villages and communities, with their service stations."""
    result: list[Village] = []
    for spec in PLACES:
        label = "Village" if spec.kind == "village" else "Community"
        result.append(
            Village(
                code=f"V-{spec.number:02d}",
                name_zh=spec.name_zh,
                name_en=f"{spec.name_en} {label}",
                kind="village" if spec.kind == "village" else "community",
                station=Contact(
                    name_zh=f"{spec.name_zh}党群服务站",
                    name_en=f"{spec.name_en} {label} Service Station",
                    phone=f"+86 755 0000 2{spec.number:03d}",
                ),
            )
        )
    return result


def grids() -> list[Grid]:
    """All 189 grids with their staff, boundaries and tags."""
    rng = random.Random(SEED)
    roster = _Roster(rng)

    result: list[Grid] = []
    for spec in PLACES:
        lattice = _lattice(spec, rng)
        label = "Village" if spec.kind == "village" else "Community"
        members_per_grid = 2 if spec.kind == "village" else 3
        instructors = [
            roster.hire(spec.number) for _ in range(math.ceil(spec.rows * spec.cols / 4))
        ]

        for row in range(spec.rows):
            for col in range(spec.cols):
                number = row * spec.cols + col + 1
                ring = [
                    lattice[row][col],
                    lattice[row][col + 1],
                    lattice[row + 1][col + 1],
                    lattice[row + 1][col],
                    lattice[row][col],
                ]
                result.append(
                    Grid(
                        code=f"G-{spec.number:02d}-{number:02d}",
                        name_zh=f"{spec.name_zh}第{number}网格",
                        name_en=f"{spec.name_en} {label} Grid {number}",
                        village_code=f"V-{spec.number:02d}",
                        households=_households(spec, rng),
                        head=roster.hire(spec.number),
                        instructor=instructors[(number - 1) // 4],
                        members=[roster.hire(spec.number) for _ in range(members_per_grid)],
                        polygon=[ring],
                        tags=_tags(spec, number, row),
                    )
                )
    return result
