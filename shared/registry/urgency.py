"""Emergency words, and a quick check any service can run on a report's text.

Intake calls :func:`looks_urgent` to put a report in the emergency lane before the
router has seen it, so the check must be cheap and load no word segmenter. It errs on
the side of urgency: a false alarm only means a report jumps the queue, and the
router, which reads the text properly, still decides whether it is an emergency.
"""

import re
import unicodedata

EMERGENCY_TERMS_ZH = frozenset(
    {
        "火",
        "着火",
        "起火",
        "火灾",
        "失火",
        "大火",
        "火情",
        "明火",
        "受伤",
        "伤人",
        "流血",
        "倒塌",
        "坍塌",
        "塌了",
        "燃气泄漏",
        "煤气",
        "煤气泄漏",
        "触电",
        "爆炸",
        "烧起来",
        "被困",
        "昏迷",
        "晕倒",
    }
)
EMERGENCY_TERMS_EN: frozenset[tuple[str, ...]] = frozenset(
    tuple(term.split())
    for term in (
        "fire",
        "fires",
        "on fire",
        "caught fire",
        "blaze",
        "ablaze",
        "flames",
        "injured",
        "injury",
        "injuries",
        "hurt",
        "bleeding",
        "collapse",
        "collapsed",
        "collapsing",
        "gas leak",
        "gas leaking",
        "leaking gas",
        "smell of gas",
        "smells of gas",
        "smell gas",
        "smelling gas",
        "gas smell",
        "smells like gas",
        "electrocuted",
        "electrocution",
        "electric shock",
        "explosion",
        "exploded",
        "trapped",
        "unconscious",
    )
)
NOT_A_FIRE = frozenset(
    {
        "exit",
        "exits",
        "escape",
        "escapes",
        "door",
        "doors",
        "extinguisher",
        "extinguishers",
        "hydrant",
        "hydrants",
        "lane",
        "lanes",
        "alarm",
        "alarms",
        "safety",
        "drill",
        "brigade",
        "station",
        "hazard",
        "hazards",
        "risk",
        "route",
        "passage",
        "regulations",
        "code",
        "inspection",
        "truck",
        "engine",
    }
)
"""Words after "fire" that make it a thing, not a fire."""

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ENGLISH_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
_CLAUSE_BREAK = re.compile(r"[，。！？；：、,.!?;:\n]+")

# A lone 火 is a fire only when nothing joins it into another word (火锅, 火车, 火腿).
_LONE_FIRE = re.compile(r"火(?![\u3400-\u4dbf\u4e00-\u9fff])|火(?=[了啦情灾光苗])")

_LONGEST_EN = max(len(term) for term in EMERGENCY_TERMS_EN)


def _english_terms(clause: str) -> bool:
    """Whether an English emergency phrase occurs, "fire exit" and the like excepted."""
    words = [w.replace("'", "").replace("’", "") for w in _ENGLISH_WORD.findall(clause)]
    for start in range(len(words)):
        for size in range(1, _LONGEST_EN + 1):
            phrase = tuple(words[start : start + size])
            if len(phrase) < size or phrase not in EMERGENCY_TERMS_EN:
                continue

            follows = words[start + size] if start + size < len(words) else None
            if phrase == ("fire",) and follows in NOT_A_FIRE:
                continue
            return True
    return False


def _chinese_terms(clause: str) -> bool:
    """Whether a Chinese emergency word occurs in the clause."""
    if not _CJK.search(clause):
        return False

    if any(len(term) > 1 and term in clause for term in EMERGENCY_TERMS_ZH):
        return True
    return bool(_LONE_FIRE.search(clause))


def looks_urgent(text: str) -> bool:
    """Whether the text names a fire, an injury, a collapse, a gas leak or the like."""
    normalised = unicodedata.normalize("NFKC", text).lower()
    clauses = (clause for clause in _CLAUSE_BREAK.split(normalised) if clause.strip())
    return any(_chinese_terms(clause) or _english_terms(clause) for clause in clauses)
