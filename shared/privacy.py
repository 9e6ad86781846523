"""Personal numbers: what may leave the service that holds them, and in what form."""

import hashlib
import hmac
import re

_DIGITS = re.compile(r"\d")


def mask_phone(phone: str | None) -> str | None:
    """Keep the first three and last four digits so a person can still recognise it."""
    if not phone:
        return None
    digits = _DIGITS.findall(phone)
    if len(digits) <= 7:
        return "*" * len(digits)

    local = digits[2:] if phone.startswith("+") and len(digits) > 11 else digits
    prefix = "+" + "".join(digits[:2]) + " " if local is not digits else ""
    return f"{prefix}{''.join(local[:3])}****{''.join(local[-4:])}"


def mask_identity(number: str | None) -> str | None:
    """Keep the first three and last four characters of an identity number."""
    if not number:
        return None
    if len(number) <= 7:
        return "*" * len(number)
    return f"{number[:3]}****{number[-4:]}"


def contact_ref(key: str, phone: str | None) -> str | None:
    """A stable reference to a number: equal for one number, useless to call it."""
    if not phone:
        return None
    digits = "".join(_DIGITS.findall(phone))
    if phone.lstrip().startswith("+86"):
        digits = digits[2:]
    mac = hmac.new(key.encode(), f"contact:{digits}".encode(), hashlib.sha256)
    return f"ct-{mac.hexdigest()[:20]}"


# Runs of eleven or more digits, optionally split by single spaces or dashes: phone and
# identity numbers typed into free text. Dates and times have fewer digits per run.
_NUMBER_RUN = re.compile(r"\+?\d(?:[ -]?\d){10,}[0-9Xx]?")


def scrub_numbers(text: str) -> str:
    """Free text with every phone-like or identity-like number masked."""
    return _NUMBER_RUN.sub(lambda match: mask_phone(match.group()) or "", text)
