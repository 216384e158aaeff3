"""Plausible ranges, declared once per field: hard limits refuse a value, soft ones query it.

A field states its range in its type, ``Annotated[DoseMass | None, INFUSION_DOSE]``. Pydantic
then enforces the hard limits wherever the model is validated, so the eCRF page, the JSON API
and the study dataset read one declaration and cannot disagree: a value the forms accepted is
never refused by the dataset or the report. Soft limits never refuse: `soft_limit_findings`
lists the values outside them, and the web application saves the form and raises a query on
each, automatically.

A quantity is compared in the unit its `Limits` names (converted by `clinical.units`), so a
dose entered in grams meets the same limits as one entered in milligrams.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from lupustrial.clinical.units import Quantity


@dataclass(frozen=True)
class Limits:
    """A field's hard range (outside: refused) and soft range (outside: saved and queried).

    Bounds are inclusive, in ``unit`` (None for a plain number); None means no bound.
    ``source`` says where the range comes from.
    """

    unit: str | None
    source: str
    hard_min: float | None = None
    hard_max: float | None = None
    soft_min: float | None = None
    soft_max: float | None = None

    def magnitude(self, value: Any) -> float:
        """The value as a number in this range's unit."""
        if isinstance(value, Quantity):
            return value.to(self.unit) if self.unit else value.value
        return float(value)

    def _outside(self, value: Any, low: float | None, high: float | None) -> str | None:
        number = self.magnitude(value)
        unit = f" {self.unit}" if self.unit else ""
        if low is not None and number < low:
            return f"{number:g}{unit} is below {low:g}{unit}"
        if high is not None and number > high:
            return f"{number:g}{unit} is above {high:g}{unit}"
        return None

    def hard_problem(self, value: Any) -> str | None:
        """Why the value is refused, or None when it lies within the hard range."""
        return None if value is None else self._outside(value, self.hard_min, self.hard_max)

    def soft_problem(self, value: Any) -> str | None:
        """Why the value deserves a query, or None when it lies within the soft range."""
        return None if value is None else self._outside(value, self.soft_min, self.soft_max)

    def expected(self) -> str:
        """The soft range as text, e.g. '300–300 mg'."""
        unit = f" {self.unit}" if self.unit else ""
        low = "" if self.soft_min is None else f"{self.soft_min:g}"
        high = "" if self.soft_max is None else f"{self.soft_max:g}"
        return f"{low}–{high}{unit}"

    def _check_hard(self, value: Any) -> Any:
        problem = self.hard_problem(value)
        if problem is not None:
            raise PydanticCustomError(
                "hard_limit", "{problem}: outside the accepted range ({source})",
                {"problem": problem, "source": self.source},
            )  # fmt: skip
        return value

    def __get_pydantic_core_schema__(
        self, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check_hard, handler(source_type))


@dataclass(frozen=True)
class SoftFinding:
    """A saved value outside its soft range: the field's dotted path and why."""

    field: str
    problem: str
    expected: str
    source: str


def soft_limit_findings(model: BaseModel, prefix: str = "") -> list[SoftFinding]:
    """Every value of ``model`` (nested models and lists included) outside its soft range."""
    return list(_walk(model, prefix))


def _walk(model: BaseModel, prefix: str) -> Iterator[SoftFinding]:
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        for limits in (m for m in field.metadata if isinstance(m, Limits)):
            problem = limits.soft_problem(value)
            if problem is not None:
                yield SoftFinding(path, problem, limits.expected(), limits.source)
        if isinstance(value, BaseModel) and not isinstance(value, Quantity):
            yield from _walk(value, f"{path}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{path}.{index}.")


# -- the declarations -----------------------------------------------------------------------

INFUSION_DOSE = Limits(
    "mg",
    "anifrolumab 300 mg IV every 4 weeks (Morand 2020, TULIP-2); 1000 mg the highest dose "
    "studied (Furie 2017, MUSE)",
    hard_min=1,
    hard_max=1000,
    soft_min=300,
    soft_max=300,
)
SYSTOLIC_BP = Limits(
    "mmHg",
    "hypotension < 90, grade III hypertension ≥ 180 mmHg (JSH 2019, Umemura 2019)",
    hard_min=50,
    hard_max=300,
    soft_min=90,
    soft_max=179,
)
DIASTOLIC_BP = Limits(
    "mmHg",
    "grade III hypertension ≥ 110 mmHg (JSH 2019, Umemura 2019)",
    hard_min=20,
    hard_max=200,
    soft_min=40,
    soft_max=109,
)
BODY_WEIGHT = Limits(
    "kg", "adult body weight; above 400 kg is not a human weight", hard_max=400,
    soft_min=30, soft_max=150,
)  # fmt: skip
BODY_TEMPERATURE = Limits(
    "°C", "fever ≥ 38 °C (SLEDAI-2K, Gladman 2002); 25-45 °C survivable", hard_min=25,
    hard_max=45, soft_min=35, soft_max=40,
)  # fmt: skip
HAEMOGLOBIN = Limits(
    "g/L", "anaemia grade 3 below 80 g/L (CTCAE v5.0, 2017)", hard_max=250, soft_min=80,
    soft_max=180,
)  # fmt: skip
LYMPHOCYTES = Limits(
    "10^9/L", "lymphocyte count decreased grade 3 below 0.5 × 10^9/L (CTCAE v5.0, 2017)",
    hard_max=500, soft_min=0.5, soft_max=5,
)  # fmt: skip
SERUM_CREATININE = Limits(
    "mg/dL", "serum creatinine ≥ 2 mg/dL excludes from this study (protocol E5)",
    hard_max=30, soft_max=2,
)  # fmt: skip
AMINOTRANSFERASE = Limits(
    "U/L", "AST/ALT increased grade 2 above 3 × ULN (CTCAE v5.0, 2017; ULN 40 U/L)",
    hard_max=10000, soft_max=120,
)  # fmt: skip
PLATELETS = Limits(
    "10^9/L",
    "platelet count decreased grade 4 below 25 × 10^9/L (CTCAE v5.0, 2017); below 1 × 10^9/L "
    "is implausible: a unit slip, such as 15 written per µL for 15 × 10^4/µL",
    hard_min=1, hard_max=3000, soft_min=25, soft_max=1000,
)  # fmt: skip
LEUKOCYTES = Limits(
    "10^9/L",
    "white blood cell decreased grade 4 below 1 × 10^9/L (CTCAE v5.0, 2017); below 0.1 × 10^9/L "
    "is implausible: a unit slip, such as 4 written per µL for 4 × 10^3/µL",
    hard_min=0.1, hard_max=500, soft_min=1, soft_max=30,
)  # fmt: skip
