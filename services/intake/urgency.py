"""Whether a report reads like an emergency, to send it down the urgent lane."""

# TODO: replace with shared.registry's looks_urgent once it is merged; this local
# stand-in only knows a handful of unmistakable words in Chinese and English.
URGENT_WORDS = (
    "起火",
    "着火",
    "火灾",
    "燃气泄漏",
    "煤气泄漏",
    "触电",
    "溺水",
    "坍塌",
    "有人受伤",
    "on fire",
    "gas leak",
    "electrocuted",
    "drowning",
    "collapsed on",
    "people trapped",
    "someone injured",
)


def looks_urgent(text: str) -> bool:
    """True when the text names an immediate danger to people."""
    lowered = text.lower()
    return any(word in lowered for word in URGENT_WORDS)
