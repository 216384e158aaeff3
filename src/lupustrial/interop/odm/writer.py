"""The study as one CDISC ODM 1.3.2 document, built with odmlib's model of the standard.

Three parts (CDISC ODM 1.3.2 specification, 2013):
- the metadata: a StudyEventDef per scheduled visit (W0-W12), one repeating for unscheduled
  visits and one for screening; a FormDef per form; ItemGroupDefs (repeating for rows such as
  glucocorticoid regimens, medications, adverse events); ItemDefs with data types,
  MeasurementUnits and CodeLists; English and Japanese TranslatedText;
- the administration: every user (and a study-level system user for entries no person made),
  each site as a Location plus a study-level Location, the enrolment signature's meaning as a
  SignatureDef;
- the clinical data in the audit trail's order: one ItemData per change (Insert, Update,
  Remove) with its AuditRecord (user, location, UTC time, reason, and the trail entry's
  sequence number and hash as SourceID); signatures as Signatures; every other entry about a
  subject (queries, verification, locks, consent, enrolment) as an Annotation whose Comment
  is the entry itself in JSON, since ODM 1.3.2 allows vendor extensions only by redefining
  its schema, which plain validation rejects.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from odmlib.odm_1_3_2 import model as odm

from lupustrial.interop.odm.items import (
    FormSpec,
    ItemSpec,
    OdmError,
    codelist_oid,
    encode,
    form_oid,
    group_oid,
    locate,
    unit_oid,
)

SYSTEM_USER = "system"
"""The study-level user of entries no person made (scheduled jobs, the system itself)."""
STUDY_LOCATION = "LOC.STUDY"
METADATA_VERSION = "MDV.1"
SIGNATURE_DEF = "SD.ENROLMENT"
ALIAS_PATH = "lupustrial:path"
"""Alias context of an ItemDef naming its dotted path in the form's document."""
ALIAS_JSON = "lupustrial:json"
"""Alias context marking an ItemDef whose values are JSON text (lists, mixed unions)."""
ALIAS_KEYED = "lupustrial:keyed"
"""Alias context of a keyed form's ItemGroupDef: its repeat key is the record's key (AE-001, a
consent form's version "1.0"), then, for a row inside it, "#" and the row numbers."""
RECORD_SEPARATOR = "#"


@dataclass(frozen=True)
class StudyInfo:
    oid: str
    name: str
    description: str
    protocol_name: str


@dataclass(frozen=True)
class EventSpec:
    """A study event: a scheduled visit, the unscheduled visits, or screening."""

    code: str  # "W0"; "UNSCHEDULED"; "SCREENING"
    name: str
    name_ja: str
    kind: str  # ODM StudyEventDef Type: Scheduled, Unscheduled, Common
    repeating: bool
    forms: tuple[str, ...]

    @property
    def oid(self) -> str:
        return f"SE.{self.code}"


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    role: str
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True)
class Entry:
    """One audit trail entry about a subject, as the trail holds it (values decoded)."""

    seq: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    subject_key: str  # the screening number: a subject's one stable key
    site: str
    visit: str
    form: str
    field: str
    old: Any
    new: Any
    reason: str
    hash: str
    record: str = ""  # the record of a keyed form the change belongs to (AE-001)
    part: int = 0  # one trail entry holding several values is several ItemData: 1, 2, ...
    null: bool = False  # the value was set to null (not removed): IsNull="Yes"
    document: Any = None
    """What the service kept beside the entry, which the entry names only by its digest (a
    safety report's frozen document): written in the entry's note, for an import to keep."""


@dataclass(frozen=True)
class Study:
    """Everything the document holds, gathered by the caller (`edc.odm`)."""

    info: StudyInfo
    events: tuple[EventSpec, ...]
    forms: tuple[FormSpec, ...]
    people: tuple[Person, ...]
    places: tuple[Place, ...]
    entries: tuple[Entry, ...]
    signature_meaning: str
    event_of_visit: Callable[[str], tuple[str, str]]
    """A visit code's (event code, repeat key): "W4" → ("W4", ""), "U2" → ("UNSCHEDULED", "U2")."""
    study_entries: tuple[Entry, ...] = ()
    """Trail entries about no subject (sites, accounts, drug lots, monitoring visits):
    study-level Annotations."""


E = TypeVar("E")

DATA_ACTIONS = {"create": "Insert", "update": "Update", "delete": "Remove"}


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def user_oid(login: str) -> str:
    return f"USR.{login}"


def location_oid(site: str) -> str:
    return f"LOC.{site}" if site else STUDY_LOCATION


def _made(kind: type[E], **attributes: Any) -> E:
    """An odmlib element without the attributes and children that are None (odmlib refuses
    None for a child element)."""
    return kind(**{k: v for k, v in attributes.items() if v is not None})


def _text(en: str, ja: str | None = None) -> list[odm.TranslatedText]:
    texts = [odm.TranslatedText(_content=en, lang="en")]
    if ja:
        texts.append(odm.TranslatedText(_content=ja, lang="ja"))
    return texts


def build(study: Study, created: dt.datetime, source_version: str) -> odm.ODM:
    """The ODM document of ``study``, FileType Transactional, Archival Yes."""
    forms = {spec.code: spec for spec in study.forms}
    return odm.ODM(
        FileOID=f"ODM.{study.info.oid}.{created.strftime('%Y%m%dT%H%M%S')}",
        FileType="Transactional",
        Granularity="All",
        Archival="Yes",
        CreationDateTime=timestamp(created),
        ODMVersion="1.3.2",
        Originator="lupustrial",
        SourceSystem="lupustrial",
        SourceSystemVersion=source_version,
        Study=[_study(study)],
        AdminData=[_admin(study, created)],
        ClinicalData=[
            odm.ClinicalData(
                StudyOID=study.info.oid,
                MetaDataVersionOID=METADATA_VERSION,
                SubjectData=list(_subject_data(study, forms)),
                **_study_annotations(study),
            )
        ],
    )


# -- metadata -----------------------------------------------------------------------------------


def _study(study: Study) -> odm.Study:
    info = study.info
    return odm.Study(
        OID=info.oid,
        GlobalVariables=odm.GlobalVariables(
            StudyName=odm.StudyName(_content=info.name),
            StudyDescription=odm.StudyDescription(_content=info.description),
            ProtocolName=odm.ProtocolName(_content=info.protocol_name),
        ),
        BasicDefinitions=odm.BasicDefinitions(MeasurementUnit=_units(study.forms)),
        MetaDataVersion=[_metadata(study)],
    )


def _units(forms: Iterable[FormSpec]) -> list[odm.MeasurementUnit]:
    units = dict.fromkeys(unit for form in forms for spec in form.items for unit in spec.units)
    return [
        odm.MeasurementUnit(
            OID=unit_oid(unit), Name=unit, Symbol=odm.Symbol(TranslatedText=_text(unit))
        )
        for unit in units
    ]


def _metadata(study: Study) -> odm.MetaDataVersion:
    return odm.MetaDataVersion(
        OID=METADATA_VERSION,
        Name="lupustrial forms",
        Description="The study's eCRFs and screening form, declared from their models.",
        Protocol=odm.Protocol(
            StudyEventRef=[
                odm.StudyEventRef(
                    StudyEventOID=e.oid, OrderNumber=n, Mandatory="No" if e.repeating else "Yes"
                )
                for n, e in enumerate(study.events, 1)
            ]
        ),
        StudyEventDef=[_event_def(e) for e in study.events],
        FormDef=[_form_def(f) for f in study.forms],
        ItemGroupDef=[_group_def(f, g) for f in study.forms for g in f.groups],
        ItemDef=[_item_def(spec) for f in study.forms for spec in f.items],
        CodeList=[_codelist(spec) for f in study.forms for spec in f.items if spec.choices],
    )


def _event_def(event: EventSpec) -> odm.StudyEventDef:
    return odm.StudyEventDef(
        OID=event.oid,
        Name=event.name,
        Repeating="Yes" if event.repeating else "No",
        Type=event.kind,
        Description=odm.Description(TranslatedText=_text(event.name, event.name_ja)),
        FormRef=[
            odm.FormRef(FormOID=form_oid(code), OrderNumber=n, Mandatory="No")
            for n, code in enumerate(event.forms, 1)
        ],
    )


def _form_def(form: FormSpec) -> odm.FormDef:
    return odm.FormDef(
        OID=form_oid(form.code),
        Name=form.title,
        Repeating="No",
        Description=odm.Description(TranslatedText=_text(form.title, form.title_ja)),
        ItemGroupRef=[
            odm.ItemGroupRef(ItemGroupOID=group_oid(form.code, g), OrderNumber=n, Mandatory="No")
            for n, g in enumerate(form.groups, 1)
        ],
        Alias=[odm.Alias(Context=ALIAS_PATH, Name=form.code)],
    )


def _group_def(form: FormSpec, group: str) -> odm.ItemGroupDef:
    members = [spec for spec in form.items if spec.group == group]
    name = f"{form.code}.{group.replace('.*', '')}" if group else form.code
    return odm.ItemGroupDef(
        OID=group_oid(form.code, group),
        Name=name,
        Repeating="Yes" if form.repeating(group) else "No",
        ItemRef=[
            odm.ItemRef(ItemOID=spec.oid, OrderNumber=n, Mandatory="No")
            for n, spec in enumerate(members, 1)
        ],
        Alias=[odm.Alias(Context=ALIAS_KEYED, Name="record")] if form.keyed else [],
    )


def _item_def(spec: ItemSpec) -> odm.ItemDef:
    aliases = [odm.Alias(Context=ALIAS_PATH, Name=spec.path)]
    if spec.as_json:
        aliases.append(odm.Alias(Context=ALIAS_JSON, Name="JSON"))
    return _made(
        odm.ItemDef,
        OID=spec.oid,
        Name=spec.name,
        DataType=spec.data_type,
        Description=(
            odm.Description(TranslatedText=_text(spec.description)) if spec.description else None
        ),
        Question=odm.Question(TranslatedText=_text(spec.label or _label(spec), spec.label_ja)),
        MeasurementUnitRef=[
            odm.MeasurementUnitRef(MeasurementUnitOID=unit_oid(u)) for u in spec.units
        ],
        CodeListRef=odm.CodeListRef(CodeListOID=codelist_oid(spec)) if spec.choices else None,
        Alias=aliases,
    )


def _label(spec: ItemSpec) -> str:
    return spec.name.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _codelist(spec: ItemSpec) -> odm.CodeList:
    return odm.CodeList(
        OID=codelist_oid(spec),
        Name=spec.name,
        DataType="integer" if spec.data_type == "integer" else "text",
        CodeListItem=[
            odm.CodeListItem(CodedValue=v, Decode=odm.Decode(TranslatedText=_text(v)))
            for v in spec.choices
        ],
    )


# -- administration -------------------------------------------------------------------------


_USER_TYPE = {"investigator": "Investigator", "monitor": "Sponsor", "data_manager": "Sponsor"}


def _admin(study: Study, created: dt.datetime) -> odm.AdminData:
    known = {p.login for p in study.people}
    actors = dict.fromkeys(e.actor for e in study.entries if e.actor not in known)
    people = [
        *study.people,
        *(Person(a, a, "", ()) for a in actors if a != SYSTEM_USER),
        Person(SYSTEM_USER, "lupustrial (entries no person made)", "", ()),
    ]
    version = odm.MetaDataVersionRef(
        StudyOID=study.info.oid,
        MetaDataVersionOID=METADATA_VERSION,
        EffectiveDate=created.astimezone(dt.UTC).date().isoformat(),
    )
    return odm.AdminData(
        StudyOID=study.info.oid,
        User=[
            odm.User(
                OID=user_oid(p.login),
                UserType=_USER_TYPE.get(p.role, "Other"),
                LoginName=odm.LoginName(_content=p.login),
                DisplayName=odm.DisplayName(_content=p.name or p.login),
                FullName=odm.FullName(_content=p.name or p.login),
                LocationRef=[
                    odm.LocationRef(LocationOID=location_oid(s)) for s in (p.sites or ("",))
                ],
            )
            for p in people
        ],
        Location=[
            *(
                odm.Location(
                    OID=location_oid(place.code),
                    Name=place.name,
                    LocationType="Site",
                    MetaDataVersionRef=[version],
                )
                for place in study.places
            ),
            odm.Location(
                OID=STUDY_LOCATION,
                Name=f"{study.info.name} (study level)",
                LocationType="Sponsor",
                MetaDataVersionRef=[version],
            ),
        ],
        SignatureDef=[
            odm.SignatureDef(
                OID=SIGNATURE_DEF,
                Methodology="Electronic",
                Meaning=odm.Meaning(_content=study.signature_meaning),
                LegalReason=odm.LegalReason(
                    _content="Electronic signature of the investigator (21 CFR 11.50; "
                    "ER/ES guideline, MHLW 2005)"
                ),
            )
        ],
    )


# -- clinical data ----------------------------------------------------------------------------


def _audit_record(entry: Entry) -> odm.AuditRecord:
    return _made(
        odm.AuditRecord,
        ID=f"AR.{entry.seq}" + (f".{entry.part}" if entry.part else ""),
        UserRef=odm.UserRef(UserOID=user_oid(entry.actor)),
        LocationRef=odm.LocationRef(LocationOID=location_oid(entry.site)),
        DateTimeStamp=odm.DateTimeStamp(_content=timestamp(entry.at)),
        ReasonForChange=odm.ReasonForChange(_content=entry.reason) if entry.reason else None,
        SourceID=odm.SourceID(_content=source_id(entry)),
    )


def source_id(entry: Entry) -> str:
    """The trail entry the change is: its number and hash; for a record kept apart from the
    visits (an adverse event), the visit it was entered at."""
    text = f"audit {entry.seq} {entry.hash}"
    return f"{text} at visit {entry.visit}" if entry.record and entry.visit else text


def _is_data(entry: Entry, forms: dict[str, FormSpec]) -> bool:
    return entry.action in DATA_ACTIONS and entry.form in forms and bool(entry.field)


def _subject_data(study: Study, forms: dict[str, FormSpec]) -> Iterator[odm.SubjectData]:
    """One SubjectData per save (its changes in trail order), per signature or per note."""
    for run in _runs(study.entries, forms):
        first = run[0]
        if _is_data(first, forms):
            yield _saved(study, forms, run)
        elif first.action == "sign" and first.new == study.signature_meaning:
            yield odm.SubjectData(
                SubjectKey=first.subject_key,
                TransactionType="Context",
                Signature=odm.Signature(
                    ID=f"SG.{first.seq}",
                    UserRef=odm.UserRef(UserOID=user_oid(first.actor)),
                    LocationRef=odm.LocationRef(LocationOID=location_oid(first.site)),
                    SignatureRef=odm.SignatureRef(SignatureOID=SIGNATURE_DEF),
                    DateTimeStamp=odm.DateTimeStamp(_content=timestamp(first.at)),
                ),
                Annotation=[_note(first)],
            )
        else:
            yield _noted(study, forms, first)


def _runs(entries: Sequence[Entry], forms: dict[str, FormSpec]) -> Iterator[list[Entry]]:
    """Consecutive changes of one save (one subject, visit, form, user and moment) together."""
    run: list[Entry] = []
    for entry in entries:
        if run and _is_data(entry, forms) and _is_data(run[0], forms) and _same_save(run[0], entry):
            run.append(entry)
            continue
        if run:
            yield run
        run = [entry]
    if run:
        yield run


def _same_save(first: Entry, entry: Entry) -> bool:
    keys = ("subject_key", "visit", "form", "actor", "at", "action")
    return all(getattr(first, k) == getattr(entry, k) for k in keys)


def _event(study: Study, forms: dict[str, FormSpec], entry: Entry) -> tuple[str, str]:
    if entry.form in forms and not forms[entry.form].per_visit:
        return forms[entry.form].event, ""
    return study.event_of_visit(entry.visit)


def _saved(study: Study, forms: dict[str, FormSpec], run: list[Entry]) -> odm.SubjectData:
    first = run[0]
    form = forms[first.form]
    specs = {spec.path: spec for spec in form.items}
    groups: dict[tuple[str, str], list[odm.ItemData]] = {}
    for entry in run:
        path, row = locate(entry.field)
        spec = specs.get(path)
        if spec is None:
            raise OdmError(
                f"trail entry {entry.seq}: form {entry.form} has no field {entry.field!r}"
            )
        if form.keyed:
            row = f"{entry.record}{RECORD_SEPARATOR}{row}" if row else entry.record
        groups.setdefault((spec.group, row), []).append(_item_data(spec, entry))
    event, repeat = _event(study, forms, first)
    return odm.SubjectData(
        SubjectKey=first.subject_key,
        TransactionType="Upsert",
        StudyEventData=[
            odm.StudyEventData(
                StudyEventOID=f"SE.{event}",
                StudyEventRepeatKey=repeat or None,
                TransactionType="Upsert",
                FormData=[
                    odm.FormData(
                        FormOID=form_oid(form.code),
                        TransactionType="Upsert",
                        ItemGroupData=[
                            odm.ItemGroupData(
                                ItemGroupOID=group_oid(form.code, group),
                                ItemGroupRepeatKey=row or None,
                                TransactionType="Upsert",
                                ItemData=items,
                            )
                            for (group, row), items in groups.items()
                        ],
                    )
                ],
            )
        ],
    )


def _item_data(spec: ItemSpec, entry: Entry) -> odm.ItemData:
    if entry.null:  # set to null: no value, and said so (ODM 1.3.2 IsNull)
        kind, value = ("Insert" if entry.old is None else "Update"), None
    elif entry.new is None:  # the field was emptied: a removal, its old value in the trail
        kind, value = "Remove", None
    else:
        kind = "Insert" if entry.old is None else "Update"
        value = encode(spec, entry.new)
    return _made(
        odm.ItemData,
        ItemOID=spec.oid,
        TransactionType=kind,
        Value=value,
        IsNull="Yes" if entry.null else None,
        AuditRecord=_audit_record(entry),
    )


def _note(entry: Entry) -> odm.Annotation:
    """An entry that is no value (a query, a verification, a lock, consent, enrolment)."""
    document = {
        "seq": entry.seq,
        "at": timestamp(entry.at),
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "visit": entry.visit,
        "form": entry.form,
        "field": entry.field,
        "old": entry.old,
        "new": entry.new,
        "reason": entry.reason,
        "hash": entry.hash,
    }
    if entry.document is not None:
        document["document"] = entry.document
    return odm.Annotation(
        SeqNum=entry.seq,
        ID=f"AN.{entry.seq}",
        Comment=odm.Comment(
            _content=json.dumps(document, ensure_ascii=False, sort_keys=True),
            SponsorOrSite="Site" if entry.role in ("investigator", "coordinator") else "Sponsor",
        ),
    )


def _study_annotations(study: Study) -> dict[str, list[odm.Annotations]]:
    """The entries about no subject as ClinicalData's own Annotations (ODM 1.3.2 4.3.1)."""
    if not study.study_entries:
        return {}
    return {"Annotations": [odm.Annotations(Annotation=[_note(e) for e in study.study_entries])]}


def _noted(study: Study, forms: dict[str, FormSpec], entry: Entry) -> odm.SubjectData:
    if entry.visit and entry.form in forms and forms[entry.form].per_visit:
        event, repeat = study.event_of_visit(entry.visit)
        return odm.SubjectData(
            SubjectKey=entry.subject_key,
            TransactionType="Context",
            StudyEventData=[
                odm.StudyEventData(
                    StudyEventOID=f"SE.{event}",
                    StudyEventRepeatKey=repeat or None,
                    TransactionType="Context",
                    FormData=[
                        odm.FormData(
                            FormOID=form_oid(entry.form),
                            TransactionType="Context",
                            Annotation=[_note(entry)],
                        )
                    ],
                )
            ],
        )
    return odm.SubjectData(
        SubjectKey=entry.subject_key, TransactionType="Context", Annotation=[_note(entry)]
    )
