"""The support directory: an Open Referral HSDS 3.1 profile with what Japan needs.

HSDS objects (organization, service, location, service_at_location, phone, schedule, language,
taxonomy/taxonomy_term/attribute, service_area, contact) keep HSDS field names where they exist, so
import and export are a mapping, not a translation. Japan-specific fields sit on Service: topics,
audiences and channels (as taxonomy terms), ``is_24h``, free of charge, anonymous, crisis line,
area scope by 全国地方公共団体コード, source, ``last_verified`` and status.

Writes go through ``tsunagari.directory.services``; reads through ``tsunagari.directory.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourcedModel(models.Model):
    """Where the facts of a record come from and when someone last confirmed them."""

    class Verification(models.TextChoices):
        VERIFIED = "verified", _("確認済み")
        UNVERIFIED = "unverified", _("未確認")

    source_name = models.CharField(_("出典"), max_length=300, blank=True)
    source_url = models.URLField(_("出典URL"), max_length=500, blank=True)
    source_retrieved = models.DateField(_("出典の取得日"), null=True, blank=True)
    attribution = models.CharField(_("クレジット"), max_length=500, blank=True)
    last_verified = models.DateField(_("最終確認日"), null=True, blank=True, db_index=True)
    verification = models.CharField(
        _("確認状況"), max_length=20, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    verification_note = models.TextField(_("確認メモ"), blank=True)

    class Meta:
        abstract = True


class Organization(SourcedModel):
    """A body that provides services (ministry, NPO, municipality…). HSDS ``organization``."""

    id = models.CharField(max_length=64, primary_key=True)  # UUID (HSDS); see core.ids
    local_id = models.CharField(_("元データのID"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=300)
    alternate_name = models.CharField(_("別名"), max_length=300, blank=True)
    description = models.TextField(_("説明"), blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    area = models.ForeignKey(
        "core.LocalGovernment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("団体")
        verbose_name_plural = _("団体")

    def __str__(self) -> str:
        return self.name


class Taxonomy(models.Model):
    """A vocabulary: topics, audiences, channels (tsunagari) or an external one. HSDS ``taxonomy``."""

    id = models.CharField(max_length=64, primary_key=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A term of a taxonomy, e.g. topic ``suicide``. HSDS ``taxonomy_term``."""

    id = models.CharField(max_length=100, primary_key=True)  # "<taxonomy>:<code>"
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["taxonomy_id", "code"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="uniq_term_code")]

    def __str__(self) -> str:
        return f"{self.taxonomy_id}:{self.code}"


class Service(SourcedModel):
    """A support system or consultation window. HSDS ``service`` plus the Japan profile."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("運用中")
        INACTIVE = "inactive", _("休止中")
        DEFUNCT = "defunct", _("終了")
        TEMPORARILY_CLOSED = "temporarily closed", _("一時休止")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("全国")
        PREFECTURE = "prefecture", _("都道府県")
        MUNICIPALITY = "municipality", _("市区町村")

    id = models.CharField(max_length=64, primary_key=True)  # UUID (HSDS); see core.ids
    local_id = models.CharField(_("元データのID"), max_length=100, blank=True, db_index=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("名称"), max_length=300)
    alternate_name = models.CharField(_("別名・ふりがな"), max_length=300, blank=True)
    description = models.TextField(_("説明"), blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    eligibility_description = models.TextField(_("対象者"), blank=True)
    application_process = models.TextField(_("利用方法"), blank=True)
    fees_description = models.TextField(_("費用"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)

    free_of_charge = models.BooleanField(_("無料"), null=True, blank=True)
    anonymous = models.BooleanField(_("匿名で相談できる"), null=True, blank=True)
    crisis_line = models.BooleanField(
        _("いのちの危機に対応する窓口"),
        default=False,
        help_text=_("確認済みの窓口だけに付けてください。"),
    )
    is_24h = models.BooleanField(_("24時間対応"), default=False, db_index=True)
    hours_text = models.CharField(_("受付時間（出典の表記）"), max_length=500, blank=True)
    schedule_spec = models.JSONField(
        _("受付時間（機械可読）"), null=True, blank=True, help_text=_("tsunagari.directory.hours の形式")
    )

    area_scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.NATIONAL)
    area = models.ForeignKey(
        "core.LocalGovernment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("都道府県・市区町村の窓口のみ。全国の窓口は空欄。"),
    )
    prefecture_code = models.CharField(max_length=2, blank=True, db_index=True)

    terms = models.ManyToManyField(TaxonomyTerm, through="ServiceAttribute", related_name="services")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("支援・相談窓口")
        verbose_name_plural = _("支援・相談窓口")
        indexes = [models.Index(fields=["status", "area_scope", "prefecture_code"])]

    def __str__(self) -> str:
        return self.name


class ServiceAttribute(models.Model):
    """Links a service to a taxonomy term. HSDS ``attribute`` (link_type service)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "service"], name="uniq_service_term")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.term_id}"


class Location(models.Model):
    """A physical place (or a virtual one). HSDS ``location`` with its address inline."""

    id = models.CharField(max_length=64, primary_key=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE)
    location_type = models.CharField(max_length=20, default="physical")
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    address_1 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    area = models.ForeignKey(
        "core.LocalGovernment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.address_1


class ServiceAtLocation(models.Model):
    """A service delivered at a location. HSDS ``service_at_location``."""

    id = models.CharField(max_length=64, primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class Phone(models.Model):
    """A phone number, shown verbatim as the source writes it. HSDS ``phone``."""

    id = models.CharField(max_length=80, primary_key=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=40)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, default="voice")
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def tel_uri(self) -> str:
        """A ``tel:`` URI: digits, and ``#`` escaped as %23 (短縮ダイヤル such as #8008)."""
        digits = "".join(ch for ch in self.number if ch.isdigit() or ch == "#")
        return "tel:" + digits.replace("#", "%23")


class Schedule(models.Model):
    """HSDS ``schedule`` rows derived from ``Service.schedule_spec`` (the spec is authoritative)."""

    id = models.CharField(max_length=80, primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(max_length=10, blank=True)
    byday = models.CharField(max_length=40, blank=True)
    bymonthday = models.CharField(max_length=40, blank=True)
    opens_at = models.CharField(max_length=8, blank=True)
    closes_at = models.CharField(max_length=8, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.freq} {self.byday}{self.bymonthday} {self.opens_at}-{self.closes_at}"


class Language(models.Model):
    """A language the service can be used in. HSDS ``language``."""

    id = models.CharField(max_length=80, primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=10, db_index=True)
    name = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.code


class ServiceArea(models.Model):
    """The area a service covers. HSDS ``service_area``; ``area`` empty means all of Japan."""

    id = models.CharField(max_length=80, primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200)
    area = models.ForeignKey(
        "core.LocalGovernment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A named contact of a service or organization. HSDS ``contact``."""

    id = models.CharField(max_length=80, primary_key=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.department


class SearchSchedule(models.Model):
    """A distinct opening-hours spec among services; "open now" is evaluated once per schedule.

    Rows are never changed (a new spec gets a new row), so a process may cache them by id.
    Maintained by ``tsunagari.directory.search_index``.
    """

    spec = models.TextField(help_text="canonical JSON of Service.schedule_spec; empty when none")
    is_24h = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["spec", "is_24h"], name="uniq_search_schedule")]

    def __str__(self) -> str:
        return self.spec or ("24h" if self.is_24h else "-")


class SearchDoc(models.Model):
    """The search document of one service (see ``search_document``); never edited by hand.

    Its integer id keys the compact index tables ``directory_searchposting`` (one row per token)
    and ``directory_searchdocterm`` (one row per vocabulary code), which are created by migration
    ``0003`` with database-specific SQL and maintained by ``tsunagari.directory.search_index``.
    """

    id = models.AutoField(primary_key=True)
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="search_doc")
    name = models.TextField()
    sort_key = models.BigIntegerField()
    text = models.TextField()
    codes = models.TextField(help_text="space-separated vocabulary codes (topic:x, language:en, …)")
    area = models.IntegerField(help_text="0 for national services, else the 地方公共団体コード")
    flags = models.SmallIntegerField()
    vocab = models.BigIntegerField(help_text="topic/audience/channel bits (search_document.VOCABULARY_BITS)")
    age1_low = models.SmallIntegerField()
    age1_high = models.SmallIntegerField()
    age2_low = models.SmallIntegerField(null=True)
    age2_high = models.SmallIntegerField(null=True)
    schedule = models.ForeignKey(SearchSchedule, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["sort_key", "id"], name="searchdoc_sort"),
            models.Index(fields=["area", "sort_key"], name="searchdoc_area"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceChange(models.Model):
    """Change history: one row per saved edit of a service (who, when, how, which fields changed)."""

    service_id_ref = models.CharField(max_length=64, db_index=True)
    changed_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    via = models.CharField(max_length=20)  # "admin", "import", "api", "cli"
    action = models.CharField(max_length=10)  # "create", "update", "delete"
    changes = models.JSONField(default=dict)  # {field: [old, new]}

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["service_id_ref", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.service_id_ref} ({self.via})"
