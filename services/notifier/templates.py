"""What a notification says, in Chinese and English, with a link to the case."""

import html
from dataclasses import asdict, dataclass
from typing import Any, Literal

from services.notifier.notices import Kind, Notice

Language = Literal["zh", "en"]

TITLES: dict[Kind, dict[Language, str]] = {
    Kind.ASSIGNED: {"zh": "新派遣案件 {case_id}", "en": "Case {case_id} assigned to you"},
    Kind.REMINDER: {
        "zh": "案件 {case_id} 即将超时，请及时签收处置",
        "en": "Reminder: case {case_id} is waiting for you",
    },
    Kind.OVERDUE: {"zh": "案件 {case_id} 已超时", "en": "Case {case_id} is overdue"},
    Kind.ESCALATED: {"zh": "案件 {case_id} 已升级", "en": "Case {case_id} escalated"},
    Kind.RETURNED: {"zh": "案件 {case_id} 被退回", "en": "Case {case_id} returned"},
    Kind.VERIFICATION_REQUESTED: {
        "zh": "案件 {case_id} 已处置，请核查",
        "en": "Case {case_id} disposed: please verify",
    },
    Kind.VERIFIED: {
        "zh": "您反映的问题已核查解决",
        "en": "Your report was verified as fixed",
    },
    Kind.CLOSED: {"zh": "案件 {case_id} 已结案", "en": "Case {case_id} closed"},
}

BODIES: dict[Language, str] = {
    "zh": "{title}\n类别：{category}　网格：{grid}　等级：{level}{urgent}\n"
    "{reason}查看：{link}",
    "en": "{title}\nCategory: {category}  Grid: {grid}  Level: {level}{urgent}\n"
    "{reason}Open: {link}",
}
URGENT: dict[Language, str] = {"zh": "　【紧急】", "en": "  [EMERGENCY]"}
UNKNOWN: dict[Language, str] = {"zh": "未定", "en": "unknown"}
DIGEST_TITLES: dict[Language, str] = {
    "zh": "{audience}：{count} 条新通知",
    "en": "{audience}: {count} new notifications",
}


@dataclass(frozen=True)
class Message:
    """A rendered notification: a title, plain text, HTML and the case link."""

    title: str
    text: str
    html: str
    link: str

    def as_dict(self) -> dict[str, Any]:
        """The message as stored on a delivery job."""
        return asdict(self)


def case_link(base_url: str, case_id: str) -> str:
    """Where a person opens the case in the console."""
    return f"{base_url.rstrip('/')}/{case_id}"


def render(notice: Notice, language: Language, base_url: str) -> Message:
    """The message one receiver reads for ``notice``."""
    link = case_link(base_url, notice.case_id)
    title = TITLES[notice.kind][language].format(case_id=notice.case_id)
    text = BODIES[language].format(
        title=title,
        category=notice.category or UNKNOWN[language],
        grid=notice.grid_code or UNKNOWN[language],
        level=notice.level,
        urgent=URGENT[language] if notice.emergency else "",
        reason=f"{notice.reason}\n" if notice.reason else "",
        link=link,
    )
    body = "<br>".join(html.escape(line) for line in text.splitlines()[:-1])
    markup = (
        f"<html><body><h3>{html.escape(title)}</h3><p>{body}</p>"
        f'<p><a href="{html.escape(link, quote=True)}">{html.escape(link)}</a></p>'
        "</body></html>"
    )
    return Message(title=title, text=text, html=markup, link=link)


def render_digest(audience: str, items: list[Message], language: Language) -> Message:
    """One message that stands for a burst of notifications to the same receiver."""
    title = DIGEST_TITLES[language].format(audience=audience, count=len(items))
    lines = [f"- {item.title}: {item.link}" for item in items]
    text = "\n".join([title, *lines])
    entries = "".join(
        f'<li><a href="{html.escape(item.link, quote=True)}">'
        f"{html.escape(item.title)}</a></li>"
        for item in items
    )
    markup = f"<html><body><h3>{html.escape(title)}</h3><ul>{entries}</ul></body></html>"
    return Message(title=title, text=text, html=markup, link=items[0].link if items else "")
