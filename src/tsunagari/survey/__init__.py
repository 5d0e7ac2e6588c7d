"""The national loneliness survey (人々のつながりに関する基礎調査): scoring, design‑based estimation,
year‑on‑year tests and the published national figures.

The computing modules (``scoring``, ``design``, ``variance``, ``calibration``, ``estimation``,
``tests_of_difference``, ``distributions``, ``csvdata``, ``published``, ``report``) are pure: they
import neither Django nor this package's Django parts, and take and return plain data.

Collection: instruments as versioned data (``data/instruments/``, loaded by ``instrument``), skip
logic and answer checks (``answering``), sampling and access codes (``sampling``) and all‑or‑nothing
CSV reading (``csvrows``) are pure too; ``models``, ``services`` (writes), ``selectors`` (reads),
``views`` (the public answer pages) and ``collection_cli`` wrap them.
"""
