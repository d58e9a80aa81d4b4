"""A roadmap document as an importer understood it, before it has identities in a store.

Pydantic models: importers fill them from untrusted documents and tests compare them whole.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from curator_tui.domain.models import OrgLevel, Period


class ParsedActivity(BaseModel):
    """One activity row as an importer understood it, before it has an identity."""

    model_config = ConfigDict(defer_build=True)

    number: str = ""
    title: str
    responsible: str = ""
    deadline_text: str = ""
    indicator: str = ""
    result: str = ""
    levels: str = ""
    publicity: str = ""
    report_form: str = ""
    extra: dict[str, str] = Field(default_factory=dict)
    section: str = ""
    parent_number: str | None = None
    warnings: list[str] = Field(default_factory=list)


class ParsedRoadmap(BaseModel):
    """A whole roadmap document as an importer understood it."""

    model_config = ConfigDict(defer_build=True)

    organisation: str = ""
    level: OrgLevel = OrgLevel.SCHOOL
    municipality: str = ""  # the district the document names, in display form; "" if none
    title: str = ""
    year: int | None = None
    school_year: int | None = None
    amendment: bool = False
    source_name: str = ""
    source_sha256: str = ""
    sections: list[str] = Field(default_factory=list)
    activities: list[ParsedActivity] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def period(self) -> Period | None:
        if self.school_year is not None:
            return Period.school_year(self.school_year)
        if self.year is not None:
            return Period.calendar_year(self.year)
        return None
