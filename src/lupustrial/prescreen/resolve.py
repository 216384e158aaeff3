"""Resolving concept sets in a database's own vocabulary (`concept`, `concept_ancestor`).

Two small queries per run: the concepts the items name (by id, by code, by name, or a whole
vocabulary), and the descendants of those that include descendants. Excluded items (with
their descendants) are subtracted, as OHDSI concept set expressions do. The result is the
membership table every criterion joins against, and a report of what each item found.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lupustrial.prescreen.arrow import table
from lupustrial.prescreen.concepts import DEFAULT_CONCEPT_SETS, ConceptItem, ConceptSet
from lupustrial.prescreen.omop import OmopDatabase

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True)
class ItemResolution:
    set_key: str
    item: ConceptItem
    concept_ids: tuple[int, ...]
    names: tuple[str, ...]
    descendants: int

    @property
    def found(self) -> bool:
        return bool(self.concept_ids)


@dataclass
class ResolvedConcepts:
    """Concept ids per set, what each item resolved to, and the vocabulary's UCUM units."""

    members: dict[str, frozenset[int]]
    items: list[ItemResolution]
    ucum: dict[int, str] = field(default_factory=dict)
    """The UCUM concepts of the database's own vocabulary: concept id → UCUM code."""

    def only(self, keys: frozenset[str]) -> ResolvedConcepts:
        """These concepts with every set but ``keys`` emptied (a run of fewer criteria)."""
        return ResolvedConcepts(
            members={k: v if k in keys else frozenset() for k, v in self.members.items()},
            items=[item for item in self.items if item.set_key in keys],
            ucum=self.ucum,
        )

    @property
    def unresolved(self) -> list[ItemResolution]:
        return [item for item in self.items if not item.found]


def _matches(item: ConceptItem, row: dict[str, object]) -> bool:
    if item.concept_id is not None:
        return row["concept_id"] == item.concept_id
    if item.vocabulary_id != row["vocabulary_id"]:
        return False
    if item.concept_code == "*":
        return True
    if item.by_name:
        return str(row["concept_name"]).lower() == item.name.lower()
    return row["concept_code"] == item.concept_code


def resolve(
    db: OmopDatabase, concept_sets: tuple[ConceptSet, ...] = DEFAULT_CONCEPT_SETS
) -> ResolvedConcepts:
    """Resolve ``concept_sets`` in ``db``'s vocabulary (two queries, then set arithmetic)."""
    items = [(s.key, item) for s in concept_sets for item in s.items]
    ids = sorted({i.concept_id for _, i in items if i.concept_id is not None})
    codes = sorted({i.concept_code for _, i in items if i.concept_code and i.concept_code != "*"})
    names = sorted({i.name.lower() for _, i in items if i.by_name})
    whole = sorted({i.vocabulary_id for _, i in items if i.concept_code == "*" and i.vocabulary_id})

    def concepts() -> ir.Table:
        concept = db["concept"]
        wanted = (
            concept.concept_id.isin(ids or [-1])
            | concept.concept_code.isin(codes or [""])
            | concept.concept_name.lower().isin(names or [""])
            | concept.vocabulary_id.isin([*whole, "UCUM"])
        )
        return concept.filter(wanted).select(
            "concept_id", "concept_name", "vocabulary_id", "concept_code"
        )

    # The lists are written into the query: its step is named after them.
    named = hashlib.sha256(repr((ids, codes, names, whole)).encode()).hexdigest()[:16]
    rows = db.take(f"concepts:{named}", concepts).to_pylist()
    roots: dict[tuple[str, ConceptItem], list[dict[str, object]]] = {
        (key, item): [row for row in rows if _matches(item, row)] for key, item in items
    }
    with_descendants = sorted(
        {
            # concept_id is an int64 column; the rows are typed as dicts of object.
            int(row["concept_id"])  # type: ignore[call-overload]
            for (_, item), found in roots.items()
            if item.include_descendants
            for row in found
        }
    )
    children: dict[int, set[int]] = defaultdict(set)
    if with_descendants:
        parents = db.send(table({"concept_id": (with_descendants, "int64")}), "prescreen_roots")

        def descendants() -> ir.Table:
            ancestor = db["concept_ancestor"]
            return ancestor.semi_join(
                parents.table, ancestor.ancestor_concept_id == parents.table.concept_id
            ).select("ancestor_concept_id", "descendant_concept_id")

        links = db.take("descendants", descendants)
        for parent, child in zip(
            links["ancestor_concept_id"].to_pylist(),
            links["descendant_concept_id"].to_pylist(),
            strict=True,
        ):
            children[parent].add(child)
    included: dict[str, set[int]] = defaultdict(set)
    excluded: dict[str, set[int]] = defaultdict(set)
    report = []
    for (key, item), found in roots.items():
        found_ids = {int(row["concept_id"]) for row in found}  # type: ignore[call-overload]  # as above
        expanded = set(found_ids)
        if item.include_descendants:
            for concept_id in found_ids:
                expanded |= children.get(concept_id, set())
        (excluded if item.excluded else included)[key] |= expanded
        report.append(
            ItemResolution(
                key,
                item,
                tuple(sorted(found_ids)),
                tuple(sorted(str(row["concept_name"]) for row in found))[:3],
                len(expanded - found_ids),
            )
        )
    members = {s.key: frozenset(included[s.key] - excluded[s.key]) for s in concept_sets}
    ucum = {
        int(row["concept_id"]): str(row["concept_code"])
        for row in rows
        if row["vocabulary_id"] == "UCUM"
    }
    return ResolvedConcepts(members, report, ucum)
