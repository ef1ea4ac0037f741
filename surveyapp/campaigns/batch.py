"""A batch of surveys: their posters in one PDF and their QR codes in one ZIP.

An assessor opening the surveys of a whole city prints one file (one A4 page per circle, in
the order chosen) and hands the QR images to the bureau's designer in one archive. The
posters are the single-campaign poster's pages (``reports.poster_page``), rendered in one
WeasyPrint pass.
"""
from __future__ import annotations

import io
import re
import zipfile

import reports
from sqlmodel import Session

from ..models import Campaign, Circle
from ..questionnaire.kinds import survey_kind
from ..questionnaire.registry import questionnaire_by_hash
from ..timezones import local_date
from .qr import public_url, qr_png, qr_svg

#: Most surveys one download may hold (a city has up to about 60 circles, two kinds each).
MAX_BATCH = 300
UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def poster_pages(session: Session, campaigns: list[Campaign], base_url: str) -> list[dict]:
    pages = []
    for campaign in campaigns:
        circle = session.get(Circle, campaign.circle_id)
        questionnaire = questionnaire_by_hash(session, campaign.questionnaire_hash)
        wording = survey_kind(campaign.kind).poster
        pages.append(reports.poster_page(
            circle_name=circle.name, url=public_url(base_url, campaign.token), closes_on=local_date(campaign.closes_at),
            questionnaire_title=questionnaire.title, kicker=wording.title, invitation=wording.body, note=wording.hint))
    return pages


def posters_pdf(session: Session, campaigns: list[Campaign], base_url: str) -> bytes:
    """One PDF, one A4 poster page per campaign, in the given order."""
    return reports.qr_posters(poster_pages(session, campaigns, base_url), title="问卷调查二维码海报")


def file_stem(circle_name: str, campaign: Campaign) -> str:
    """``幸福里生活圈-居民问卷调查-12``: readable in a file manager, unique by the id."""
    name = UNSAFE_IN_FILE_NAME.sub("_", circle_name).strip(" .") or "生活圈"
    return f"{name}-{survey_kind(campaign.kind).label}-{campaign.id}"


def qr_zip(session: Session, campaigns: list[Campaign], base_url: str) -> bytes:
    """One ZIP with each campaign's QR code as PNG (print) and SVG (any size), and 链接.txt
    listing every file with its link."""
    buffer = io.BytesIO()
    listing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for campaign in campaigns:
            circle = session.get(Circle, campaign.circle_id)
            url = public_url(base_url, campaign.token)
            stem = file_stem(circle.name, campaign)
            for kind, body in (("png", qr_png(url)), ("svg", qr_svg(url))):
                info = zipfile.ZipInfo(f"{stem}.{kind}", date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, body)
            listing.append(f"{stem}\t{url}\n")
        archive.writestr(zipfile.ZipInfo("链接.txt", date_time=(2026, 1, 1, 0, 0, 0)), "".join(listing).encode("utf-8"))
    return buffer.getvalue()
