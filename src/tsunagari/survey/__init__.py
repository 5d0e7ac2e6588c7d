"""The national loneliness survey (人々のつながりに関する基礎調査): scoring, design‑based estimation,
year‑on‑year tests and the published national figures.

The computing modules (``scoring``, ``design``, ``variance``, ``calibration``, ``estimation``,
``tests_of_difference``, ``distributions``, ``csvdata``, ``published``, ``report``) are pure: they
import neither Django nor this package's Django parts, and take and return plain data.
"""
