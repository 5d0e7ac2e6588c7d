"""A navigator conversation kept in the page, signed, never on the server.

The state travels in a hidden form field as a signed token (``core.signed_tokens``, the format of
``django.core.signing``): the server stores nothing about the person. A token that was altered or
is older than ``MAX_AGE`` seconds is refused (the conversation starts over). Free texts are kept
only as the topics triage found in them and whether a crisis sign was seen; the words themselves
are not kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tsunagari.core import signed_tokens
from tsunagari.navigator.flow import Flow
from tsunagari.navigator.triage import triage

SALT = "tsunagari.navigator.conversation"
MAX_AGE = 2 * 60 * 60


@dataclass
class Conversation:
    answers: dict[str, list[str]] = field(default_factory=dict)
    triaged: list[str] = field(default_factory=list)  # topics found in free texts, best first
    crisis: bool = False  # a crisis sign was seen in a free text or a crisis option was chosen
    step: str | None = None  # the step being asked (None: the first; "result": done)
    teen: bool = False  # the entry for people 18 and under (plain words, furigana, youth lines)
    counted: list[str] = field(default_factory=list)  # usage events already counted (once each)

    def dumps(self) -> str:
        data = {
            "answers": {step: list(values) for step, values in self.answers.items()},
            "triaged": list(self.triaged),
            "crisis": self.crisis,
            "step": self.step,
            "teen": self.teen,
            "counted": list(self.counted),
        }  # as dataclasses.asdict would give, without its generic deep copy (every turn does this)
        # Not compressed: zlib took a third of the signing time to save ~100 bytes of a 5 KB page.
        return signed_tokens.dumps(data, SALT)

    @classmethod
    def loads(cls, token: str) -> Conversation:
        """The conversation of ``token``; raises ``signing.BadSignature`` when forged or expired."""
        data = signed_tokens.loads(token, SALT, max_age=MAX_AGE)
        return cls(
            answers={str(k): [str(v) for v in vs] for k, vs in dict(data.get("answers", {})).items()},
            triaged=[str(t) for t in data.get("triaged", [])],
            crisis=bool(data.get("crisis", False)),
            step=data.get("step"),
            teen=bool(data.get("teen", False)),
            counted=[str(c) for c in data.get("counted", [])],
        )


def submit(
    conversation: Conversation, flow: Flow, step_id: str, values: list[str], text: str
) -> Conversation:
    """Record the answer to ``step_id`` and a free text, if any; crisis is sticky for the conversation."""
    if flow.step(step_id) is not None:
        conversation.answers[step_id] = flow.clean_answer(step_id, values)
    if text.strip():
        result = triage(text)
        conversation.triaged += [t for t in result.topics if t not in conversation.triaged]
        conversation.crisis = conversation.crisis or result.crisis.is_crisis
    conversation.crisis = conversation.crisis or flow.criteria(conversation.answers).crisis_chosen
    return conversation
