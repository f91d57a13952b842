"""Previews of photos and PDFs: made in the extraction worker, stored as blobs derived from the archived
ones, served verified, shown on the document page, kept by the collector and packed into exports."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from archive.db.models import Blob
from archive.jobs.gc import collect_garbage
from archive.roles import Role
from tests.conftest import shared_path
from tests.e2e.conftest import Api
from tests.e2e.test_refusals import assert_problem
from tests.e2e.test_ui_pages import log_in
from tests.integration.test_fixity import corrupt_stored_blob

MEDIA = shared_path("corpus", "media")


def _preview_of(api: Api, pattern: str, media_type: str) -> tuple[dict[str, object], Image.Image, bytes]:
    [path] = MEDIA.glob(pattern)
    version = api.upload(path.read_bytes(), filename=path.name, media_type=media_type).json()
    assert version["preview_url"] == (
        f"/v1/documents/{version['document_id']}/versions/{version['version']}/preview"
    )
    response = api.get(str(version["preview_url"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    return version, image, response.content


def test_a_photo_preview_is_a_small_jpeg_derived_from_the_archived_blob(api: Api) -> None:
    version, image, data = _preview_of(api, "dev-img16*.jpg", "image/jpeg")

    assert image.format == "JPEG"
    assert max(image.size) == 480
    with api.deployment.uow().reading() as uow:
        preview = uow.session.scalars(select(Blob).where(Blob.derived_from == version["blake3"])).one()
    assert preview.size == len(data)
    assert preview.derivation is not None and preview.derivation.startswith("preview by Pillow ")
    assert api.get(str(version["content_url"])).content == next(MEDIA.glob("dev-img16*.jpg")).read_bytes()


def test_a_pdf_preview_is_its_first_page(api: Api) -> None:
    _, image, _ = _preview_of(api, "dev-pdf01*.pdf", "application/pdf")

    assert max(image.size) == 480
    assert image.size[1] > image.size[0]  # a portrait page
    darkest, _ = image.convert("L").getextrema()
    assert isinstance(darkest, int) and darkest < 128  # something is printed on it


def test_a_text_has_no_preview_and_asking_for_one_is_404(api: Api) -> None:
    version = api.upload(b"Plain words.").json()

    assert version["preview_url"] is None
    problem = assert_problem(api.get(f"{version['content_url'].rsplit('/', 1)[0]}/preview"), 404)
    assert problem["title"] == "Preview not found"
    assert_problem(api.client.get(f"/v1/documents/{version['document_id']}/versions/1/preview"), 401)


def test_a_corrupt_preview_is_never_served_as_good(api: Api) -> None:
    version, _, data = _preview_of(api, "dev-img10*.jpg", "image/jpeg")
    with api.deployment.uow().reading() as uow:
        preview = uow.session.scalars(select(Blob).where(Blob.derived_from == version["blake3"])).one()
    corrupt_stored_blob(api.deployment, preview.blake3, b"\xff" * len(data))

    assert_problem(api.get(str(version["preview_url"])), 502)


def test_the_collector_keeps_a_preview_and_an_export_packs_it_apart(api: Api) -> None:
    version, _, data = _preview_of(api, "dev-img15*.jpg", "image/jpeg")

    report = collect_garbage(api.deployment.uow, grace=timedelta(0))
    assert report.deleted == 0
    assert api.get(str(version["preview_url"])).content == data
    bag = api.get(f"/v1/documents/{version['document_id']}/export")
    with zipfile.ZipFile(io.BytesIO(bag.content)) as bundle:
        names = bundle.namelist()
        folder = f"{version['document_id']}/data/versions/1"
        assert bundle.read(f"{folder}/derived/preview.jpg") == data
        manifest = bundle.read(f"{version['document_id']}/manifest-sha256.txt").decode()
    assert f"{folder}/content/dev-img15" in " ".join(names)
    assert "data/versions/1/derived/preview.jpg" in manifest


def test_the_document_page_shows_the_preview(api: Api) -> None:
    version, _, data = _preview_of(api, "dev-img10*.jpg", "image/jpeg")
    api.client.cookies.clear()
    log_in(api, Role.READER)

    page = api.client.get(f"/ui/documents/{version['document_id']}")
    shown = api.client.get(f"/ui/documents/{version['document_id']}/versions/1/preview")

    assert 'id="preview"' in page.text
    assert shown.status_code == 200
    assert shown.content == data


def test_a_preview_is_served_as_a_jpeg_whatever_an_earlier_upload_of_its_bytes_claimed(api: Api) -> None:
    from archive.extract.preview import image_preview  # noqa: PLC0415

    [path] = MEDIA.glob("dev-img16*.jpg")
    bytes_of_preview = image_preview(path).data  # what the worker will make: the same library, the same bytes
    planted = api.upload(bytes_of_preview, filename="x.html", media_type="text/html")
    assert planted.status_code == 201

    version = api.upload(path.read_bytes(), filename=path.name, media_type="image/jpeg").json()
    response = api.get(str(version["preview_url"]))

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == bytes_of_preview
