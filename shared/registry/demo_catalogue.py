"""The demo catalogue: departments, report categories with their keywords, and rules.

Keywords are what residents and grid staff actually say, not the official names, so
the classifier can recognise a report however it is worded. Edit freely: the
classifier picks up any change the next time it sees the registry.
"""

from shared.registry.models import (
    Area,
    Category,
    Contact,
    Department,
    Level,
    RoutingRule,
    StageLimits,
    TimeLimits,
)


def _limits(
    one: tuple[float, float, float],
    two: tuple[float, float, float],
    three: tuple[float, float, float],
) -> TimeLimits:
    """Time limits from (sign for, disposal, verification) working hours per level."""
    return TimeLimits(
        level_1=StageLimits(sign_for=one[0], disposal=one[1], verification=one[2]),
        level_2=StageLimits(sign_for=two[0], disposal=two[1], verification=two[2]),
        level_3=StageLimits(sign_for=three[0], disposal=three[1], verification=three[2]),
    )


ROUTINE = _limits((2, 24, 8), (2, 40, 16), (1, 80, 24))
URGENT = _limits((0.5, 4, 4), (0.5, 8, 8), (0.5, 16, 8))
EMERGENCY = _limits((0.25, 2, 4), (0.25, 4, 4), (0.25, 8, 8))
CASEWORK = _limits((4, 40, 16), (4, 80, 24), (2, 160, 40))

# How near (metres) and how soon (hours) after an open case a report of the same
# category counts as its supporter. Personal matters (a dispute, unpaid wages, an old
# person needing help) are never merged: two such reports are two people.
DUPLICATE_WINDOWS: dict[str, tuple[float, float]] = {
    "rubbish": (100, 48),
    "construction_waste": (150, 72),
    "sewage_overflow": (200, 48),
    "open_burning": (300, 12),
    "industrial_pollution": (500, 72),
    "illegal_advertising": (100, 72),
    "illegal_construction": (50, 720),
    "street_vendor": (100, 8),
    "fallen_tree": (100, 24),
    "streetlight_fault": (150, 168),
    "stray_animals": (200, 24),
    "road_damage": (50, 168),
    "manhole_cover": (30, 72),
    "illegal_parking": (50, 4),
    "abandoned_vehicle": (30, 720),
    "waterlogging": (300, 12),
    "traffic_facility": (50, 168),
    "blocked_fire_exit": (50, 72),
    "fire_incident": (300, 6),
    "gas_leak": (200, 6),
    "electrical_hazard": (50, 72),
    "building_safety": (50, 168),
    "slope_hazard": (300, 24),
    "noise_nuisance": (150, 6),
    "construction_noise": (200, 24),
    "food_safety": (30, 72),
    "expired_goods": (30, 72),
    "unlicensed_business": (30, 168),
    "vagrant_beggar": (100, 24),
}

DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("command_centre", "街道综合治理指挥中心", "Sub-district Command Centre", "centre"),
    (
        "urban_management",
        "城市管理和综合执法办",
        "Urban Management and Law Enforcement",
        "department",
    ),
    ("market_supervision", "市场监督管理所", "Market Supervision Office", "department"),
    ("public_security", "派出所", "Police Station", "department"),
    ("civil_affairs", "民政办", "Civil Affairs Office", "department"),
    ("environment", "生态环境保护站", "Environmental Protection Station", "department"),
    ("housing", "住房和建设办", "Housing and Construction Office", "department"),
    (
        "emergency_management",
        "应急管理办（消防）",
        "Emergency Management and Fire Office",
        "department",
    ),
    ("water_affairs", "水务所", "Water Affairs Office", "department"),
    ("transport", "交通运输所", "Transport Office", "department"),
    (
        "justice",
        "司法所（人民调解）",
        "Justice Office and People's Mediation",
        "department",
    ),
    ("human_resources", "劳动保障所", "Labour and Social Security Office", "department"),
]


def departments() -> list[Department]:
    """The command centre and the functional departments, each with a duty desk."""
    result: list[Department] = []
    for index, (code, name_zh, name_en, tier) in enumerate(DEPARTMENTS):
        result.append(
            Department(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                tier="centre" if tier == "centre" else "department",
                contacts=[
                    Contact(
                        name_zh=f"{name_zh}值班室",
                        name_en=f"{name_en} duty desk",
                        phone=f"+86 755 0000 3{index:03d}",
                        email=f"{code.replace('_', '-')}@lanxi.example",
                    )
                ],
            )
        )
    return result


def _category(
    code: str,
    names: tuple[str, str],
    area: Area,
    service_code: str,
    routing: tuple[Level, str],
    limits: TimeLimits,
    keywords_zh: str,
    keywords_en: str,
    *,
    emergency: bool = False,
) -> Category:
    """A category from space-separated Chinese and comma-separated English keywords."""
    return Category(
        code=code,
        name_zh=names[0],
        name_en=names[1],
        area=area,
        keywords_zh=keywords_zh.split(),
        keywords_en=[
            keyword.strip() for keyword in keywords_en.split(",") if keyword.strip()
        ],
        default_level=routing[0],
        default_department=routing[1],
        open311_service_code=service_code,
        time_limits=limits,
        emergency=emergency,
    )


def categories() -> list[Category]:
    """Thirty-five report categories across the seven areas of work."""
    catalogue = [
        # Environment and sanitation
        _category(
            "rubbish",
            ("生活垃圾堆积", "Household rubbish piling up"),
            "environment_sanitation",
            "1001",
            (1, "urban_management"),
            ROUTINE,
            "垃圾 拉圾 生活垃圾 垃圾桶 垃圾箱 垃圾堆 垃圾站 垃圾房 垃圾袋 乱扔 乱丢 "
            "扔垃圾 清运 没人清理 没人收 没清理 满溢 发臭 恶臭 臭气 苍蝇 老鼠 蟑螂 "
            "卫生死角 保洁 环卫 清扫 纸屑 烟头 果皮 塑料袋 脏乱差 脏乱 厨余 垃圾车 收垃圾 "
            "倒垃圾 清洁工 外卖盒 剩菜剩饭 臭烘烘 臭死了 酸臭",
            "rubbish, garbage, trash, litter, littering, bin, bins, wheelie bin, "
            "dumpster, overflowing, pile, piled, piling up, stink, stinks, smelly, flies, "
            "rats, cockroaches, not collected, collection, cleaner, street cleaning, "
            "sweeping, bin bags, rubbish bags, dirty, filthy, mess, food waste, "
            "household waste, rubbish truck, garbage truck, bin lorry, binmen, bin men, "
            "litter bin, stench, reeks, maggots, nobody collects",
        ),
        _category(
            "construction_waste",
            ("建筑垃圾乱倒", "Construction waste dumping"),
            "environment_sanitation",
            "1002",
            (2, "urban_management"),
            ROUTINE,
            "建筑垃圾 装修垃圾 渣土 泥头车 余泥 砖头 碎砖 水泥块 瓷砖 石膏板 偷倒 乱倒 "
            "倾倒 倒了一堆 碎石 沙石 撒漏 废料 木板 装修材料 拆下来 砖块 烂木头 拆房子 "
            "拆迁垃圾 倒东西 废砖 混凝土块 水泥袋 墙砖 装修废料",
            "construction waste, building waste, debris, rubble, renovation waste, "
            "bricks, concrete, broken tiles, plasterboard, drywall, fly-tipping, "
            "fly tipping, flytipping, dump, dumped, dumping, dump truck, muck truck, "
            "soil, gravel, sand, building materials, timber, demolition, "
            "demolition waste, broken bricks, cement, cement bags, builders waste, "
            "tipping, tipped",
        ),
        _category(
            "sewage_overflow",
            ("污水外溢", "Sewage overflow or blocked drain"),
            "environment_sanitation",
            "1003",
            (2, "water_affairs"),
            URGENT,
            "污水 下水道 化粪池 粪水 粪便 排污管 排水管 下水管 冒水 外溢 溢出 反水 返臭 "
            "臭水 管道堵 渠 明渠 沟 水沟 阴沟 污水井 脏水 冒脏水 污水横流 化粪池满 "
            "下水道堵 马桶反水 地漏反水 臭水沟 下水管爆",
            "sewage, sewer, septic, septic tank, drain, drains, blocked drain, backed up, "
            "foul water, dirty water, wastewater, toilet water, gutter, ditch, "
            "sewer pipe, overflowing drain, poo, faeces, waste pipe, sewage smell, "
            "drain smell, toilet backing up, manure, raw sewage",
        ),
        _category(
            "open_burning",
            ("露天焚烧与油烟", "Open burning and cooking fumes"),
            "environment_sanitation",
            "1004",
            (2, "environment"),
            URGENT,
            "焚烧 烧垃圾 露天焚烧 烧东西 烧树叶 烧塑料 烧秸秆 烧纸 烧 黑烟 呛 呛人 熏 "
            "油烟 烟味 烟雾 排烟 烧烤 烧电线 烧电线皮 烧轮胎 焚烧垃圾 烧落叶 烧火",
            "burning rubbish, burning trash, burning garbage, burning plastic, "
            "burning leaves, open burning, bonfire, burn, smoke, smoky, fumes, "
            "cooking fumes, kitchen fumes, barbecue, bbq, choking, grill, burning tyres, "
            "burning tires, burning cables, burning wire, incinerating, "
            "smoke from burning",
        ),
        _category(
            "industrial_pollution",
            ("企业排污与异味", "Industrial pollution and odours"),
            "environment_sanitation",
            "1005",
            (2, "environment"),
            URGENT,
            "工厂 厂房 厂里 排污 偷排 废水 废气 刺鼻 异味 化工 污染 河水 河涌 河道 变黑 "
            "发黑 死鱼 粉尘 喷漆 油漆味 排放 臭味 化工味 泡沫 白色泡沫 排污口 黑水 化学味 "
            "烟囱 废油 污泥",
            "factory, plant, pollution, polluting, discharge, discharging, chemical, "
            "chemicals, toxic, pungent, odour, odor, river, stream, creek, canal, "
            "dead fish, black water, discoloured, dust, spray painting, paint smell, "
            "emissions, effluent, workshop fumes, environmental, foam, froth, outfall, "
            "outlet pipe, oil slick, chimney, exhaust, sludge",
        ),
        # City appearance
        _category(
            "illegal_advertising",
            ("乱张贴小广告", "Illegal flyers, posters and graffiti"),
            "city_appearance",
            "2001",
            (1, "urban_management"),
            ROUTINE,
            "小广告 牛皮癣 张贴 乱贴 贴广告 贴满 喷涂 涂鸦 乱涂 乱画 广告 传单 横幅 办证 "
            "电线杆 刻章 贷款广告 喷号码 宣传单 电话号码 租房广告 招聘广告 贴纸 喷漆广告 "
            "乱张贴 广告贴",
            "flyer, flyers, poster, posters, sticker, stickers, advert, adverts, "
            "advertising, advertisement, ads, graffiti, leaflet, leaflets, banner, "
            "banners, spray painted, phone numbers, bill posting, pasted, notices, "
            "spray paint, ads for, taped up",
        ),
        _category(
            "illegal_construction",
            ("违法建设", "Illegal construction"),
            "city_appearance",
            "2002",
            (2, "urban_management"),
            CASEWORK,
            "违建 违章建筑 违章搭建 违法建设 乱搭建 乱搭乱建 搭建 加建 加盖 加层 铁皮房 "
            "棚子 搭棚 扩建 私建 抢建 占用绿地 顶楼 天台 楼顶 阁楼 铁棚 围起来 彩钢板 "
            "彩钢板房 铁皮棚 违建房 私搭乱建 加盖房 围墙",
            "illegal construction, illegal structure, unauthorised, unauthorized, "
            "extension, shed, shack, rooftop, roof, extra floor, extra storey, "
            "without permit, no permit, planning permission, enclosure, built, "
            "building work, metal shed, permit, permission, annex, outbuilding, "
            "container house, prefab, structure built, illegally built",
        ),
        _category(
            "street_vendor",
            ("占道经营", "Street vending on the public way"),
            "city_appearance",
            "2003",
            (1, "urban_management"),
            ROUTINE,
            "摊贩 小贩 流动摊贩 摆摊 地摊 占道经营 出店经营 乱摆卖 摆卖 占道 夜市 卖水果 "
            "卖菜 烧烤摊 走鬼 摊位 摆地摊 卖菜的 卖东西 小摊 摊子 流动摊 早餐摊 水果摊 "
            "菜摊",
            "vendor, vendors, street vendor, hawker, hawkers, street stall, stall, "
            "stalls, cart, selling, sell, food cart, peddler, night market, fruit seller, "
            "selling on the pavement, tables on the pavement, pitch, stand, stands, "
            "street food, mobile vendor, roadside stall, sells",
        ),
        _category(
            "fallen_tree",
            ("树木倒伏", "Fallen or dangerous tree"),
            "city_appearance",
            "2004",
            (2, "urban_management"),
            URGENT,
            "树 大树 树木 倒伏 倒树 树倒 树倒了 树枝 断枝 枝条 折断 绿化 修剪 树根 榕树 "
            "台风 刮倒 吹倒 枯树 树干 歪了 枝干 树杈 大风 刮断 吹断 树倒下 横在路上",
            "tree, trees, branch, branches, fallen, fell, uprooted, trunk, leaning, "
            "pruning, trim, overgrown, hedge, typhoon, storm, blown down, dead tree, "
            "banyan, broke off, snapped, limb, fallen branch, gale, wind",
        ),
        _category(
            "streetlight_fault",
            ("路灯故障", "Street light out"),
            "city_appearance",
            "2005",
            (2, "urban_management"),
            ROUTINE,
            "路灯 灯不亮 不亮 黑灯 照明 灯杆 灯坏了 一闪一闪 闪烁 太黑 黑漆漆 黑乎乎 灯泡 "
            "灯全黑 灯不亮了 没有灯 灯黑了 看不见 路很黑 景观灯 灯",
            "streetlight, streetlights, street light, street lights, street lamp, lamp, "
            "lamp post, lamppost, lights out, light out, dark, pitch black, flickering, "
            "lighting, bulb, no light, lights not working, no lights, lamps out, "
            "lamp out, broken light, light is broken, street lamps",
        ),
        _category(
            "stray_animals",
            ("流浪动物", "Stray animals"),
            "city_appearance",
            "2006",
            (1, "urban_management"),
            ROUTINE,
            "流浪狗 流浪猫 流浪动物 野狗 野猫 狗 猫 咬人 被咬 犬 狗屎 狗粪 遛狗 大型犬 "
            "恶犬 一群狗 蛇 动物 病狗 死狗 死猫 狗咬 疯狗 野猫叫",
            "stray, strays, stray dog, dog, dogs, cat, cats, puppy, puppies, kitten, "
            "bitten, bite, dog poo, dog mess, snake, animal, animals, pack of dogs, "
            "off the lead, off leash, growling, wild dogs, feral, dead dog, dead cat, "
            "rabid",
        ),
        # Roads and traffic
        _category(
            "road_damage",
            ("道路破损", "Damaged road or pavement"),
            "roads_traffic",
            "3001",
            (2, "transport"),
            ROUTINE,
            "路面 坑 坑洼 坑坑洼洼 大坑 凹陷 地砖 砖松动 路烂 修路 沥青 路基 路面塌陷 "
            "路不平 烂路 水坑 路面下沉 压坏 柏油 路坏了 道路破损 路面破损 路陷 路面开裂",
            "pothole, potholes, cracked road, broken paving, road damage, damaged road, "
            "uneven, sinkhole, subsidence, road surface, asphalt, tarmac, paving slab, "
            "paving stones, bumpy, loose tiles, hole in the road, pot hole, pot holes, "
            "potholed, crumbling, road is damaged, road broken, broken road",
        ),
        _category(
            "manhole_cover",
            ("井盖缺失破损", "Missing or broken manhole cover"),
            "roads_traffic",
            "3002",
            (2, "water_affairs"),
            URGENT,
            "井盖 窨井 井盖缺失 井盖丢失 井盖破损 没有井盖 井口 雨水篦子 篦子 箅子 "
            "下水道盖 盖板 井盖松动 井盖被偷 下沉 井盖响 井盖异响 井盖翘起 没盖子",
            "manhole, manhole cover, drain cover, grate, grating, cover missing, "
            "missing cover, open hole, utility cover, gully, inspection cover, hole, "
            "manhole lid, sewer cover, cover loose, rattling cover, loose cover",
        ),
        _category(
            "illegal_parking",
            ("乱停乱放", "Illegal or obstructive parking"),
            "roads_traffic",
            "3003",
            (1, "public_security"),
            ROUTINE,
            "乱停 乱停车 乱停乱放 停车 违停 违章停车 占用车位 车位 共享单车 单车 挡路 "
            "停在 堵门口 车堵 挪车 停满 停着 乱停放 占道停车 挡住车库 停了一辆",
            "parked, parking, double parked, parked car, blocking the road, "
            "blocking my driveway, driveway, shared bikes, parked on the pavement, "
            "move the car, tow, towed, parked cars, cars parked, blocking the lane, "
            "blocked in, parked illegally, double-parked",
        ),
        _category(
            "abandoned_vehicle",
            ("废弃车辆", "Abandoned vehicle"),
            "roads_traffic",
            "3004",
            (2, "public_security"),
            ROUTINE,
            "僵尸车 废弃车辆 废弃 报废车 长期停放 积满灰尘 没人开 废车 弃置 烂车 无牌车 "
            "无牌 没车牌 轮胎瘪 好几个月",
            "abandoned car, abandoned vehicle, abandoned, dumped car, flat tyres, "
            "flat tires, no plates, no number plate, rusting, rusty, derelict, wreck, "
            "untouched, covered in dust, burnt out car",
        ),
        _category(
            "waterlogging",
            ("道路积水内涝", "Flooding and standing water"),
            "roads_traffic",
            "3005",
            (2, "water_affairs"),
            URGENT,
            "积水 水浸 水淹 内涝 水漫 淹 被淹 淹了 涨水 暴雨 下大雨 大雨 排水不畅 雨水 "
            "水深 膝盖 水退 水浸街 排不出去 汪洋 全淹了 淹水 泡水 水很深 进水 倒灌 积满水",
            "flooding, flooded, flood, floods, waterlogged, waterlogging, standing water, "
            "puddle, rain, heavy rain, rainstorm, under water, underwater, knee deep, "
            "water level, drainage, storm, deep water, flood water, floodwater, "
            "submerged, water is deep, car park flooded",
        ),
        _category(
            "traffic_facility",
            ("交通设施损坏", "Broken traffic lights, signs or railings"),
            "roads_traffic",
            "3006",
            (2, "transport"),
            ROUTINE,
            "红绿灯 信号灯 交通灯 护栏 隔离栏 交通标志 指示牌 路牌 减速带 斑马线 人行横道 "
            "站牌 反光镜 凸面镜 标线 限高杆 红灯 绿灯 限速牌 交通信号 隔离墩 护栏断",
            "traffic light, traffic lights, signal, signals, zebra crossing, crosswalk, "
            "pedestrian crossing, guardrail, railing, railings, barrier, road sign, "
            "street sign, speed bump, mirror, road markings, speed hump, traffic sign, "
            "stop sign, give way sign, bollard, bollards",
        ),
        # Public safety and fire
        _category(
            "blocked_fire_exit",
            ("消防通道堵塞", "Blocked fire exit or escape route"),
            "public_safety_fire",
            "4001",
            (2, "emergency_management"),
            URGENT,
            "消防通道 消防车道 生命通道 安全出口 疏散通道 逃生通道 堆放杂物 杂物 堵死 "
            "锁死 锁住 防火门 灭火器 消火栓 消防栓 应急灯 逃生 消防 疏散指示 指示灯 "
            "安全通道 消防门 通道堵塞 堵住了 被堵",
            "fire exit, fire escape, emergency exit, fire door, fire lane, stairwell, "
            "staircase, blocked, obstructed, locked, chained, fire extinguisher, "
            "extinguisher, hydrant, escape route, evacuation, clutter, junk, fire safety, "
            "exit blocked, exit sign, escape door, blocked exit",
        ),
        _category(
            "fire_incident",
            ("火情", "Fire or smoke"),
            "public_safety_fire",
            "4002",
            (3, "emergency_management"),
            EMERGENCY,
            "着火 起火 火灾 失火 火情 火 冒烟 浓烟 烧起来 火苗 明火 爆炸 烧着 火光 大火 "
            "冒火 烧了 火很大 消防车 烟很大 着了",
            "fire, on fire, blaze, flames, flame, smoke pouring, thick smoke, explosion, "
            "exploded, caught fire, burning building, alight, fire engine, fire brigade, "
            "smoke coming out, burning",
            emergency=True,
        ),
        _category(
            "gas_leak",
            ("燃气泄漏", "Gas leak"),
            "public_safety_fire",
            "4003",
            (3, "emergency_management"),
            EMERGENCY,
            "燃气 煤气 天然气 液化气 煤气罐 液化气罐 气瓶 漏气 泄漏 燃气泄漏 煤气味 "
            "燃气味 燃气管 液化石油气 气罐 天然气味 燃气表 燃气灶 液化气瓶 漏了",
            "gas, gas leak, leaking gas, smell of gas, gas smell, lpg, gas cylinder, "
            "gas bottle, canister, propane, rotten eggs, gas pipe, gas main, cylinder, "
            "cylinders, smells of gas, smell gas, gas stove, gas meter, hissing",
            emergency=True,
        ),
        _category(
            "electrical_hazard",
            ("用电安全隐患", "Electrical hazard"),
            "public_safety_fire",
            "4004",
            (2, "emergency_management"),
            URGENT,
            "电线 私拉电线 乱拉电线 飞线 飞线充电 充电 电动车 电瓶车 电箱 配电箱 漏电 "
            "电线老化 裸露 插座 变压器 电缆 短路 火花 跳闸 拉线 充电器 电池 充电桩 铜线 "
            "电线外露 电线破损 私拉乱接 乱接电线 拖线板 插线板 电线掉 高压线",
            "wire, wires, wiring, cable, cables, electric, electrical, electricity, "
            "exposed, sparks, sparking, socket, charging, e-bike, ebike, electric bike, "
            "battery, batteries, extension cord, extension lead, junction box, "
            "transformer, short circuit, live wire, power line, illegal wiring, "
            "power cable, charging point, charger, hanging wires, wires hanging",
        ),
        _category(
            "building_safety",
            ("房屋安全隐患", "Unsafe building"),
            "public_safety_fire",
            "4005",
            (2, "housing"),
            URGENT,
            "房屋 危房 裂缝 开裂 墙体 外墙 墙皮 脱落 瓷砖脱落 掉落 高空坠物 空调外机 楼板 "
            "承重墙 倾斜 天花板 老房子 脚手架 墙 水泥块 往下掉 掉东西 坠落 墙面 外墙脱落 "
            "危楼 楼体 房子裂 瓷砖掉",
            "crack, cracks, cracked, wall, walls, facade, fell off, falling tiles, "
            "ceiling, unsafe, dangerous building, structural, load-bearing, "
            "air conditioner, scaffolding, plaster, concrete chunks, old house, "
            "falling from height, falling off, chunks, pieces falling, falling debris, "
            "cracked wall, cracking",
        ),
        _category(
            "slope_hazard",
            ("边坡地质灾害", "Landslide or unstable slope"),
            "public_safety_fire",
            "4006",
            (3, "emergency_management"),
            EMERGENCY,
            "山体 滑坡 山体滑坡 边坡 山坡 塌方 落石 泥石流 挡土墙 山泥 土方 石头滚 山塌 "
            "滚石 泥土滑落 山泥倾泻 护坡",
            "landslide, landslip, slope, hillside, mudslide, rockfall, falling rocks, "
            "retaining wall, embankment, boulder, boulders, loose rocks, rocks falling, "
            "slope collapse, mud slide, rocks fell",
            emergency=True,
        ),
        # Disputes
        _category(
            "neighbour_dispute",
            ("邻里纠纷", "Dispute between neighbours"),
            "disputes",
            "5001",
            (1, "justice"),
            CASEWORK,
            "邻居 邻里 纠纷 矛盾 吵架 争吵 吵起来 口角 调解 漏水 渗水 公共区域 不讲理 "
            "说不通 骂 骂人 打架 协商 邻居家 对着我家 说了好几次 沟通无果 不听 侵占 霸占",
            "neighbour, neighbours, neighbor, neighbors, dispute, argument, arguing, "
            "argue, quarrel, feud, mediation, mediate, water leaking, leaking through, "
            "threatening, threatened, boundary, shared corridor, refuses, fight, "
            "fighting, won't listen, shared path, encroach, encroaching, blocking access, "
            "neighbour's",
        ),
        _category(
            "noise_nuisance",
            ("生活噪声扰民", "Noise nuisance"),
            "disputes",
            "5002",
            (1, "public_security"),
            ROUTINE,
            "噪音 噪声 扰民 吵 太吵 吵死 吵得 吵死人 广场舞 音响 大声 唱歌 卡拉OK 喇叭 "
            "狗叫 半夜 深夜 睡不着 酒吧 麻将 音乐 放音乐 跳舞 声音大 声音很大 噪音大 吵闹 "
            "没法休息 休息不了 影响休息 音量",
            "noise, noisy, loud, music, karaoke, ktv, square dancing, dancing, speaker, "
            "speakers, shouting, party, barking, bar, late at night, midnight, "
            "cant sleep, can't sleep, sleep, racket, mahjong, blasting, loudspeaker, "
            "volume, singing, keeps me awake, keep us awake, woke, can't rest, barks",
        ),
        _category(
            "construction_noise",
            ("施工噪声", "Construction noise"),
            "disputes",
            "5003",
            (2, "environment"),
            ROUTINE,
            "施工 工地 夜间施工 打桩 电钻 挖掘机 搅拌机 装修 凌晨 切割 敲打 钻 电锯 "
            "施工队 机器声 夜间作业 施工噪音 钻孔 打墙 砸墙 装修声 电锯声",
            "construction, construction site, building site, drilling, drill, jackhammer, "
            "piling, excavator, digger, concrete mixer, machinery, renovation, hammering, "
            "building work, night work, machines, power tools, banging, sawing, grinder, "
            "building noise, works at night",
        ),
        _category(
            "wage_arrears",
            ("拖欠工资", "Unpaid wages"),
            "disputes",
            "5004",
            (2, "human_resources"),
            CASEWORK,
            "欠薪 拖欠工资 拖欠 工资 欠工资 讨薪 工钱 老板跑路 不发工资 包工头 劳动合同 "
            "加班费 辞退 社保 农民工 结账 没发工资 发不出工资 工资没发 讨工资 要工资 "
            "欠我工资 工钱没给",
            "wages, wage, salary, unpaid, pay, paid, owed, owe, owes, boss, employer, "
            "overtime, contractor, foreman, workers, back pay, payroll, dismissed, "
            "laid off, sacked, social insurance, labour contract, labor, not been paid, "
            "haven't been paid, unpaid wages, wages owed, salary not paid",
        ),
        _category(
            "property_management",
            ("物业管理纠纷", "Property management complaint"),
            "disputes",
            "5005",
            (2, "housing"),
            CASEWORK,
            "物业 物业公司 物业费 管理处 业委会 电梯 门禁 保安 小区管理 不作为 维修基金 "
            "电梯坏 业主 房东 租客 押金 停水 物业不管 开发商 停车费 门禁卡 电梯故障 "
            "公共设施",
            "property management, management company, property company, property fee, "
            "management fee, estate management, estate office, lift, elevator, "
            "security guard, owners committee, maintenance, building manager, landlord, "
            "tenant, deposit, rent, management office, service charge, developer, "
            "common area",
        ),
        # Market and food
        _category(
            "food_safety",
            ("食品安全", "Food safety"),
            "market_food",
            "6001",
            (2, "market_supervision"),
            URGENT,
            "食品 食品安全 食物 变质 发霉 馊 吃坏 拉肚子 腹泻 呕吐 食物中毒 餐馆 饭店 "
            "餐厅 外卖 后厨 厨房 卫生差 地沟油 食堂 不新鲜 异物 肠粉 快餐 上吐下泻 奶茶 "
            "肚子疼 肚子痛 怪味 吃出 头发 虫子 变味 不卫生 食材 餐具 吃完 喝完",
            "food, food poisoning, restaurant, takeaway, takeout, kitchen, canteen, "
            "diarrhea, diarrhoea, vomiting, sick after eating, mouldy, moldy, rotten, "
            "spoiled, hygiene, cockroach, meat, eatery, undercooked, ate, eating, meal, "
            "stomach, stomach ache, tasted off, smelled off, hair in, insect in, "
            "dirty kitchen, sick after, unhygienic",
        ),
        _category(
            "expired_goods",
            ("过期商品", "Expired or fake goods"),
            "market_food",
            "6002",
            (2, "market_supervision"),
            ROUTINE,
            "过期 保质期 生产日期 过期食品 过期商品 超市 便利店 小卖部 商店 三无产品 假货 "
            "假冒 临期 标签 货架 买到 过期了 过了保质期 日期",
            "expired, expiry, expiration, best before, use by, sell by, out of date, "
            "past date, supermarket, convenience store, corner shop, shelf, shelves, "
            "label, fake, counterfeit, bought, past its use by, expired food, sell-by, "
            "out-of-date",
        ),
        _category(
            "unlicensed_business",
            ("无证无照经营", "Unlicensed business"),
            "market_food",
            "6003",
            (2, "market_supervision"),
            CASEWORK,
            "无证 无照 无证经营 黑作坊 小作坊 地下工厂 营业执照 无牌 黑诊所 非法经营 "
            "黑加油点 私宰 黑网吧 执照 作坊 没执照 没有执照 地下作坊 非法 私人诊所",
            "unlicensed, no licence, no license, without licence, without a license, "
            "illegal business, underground workshop, workshop, backyard, illegal clinic, "
            "unregistered, business licence, business license, illegal factory, licence, "
            "illegal shop, operating without, no permit to operate",
        ),
        _category(
            "pricing_fraud",
            ("价格欺诈与短斤少两", "Overcharging and short weight"),
            "market_food",
            "6004",
            (2, "market_supervision"),
            ROUTINE,
            "缺斤少两 缺斤短两 短秤 鬼秤 秤 宰客 乱收费 价格 标价 明码标价 多收 收费 欺诈 "
            "骗 虚假宣传 价格欺诈 涨价 计价 坑人 斤 乱要价 坑钱 宰人 缺秤 少秤 称重 "
            "分量不足 多收钱 收费标准",
            "overcharged, overcharging, overcharge, price, prices, pricing, scale, "
            "scales, short weight, rigged, ripped off, rip off, scam, cheated, receipt, "
            "price tag, misleading, weighed, weight, overpriced, extortionate, "
            "charged me, price gouging, underweight, short changed",
        ),
        # Civil affairs
        _category(
            "elderly_assistance",
            ("老人需要帮助", "Elderly person needing help"),
            "civil_affairs",
            "7001",
            (1, "civil_affairs"),
            URGENT,
            "老人 独居 独居老人 老人家 空巢 孤寡 阿婆 阿公 老伯 大爷 大妈 奶奶 爷爷 婆婆 "
            "行动不便 没人照顾 照顾 生活不能自理 送饭 失能 走失 老年痴呆 摔倒 高龄 "
            "一个人住 老爷爷 老奶奶 老太太 老大爷 老年人 八十多 九十多 子女 无人照料 出事",
            "elderly, old man, old lady, old woman, pensioner, senior, seniors, "
            "lives alone, living alone, grandma, grandpa, granny, frail, wheelchair, "
            "dementia, looking after, check on, meals, hasnt been seen, wandering, aged, "
            "old gentleman, elderly man, elderly woman, lost, confused, lives on his own, "
            "lives on her own, no family",
        ),
        _category(
            "hardship_assistance",
            ("困难群众救助", "Hardship and welfare help"),
            "civil_affairs",
            "7002",
            (2, "civil_affairs"),
            CASEWORK,
            "低保 困难 困难户 救助 补助 补贴 残疾 残疾人 生活困难 经济困难 交不起 重病 "
            "医药费 失业 贫困 临时救助 帮扶 看病 没钱 房租 学费 补助金 救济",
            "hardship, poverty, poor, financial help, benefits, subsidy, allowance, "
            "disabled, disability, welfare, assistance, cant afford, cannot afford, "
            "struggling, unemployed, medical bills, money, cannot pay, rent arrears, "
            "food bank, help with",
        ),
        _category(
            "vagrant_beggar",
            ("流浪乞讨人员", "Homeless person or beggar"),
            "civil_affairs",
            "7003",
            (2, "civil_affairs"),
            URGENT,
            "流浪汉 流浪人员 乞讨 乞丐 讨钱 露宿 睡在 桥底 桥洞 无家可归 精神异常 精神病 "
            "衣衫褴褛 流浪 睡大街 睡马路 地下通道 没地方去 无处可去 要饭",
            "homeless, rough sleeper, rough sleeping, sleeping rough, beggar, begging, "
            "vagrant, sleeping under, underpass, mentally ill, sleeping on, "
            "under the bridge, nowhere to go, sleeping in, sleeping on the street, "
            "living on the street, tent",
        ),
    ]
    return [_with_duplicate_window(category) for category in catalogue]


def _with_duplicate_window(category: Category) -> Category:
    """The category with its duplicate window from the table, or none if not listed."""
    radius, hours = DUPLICATE_WINDOWS.get(category.code, (0.0, 0.0))
    return category.model_copy(
        update={"duplicate_radius_m": radius, "duplicate_window_hours": hours}
    )


def rules() -> list[RoutingRule]:
    """Overrides of category defaults, tried in order; the first that matches wins."""
    return [
        RoutingRule(
            name="flooding_in_low_lying_grid",
            order=10,
            description="Standing water in a low-lying grid can become a flood: escalate.",
            category="waterlogging",
            grid_tag="low_lying",
            set_department="emergency_management",
            set_level=3,
        ),
        RoutingRule(
            name="food_safety_at_school",
            order=20,
            description="Food safety near a school may involve a canteen: escalate.",
            category="food_safety",
            grid_tag="school",
            set_level=3,
        ),
        RoutingRule(
            name="building_emergency",
            order=30,
            description="An unsafe building at level 3 needs evacuation, not inspection.",
            category="building_safety",
            level=3,
            set_department="emergency_management",
        ),
        RoutingRule(
            name="violent_dispute",
            order=40,
            description="A dispute that has turned violent is a matter for the police.",
            category="neighbour_dispute",
            level=3,
            set_department="public_security",
        ),
        RoutingRule(
            name="road_collapse",
            order=50,
            description="A road collapse or injury is for the emergency desk.",
            category="road_damage",
            level=3,
            set_department="emergency_management",
        ),
    ]
