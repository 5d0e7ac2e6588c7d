"""Writes of survey collection: waves, the sample and its access codes, online answers, mail‑in imports.

Every function either does all its writes or none (one transaction); file imports validate the whole
file first and raise :class:`~tsunagari.survey.csvrows.ValidationReport` (row, column, reason) without
writing anything. Access codes are never logged or stored in the clear (see :mod:`.models`).
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tsunagari.survey import answering, sampling
from tsunagari.survey.csvrows import RowProblem, ValidationReport, read_rows
from tsunagari.survey.instrument import MULTI, load_instrument
from tsunagari.survey.models import AccessCode, Response, Sample, SampleFrame, SampleMember, Wave
from tsunagari.survey.selectors import instrument_of

MULTI_SEPARATOR = ";"
CODE_COLUMN = "access_code"


class CollectionError(ValueError):
    """A request that cannot be carried out; the message says why."""


def _code_key() -> bytes:
    return hashlib.sha256(f"tsunagari.survey.access-code:{settings.SECRET_KEY}".encode()).digest()


def code_hash(code: str) -> str | None:
    """The stored hash of a typed access code; ``None`` when it is not of the code's form."""
    normalised = sampling.normalise_code(code)
    return None if normalised is None else sampling.hash_code(normalised, _code_key())


def create_wave(name: str, instrument: str, version: int, local_government: str | None = None) -> Wave:
    """A new wave on an instrument version; a local instrument's local government is taken from it."""
    loaded = load_instrument(instrument, version)  # raises InstrumentError
    if loaded.local_government and local_government not in (None, loaded.local_government):
        raise CollectionError(
            f"{loaded.key} belongs to local government {loaded.local_government}, not {local_government}"
        )
    code = local_government or loaded.local_government
    if code is not None:
        from tsunagari.core.models import LocalGovernment

        if not LocalGovernment.objects.filter(code=code).exists():
            raise CollectionError(f"unknown local government code {code}")
    return Wave.objects.create(
        name=name, instrument=loaded.name, instrument_version=loaded.version, local_government_id=code
    )


@dataclass(frozen=True)
class SampleResult:
    sample: Sample
    allocation: dict[str, int]
    mailing_list: Path


def draw_sample(
    wave: Wave,
    frame: str | Path,
    *,
    size: int,
    seed: int,
    mailing_list: str | Path,
    strata: str | None = None,
) -> SampleResult:
    """Draw the wave's sample from a resident‑register extract CSV and write the mailing list CSV.

    The mailing list has the column ``access_code`` (the plain one‑time code, only here) followed by
    the frame's own columns for each drawn row, in frame order. Same frame, size, strata and seed give
    the same rows. Nothing is written (neither the database nor the file) when anything is wrong.
    """
    if Sample.objects.filter(wave=wave).exists():
        raise CollectionError(f"wave {wave.pk} already has a sample")
    frame = Path(frame)
    columns = (strata,) if strata else ()
    header, rows = read_rows(frame, required=columns, not_empty=columns)
    if CODE_COLUMN in header:
        raise ValidationReport(
            str(frame), [RowProblem(0, CODE_COLUMN, "the frame must not have this column")]
        )
    labels = [row[strata] if strata else "" for row in rows]
    try:
        allocation, chosen = sampling.draw(labels, size, seed)
    except sampling.SamplingError as exc:
        raise CollectionError(str(exc)) from None
    sizes: dict[str, int] = {}
    for label in labels:
        sizes[label] = sizes.get(label, 0) + 1
    codes = _fresh_codes(len(chosen))
    target = Path(mailing_list)
    with transaction.atomic():
        SampleFrame.objects.create(
            wave=wave,
            file_name=frame.name,
            sha256=hashlib.sha256(frame.read_bytes()).hexdigest(),
            rows=len(rows),
            strata_column=strata or "",
            stratum_sizes=dict(sorted(sizes.items())),
        )
        sample = Sample.objects.create(wave=wave, size=size, seed=seed, allocation=allocation)
        members = SampleMember.objects.bulk_create(
            [SampleMember(sample=sample, stratum=labels[i]) for i in chosen]
        )
        AccessCode.objects.bulk_create(
            [AccessCode(member=m, code_hash=code_hash(c)) for m, c in zip(members, codes, strict=True)]
        )
        _write_csv(
            target,
            [CODE_COLUMN, *header],
            ([c, *(rows[i].get(h, "") for h in header)] for i, c in zip(chosen, codes, strict=True)),
        )
    return SampleResult(sample, allocation, target)


def _fresh_codes(n: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        codes.add(sampling.new_access_code())
    hashes = {code_hash(c): c for c in codes}
    taken = set(AccessCode.objects.filter(code_hash__in=list(hashes)).values_list("code_hash", flat=True))
    if taken:  # astronomically unlikely; draw replacements
        return [c for h, c in hashes.items() if h not in taken] + _fresh_codes(len(taken))
    return list(codes)


def _write_csv(path: Path, header: list[str], rows) -> None:
    """Write atomically (a temporary file renamed into place), readable only by the owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".mailing-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- online answering --------------------------------------------------------------------------------


def open_response(code: str) -> Response:
    """The online draft for an access code, created on first use; resumes an existing draft.

    Raises :class:`CollectionError` with a respondent‑safe reason key: ``malformed``, ``unknown``,
    ``used`` or ``closed``.
    """
    hashed = code_hash(code)
    if hashed is None:
        raise CollectionError("malformed")
    with transaction.atomic():
        access = (
            AccessCode.objects.select_for_update()
            .select_related("member__sample__wave")
            .filter(code_hash=hashed)
            .first()
        )
        if access is None:
            raise CollectionError("unknown")
        if access.used_at is not None:
            raise CollectionError("used")
        wave = access.member.sample.wave
        if not wave.is_open:
            raise CollectionError("closed")
        response, _ = Response.objects.get_or_create(
            access_code=access, defaults={"wave": wave, "channel": Response.Channel.ONLINE}
        )
    return response


REVIEW = "_review"  # current_question of a draft whose respondent is on the review page


def save_answer(response: Response, question: str, value, *, direction: str) -> str | None:
    """Keep one answer of a draft and move on: ``direction`` is ``next``, ``back`` or ``stay``.

    Answers the skip logic now leaves out are dropped. The draft's ``current_question`` becomes the
    next shown question (:data:`REVIEW` after the last), the previous one, or stays. Returns the reason
    when the value is not a valid answer (nothing is saved then).
    """
    instrument = instrument_of(response.wave)
    cleaned, reason = answering.clean_answer(instrument.question(question), value)
    if reason:
        return reason
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status != Response.Status.DRAFT:
            raise CollectionError("used")
        answers = answering.drop_skipped(instrument, {**locked.answers, question: cleaned})
        if direction == "next":
            following = answering.next_question(instrument, answers, question)
            locked.current_question = following.code if following else REVIEW
        elif direction == "back":
            previous = answering.previous_question(instrument, answers, question)
            locked.current_question = previous.code if previous else question
        else:
            locked.current_question = question
        locked.answers = answers
        locked.save(update_fields=["answers", "current_question", "updated_at"])
    response.answers, response.current_question = locked.answers, locked.current_question
    return None


def go_to(response: Response, question: str) -> None:
    """Reopen a shown question from the review page (an unknown or skipped code is ignored)."""
    instrument = instrument_of(response.wave)
    if question not in {q.code for q in answering.shown_questions(instrument, response.answers)}:
        return
    Response.objects.filter(pk=response.pk, status=Response.Status.DRAFT).update(current_question=question)
    response.current_question = question


def submit(response: Response) -> None:
    """Submit a draft once: the answers are checked and the access code is used up."""
    instrument = instrument_of(response.wave)
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("access_code").get(pk=response.pk)
        if locked.status != Response.Status.DRAFT or locked.access_code.used_at is not None:
            raise CollectionError("used")
        problems = answering.check_answers(instrument, locked.answers)
        if problems:
            raise CollectionError("; ".join(reason for _, reason in problems))
        now = timezone.now()
        locked.status, locked.submitted_at = Response.Status.SUBMITTED, now
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        AccessCode.objects.filter(pk=locked.access_code_id).update(used_at=now)
    response.status = Response.Status.SUBMITTED


# -- mail-in answers ---------------------------------------------------------------------------------


def import_mail(wave: Wave, path: str | Path) -> int:
    """Import the answers returned by mail, keyed by the access code printed on each questionnaire.

    Columns: ``access_code`` and one column per question asked by the wave's instrument (any subset);
    a multi‑answer cell lists option codes separated by ``;``; an empty cell is no answer (無回答).
    Every row is checked against the instrument (codes, skip logic, multi‑answer rules) and its code
    against the wave (known, not used, not twice in the file). On any problem nothing is written and
    :class:`ValidationReport` lists them all. A mail return replaces an unfinished online draft.
    Returns the number of responses imported.
    """
    instrument = instrument_of(wave)
    path = str(path)
    header, rows = read_rows(path, required=(CODE_COLUMN,))
    problems: list[RowProblem] = []
    questions = {q.code: q for q in instrument.questions}
    for column in header:
        if column == CODE_COLUMN:
            continue
        if column not in questions:
            problems.append(RowProblem(0, column, f"not a question of {instrument.key}"))
        elif not questions[column].asked:
            problems.append(
                RowProblem(0, column, f"not asked in {instrument.key} (wording or options incomplete)")
            )
    if problems:
        raise ValidationReport(path, problems)
    hashes = {number: code_hash(row[CODE_COLUMN]) for number, row in enumerate(rows, 1)}
    codes = {
        a.code_hash: a
        for a in AccessCode.objects.filter(
            code_hash__in=[h for h in hashes.values() if h], member__sample__wave=wave
        )
    }
    seen: dict[str, int] = {}
    parsed: list[tuple[AccessCode, dict]] = []
    for number, row in enumerate(rows, 1):
        hashed = hashes[number]
        access = codes.get(hashed) if hashed else None
        if hashed is None:
            problems.append(RowProblem(number, CODE_COLUMN, "not an access code (12 letters and digits)"))
        elif access is None:
            problems.append(RowProblem(number, CODE_COLUMN, f"no such access code in wave {wave.pk}"))
        elif access.used_at is not None:
            problems.append(
                RowProblem(number, CODE_COLUMN, "this code has already been used (answer submitted)")
            )
        elif hashed in seen:
            problems.append(RowProblem(number, CODE_COLUMN, f"the same code as row {seen[hashed]}"))
        if hashed:
            seen.setdefault(hashed, number)
        answers = {}
        for column in header:
            if column == CODE_COLUMN or not row.get(column):
                continue
            cell = row[column]
            value = (
                [v.strip() for v in cell.split(MULTI_SEPARATOR) if v.strip()]
                if questions[column].type == MULTI
                else cell
            )
            answers[column] = value
        for question, reason in answering.check_answers(instrument, answers):
            problems.append(RowProblem(number, question, reason))
        if access is not None:
            parsed.append((access, answers))
    if problems:
        raise ValidationReport(path, problems)
    now = timezone.now()
    with transaction.atomic():
        for access, answers in parsed:
            cleaned = {c: answering.clean_answer(questions[c], v)[0] for c, v in answers.items()}
            Response.objects.update_or_create(
                access_code=access,
                defaults={
                    "wave": wave,
                    "answers": cleaned,
                    "status": Response.Status.SUBMITTED,
                    "channel": Response.Channel.MAIL,
                    "submitted_at": now,
                    "current_question": "",
                },
            )
        updated = AccessCode.objects.filter(pk__in=[a.pk for a, _ in parsed], used_at__isnull=True).update(
            used_at=now
        )
        if updated != len(parsed):  # a code was used online meanwhile
            raise CollectionError("an access code was used while importing; nothing was imported, try again")
    return len(parsed)
