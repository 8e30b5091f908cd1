"""What the report states beyond Table E.1-1: the general rules where the table is silent and
one row per unlisted identifying attribute, each marked as an addition."""

from __future__ import annotations

from dataclasses import dataclass

from deidentify.beyond import BeyondRule
from deidentify.plan import Plan
from generated.model import Option


@dataclass(frozen=True)
class BeyondRow:
    """One unlisted attribute the tool removes beyond the table (or would, without the option
    that retains its kind)."""

    tag: str
    name: str
    keyword: str
    vr: str
    retired: bool
    category: str
    criterion: str
    behaviour: str


ITEM_TAGS = ("Item and delimiter tags (FFFE,xxxx) met as elements (outside a sequence or"
             " encapsulated Pixel Data) are removed, at every depth.")
WRONG_VR_LISTED = (
    "An attribute of Table E.1-1 whose explicit VR contradicts the dictionary (or a binary"
    " value whose length cannot hold its values) gets its row's action in the safest form: X"
    " removes; Z and D write the empty value or the dummy of the dictionary's VR; U replaces a"
    " UID written as text; a date, time or date-time is parsed as the dictionary's VR and"
    " shifted or removed; K, C and every other action remove it. A sequence under a tag that"
    " is not one is removed.")
PERSON_NAMES = ("Every standard attribute of VR PN that the table does not list is removed,"
                " and so is every other unlisted attribute that identifies a person, an"
                " organisation or a device (rows below); organisations are kept under Retain"
                " Institution Identity, devices under Retain Device Identity.")
GRAPHIC_GROUPS = ("A curve or overlay group whose data element (xx,3000) is present and"
                  " removed is removed whole: no description, label or comment outlives its"
                  " data.")
VALUES = ("An unlisted attribute whose value is a UID made for one object (VR UI, other than a"
          " class, transfer syntax, coding scheme, context group or mapping resource UID) is"
          " replaced as U replaces, kept under Retain UIDs; an unlisted date, time or"
          " date-time (VR DA, TM, DT) is shifted under Modified Dates, kept under Full Dates"
          " and emptied otherwise, at every depth.")
SEALED = ("An input's own Encrypted Attributes Sequence (0400,0500) keeps only the items"
          " sealed as CMS EnvelopedData (a DER ContentInfo of id-envelopedData) under a"
          " standard Transfer Syntax UID, each reduced to its Encrypted Content Transfer"
          " Syntax UID and Encrypted Content: the earlier passes' originals, which only their"
          " recipients open; any other item is removed, an empty sequence too. De-identification"
          " Method counts the items kept.")
CODESTREAMS = ("Encapsulated Pixel Data keeps its image and loses what its codestreams carry"
               " beside it: every JPEG and JPEG-LS comment and application segment (EXIF, XMP,"
               " IPTC, ICC profiles, a JFIF thumbnail) is blanked, but the fields decoders read"
               " (JFIF's header, Adobe's colour transform, the SPIFF header and HP's colour"
               " transform); so are every JPEG 2000 comment, a JP2 file's XML, UUID and IPR"
               " boxes, and a JPEG XL file's EXIF, XMP, JUMBF and Brotli-compressed boxes (its"
               " JPEG reconstruction box is kept), and what follows a codestream's end but a"
               " byte of padding. Blanked in place, each at its length:"
               " fragments, offset tables and decoded pixels are unchanged. Other codestreams"
               " (RLE, MPEG, HEVC) are kept as they are.")
TIMES = ("Under Modified Dates every listed date, time and date-time is parsed whatever the VR"
         " it was written with and shifted (never kept verbatim; removed when it does not"
         " parse): dates by the patient's keyed days, times by the patient's keyed seconds"
         " within a day, date-times by both; a date and its paired time (XDate with XTime,"
         " Date of X with Time of X, listed in the table or not) move together as one"
         " instant, the date taking the day a time carries past midnight.")


def general_rules(plan: Plan) -> tuple[str, ...]:
    """The rules beyond the table that apply to this plan, as sentences."""
    rules = [f"Unknown elements ({plan.unknown.value}): {plan.unknown.description}.",
             ITEM_TAGS, WRONG_VR_LISTED, PERSON_NAMES, VALUES, GRAPHIC_GROUPS, SEALED,
             CODESTREAMS]
    if plan.has(Option.RETAIN_LONGITUDINAL_MODIFIED_DATES):
        rules.append(TIMES)
    return tuple(rules)


def _behaviour(plan: Plan, rule: BeyondRule) -> str:
    if plan.applies(rule):
        return "removed, at every depth (beyond the table)"
    option = rule.category.retained_by
    name = option.value if option is not None else ""
    return f"kept under {name} (beyond the table)"


def beyond_rows(plan: Plan) -> tuple[BeyondRow, ...]:
    """One row per unlisted identifying attribute of the plan's edition, in tag order."""
    return tuple(
        BeyondRow(
            tag=f"({rule.tag >> 16:04X},{rule.tag & 0xFFFF:04X})",
            name=rule.name,
            keyword=rule.keyword,
            vr=rule.vr,
            retired=rule.retired,
            category=rule.category.value,
            criterion=rule.criterion,
            behaviour=_behaviour(plan, rule),
        )
        for rule in plan.beyond_rules()
    )
