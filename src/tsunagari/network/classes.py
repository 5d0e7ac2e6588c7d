"""Member classes of a platform (pure; no Django). Codes are stable; labels are the Japanese source
strings, translated by the Django layer.

The national platform's rules (seeds 000, 001): 会員 are NPOs and other bodies working on the problem,
from whom the board (幹事会) is elected; 協力会員 are economic bodies and local governments (every
prefecture and designated city); 賛助会員 are private bodies and funders that support the platform.
"""

from __future__ import annotations

MEMBER = "member"
COOPERATING = "cooperating"
SUPPORTING = "supporting"

MEMBER_CLASSES: dict[str, str] = {
    MEMBER: "会員",
    COOPERATING: "協力会員",
    SUPPORTING: "賛助会員",
}

#: CSV and other Japanese-language input may name a class by its Japanese label.
CLASS_BY_LABEL: dict[str, str] = {label: code for code, label in MEMBER_CLASSES.items()}
