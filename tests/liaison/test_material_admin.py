"""Attaching papers to a meeting in the admin: upload a file (kept in the protected "Meeting
materials" collection) or choose a document, change who it is shared with or its agenda
item, detach it. The delegation and the Secretariat may; a meeting one may not see answers
404, one one sees but may not change 403; bad input is a form error, never a server error."""

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Collection

from liaison import visibility
from liaison.meetings import materials, materials_admin
from liaison.models import AgendaItem, MeetingMaterial
from tests.factories import make_user
from tests.liaison.factories import make_meeting
from tests.liaison.materials import Document, PapersTestCase, Shared, attach, make_document

HUGE = "99999999999999999999"  # more than SQLite and PostgreSQL integers hold


def add_url(meeting):
    return f"/admin/liaison/meetings/{meeting.pk}/materials/add/"


def pdf(name="potency-matrix_v2.pdf", content=b"%PDF-1.4 matrix"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class AttachTestCase(PapersTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.meeting_page = reverse(
            "wagtailsnippets_liaison_meeting:inspect", args=[cls.meeting.pk]
        )
        # May change the meeting (on its delegation), but handles no documents in Wagtail.
        cls.no_documents = make_user()
        cls.no_documents.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_meeting", "access_admin"])
        )
        # On the delegation, and may choose documents in every collection (position annexes).
        cls.editor = make_user("Policy editors")
        cls.meeting.delegation.add(cls.no_documents, cls.editor)
        cls.meeting.save()  # a ParentalManyToManyField: saved with the meeting
        cls.secret_meeting = make_meeting(
            cls.regulator, title="Enforcement call", visibility="confidential"
        )

    def post(self, user, data, meeting=None, query=""):
        self.client.force_login(user)
        return self.client.post(add_url(meeting or self.meeting) + query, data)

    def form_errors(self, response):
        self.assertEqual(response.status_code, 200)
        return response.context["form"].errors

    def test_a_delegate_uploads_a_paper_into_the_protected_collection(self):
        before = MeetingMaterial.objects.count()
        response = self.post(
            self.delegate,
            {"file": pdf(), "agenda_item": self.open_item.pk, "audience": "invitees"},
        )

        self.assertRedirects(response, self.meeting_page, fetch_redirect_response=False)
        material = MeetingMaterial.objects.latest("pk")
        document = material.document
        self.assertEqual(MeetingMaterial.objects.count(), before + 1)
        self.assertEqual(document.title, "potency matrix v2")
        self.assertEqual(document.collection, materials.collection())
        self.assertTrue(materials.is_meeting_material(document))
        self.assertEqual(document.uploaded_by_user, self.delegate)
        self.assertEqual(document.file_size, len(b"%PDF-1.4 matrix"))
        self.assertTrue(document.file_hash)
        self.assertEqual(
            (material.meeting, material.agenda_item, material.audience, material.added_by),
            (self.meeting, self.open_item, Shared.INVITEES, self.delegate),
        )

    def test_a_title_from_the_file_name_drops_invisible_characters(self):
        self.post(
            self.secretariat, {"file": pdf("\u202etxt.exe_slides\x07.pdf"), "audience": "public"}
        )
        self.assertEqual(MeetingMaterial.objects.latest("pk").document.title, "txt.exe slides")

    def test_a_title_given_is_kept(self):
        self.post(self.secretariat, {"file": pdf(), "title": " Matrix ", "audience": "public"})
        self.assertEqual(MeetingMaterial.objects.latest("pk").document.title, "Matrix")

    def test_choosing_a_document_of_the_collection(self):
        slides = make_document("Regulator slides", uploaded_by=self.delegate)

        response = self.post(self.delegate, {"document": slides.pk, "audience": "delegation"})

        self.assertEqual(response.status_code, 302)
        material = MeetingMaterial.objects.get(document=slides)
        self.assertEqual((material.agenda_item, material.audience), (None, Shared.DELEGATION))

    def test_a_document_outside_the_collection_can_only_be_public(self):
        response = self.post(
            self.editor, {"document": self.position_annex.pk, "audience": "invitees"}
        )

        (error,) = self.form_errors(response)["audience"]
        self.assertIn("anyone can download it", error)
        self.assertIn("upload the file on this page instead", error)
        self.assertFalse(MeetingMaterial.objects.filter(document=self.position_annex).exists())

        response = self.post(
            self.editor, {"document": self.position_annex.pk, "audience": "public"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(MeetingMaterial.objects.filter(document=self.position_annex).exists())

    def test_a_document_wagtail_does_not_let_one_choose_is_refused(self):
        # The Secretariat handles meeting papers, not the documents of policy positions.
        response = self.post(
            self.secretariat, {"document": self.position_annex.pk, "audience": "public"}
        )
        self.assertEqual(
            self.form_errors(response)["document"], ["You may not use this document."]
        )

    def test_a_paper_one_may_not_open_cannot_be_brought_here(self):
        # Another meeting's delegation-only paper: the delegate here is not on that one.
        elsewhere = make_meeting(self.regulator, title="Other call", delegation=[self.secretariat])
        theirs = attach(elsewhere, make_document("Their notes"), Shared.DELEGATION)

        response = self.post(
            self.delegate, {"document": theirs.document.pk, "audience": "delegation"}
        )

        self.assertEqual(
            self.form_errors(response)["document"], ["You may not use this document."]
        )
        self.assertEqual(theirs.document.meeting_uses.count(), 1)

    def test_a_paper_is_not_shared_more_widely_than_where_it_is_attached(self):
        # A confidential item's paper stays with the delegation, however it is marked.
        document = self.of_secret_item.document
        response = self.post(
            self.secretariat,
            {"document": document.pk, "agenda_item": self.open_item.pk, "audience": "invitees"},
        )
        self.assertIn("shared with fewer people", self.form_errors(response)["audience"][0])

        response = self.post(
            self.secretariat,
            {"document": document.pk, "agenda_item": self.open_item.pk, "audience": "delegation"},
        )
        self.assertEqual(response.status_code, 302)

    def test_the_same_paper_twice_in_one_place_is_refused(self):
        response = self.post(
            self.secretariat,
            {
                "document": self.for_invitees.document.pk,
                "agenda_item": self.open_item.pk,
                "audience": "invitees",
            },
        )
        self.assertIn("already attached", self.form_errors(response)["__all__"][0])

    def test_bad_input_is_a_form_error(self):
        other_item = AgendaItem.objects.create(meeting=self.members_meeting, title="Elsewhere")
        cases = {
            "nothing": ({"audience": "public"}, "__all__"),
            "both": (
                {"file": pdf(), "document": self.position_annex.pk, "audience": "public"},
                "__all__",
            ),  # fmt: skip
            "another meeting's item": (
                {"file": pdf(), "agenda_item": other_item.pk, "audience": "public"},
                "agenda_item",
            ),
            "huge item": (
                {"file": pdf(), "agenda_item": HUGE, "audience": "public"},
                "agenda_item",
            ),
            "word item": (
                {"file": pdf(), "agenda_item": "abc", "audience": "public"},
                "agenda_item",
            ),
            "huge document": ({"document": HUGE, "audience": "public"}, "document"),
            "unknown document": ({"document": "999999", "audience": "public"}, "document"),
            "no audience": ({"file": pdf()}, "audience"),
            "odd audience": ({"file": pdf(), "audience": "everyone"}, "audience"),
            "program": ({"file": pdf("setup.exe"), "audience": "public"}, "file"),
            "empty file": ({"file": pdf(content=b""), "audience": "public"}, "file"),
            "control characters": (
                {"file": pdf(), "title": "Matrix\x07\u202e", "audience": "public"},
                "title",
            ),
        }
        before = (MeetingMaterial.objects.count(), Document.objects.count())
        for label, (data, field) in cases.items():
            with self.subTest(label):
                errors = self.form_errors(self.post(self.secretariat, data))
                self.assertIn(field, errors)
        self.assertEqual((MeetingMaterial.objects.count(), Document.objects.count()), before)

    def test_the_agenda_choice_lists_this_meetings_items_and_takes_the_one_asked_for(self):
        AgendaItem.objects.create(meeting=self.members_meeting, title="Elsewhere")
        self.client.force_login(self.delegate)

        response = self.client.get(add_url(self.meeting) + f"?agenda_item={self.secret_item.pk}")

        self.assertEqual(response.status_code, 200)
        field = response.context["form"]["agenda_item"]
        self.assertEqual(field.value(), self.secret_item.pk)
        labels = [label for _value, label in field.field.choices]
        self.assertEqual(
            labels, ["The whole meeting", "Potency assays", "Pricing strategy (confidential)"]
        )
        self.assertContains(response, 'enctype="multipart/form-data"')
        for bad in (HUGE, "abc", str(self.members_meeting.pk + 1000)):
            response = self.client.get(add_url(self.meeting) + f"?agenda_item={bad}")
            self.assertIsNone(response.context["form"]["agenda_item"].value())

    def test_who_may_attach(self):
        self.client.force_login(self.delegate)
        self.assertEqual(self.client.get(add_url(self.meeting)).status_code, 200)
        for user, meeting, status in (
            (self.reader, self.meeting, 403),  # sees it, not on the delegation
            (self.other_delegate, self.meeting, 403),
            (self.no_documents, self.meeting, 403),  # on it, but handles no documents
            (self.other_delegate, self.secret_meeting, 404),  # may not see it at all
            (self.secretariat, self.secret_meeting, 200),
        ):
            with self.subTest(user=user.username, meeting=meeting.title):
                self.client.force_login(user)
                self.assertEqual(self.client.get(add_url(meeting)).status_code, status)
                response = self.client.post(
                    add_url(meeting), {"file": pdf(), "audience": "public"}
                )
                self.assertEqual(response.status_code, 302 if status == 200 else status)

    def test_unknown_and_impossible_meetings_are_404(self):
        self.client.force_login(self.secretariat)
        for meeting_id in ("999999", HUGE, "abc", "-1"):
            with self.subTest(meeting_id=meeting_id):
                response = self.client.get(f"/admin/liaison/meetings/{meeting_id}/materials/add/")
                self.assertEqual(response.status_code, 404)

    def test_anonymous_is_sent_to_sign_in(self):
        response = self.client.get(add_url(self.meeting))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_it_goes_back_to_a_local_next_only(self):
        cases = {
            "/admin/snippets/liaison/meeting/": "/admin/snippets/liaison/meeting/",
            "https://evil.example/": self.meeting_page,
            "//evil.example/x": self.meeting_page,
            "/\\evil.example": self.meeting_page,
            "javascript:alert(1)": self.meeting_page,
        }
        for next_url, expected in cases.items():
            with self.subTest(next_url=next_url):
                response = self.post(
                    self.secretariat,
                    {"file": pdf(), "audience": "public", "next": next_url},
                )
                self.assertEqual(response["Location"], expected)

    def test_the_urls_the_meeting_page_uses(self):
        self.assertEqual(materials_admin.add_url(self.meeting), add_url(self.meeting))
        self.assertEqual(
            materials_admin.add_url(self.meeting, self.open_item, "/admin/x/?a=1"),
            f"{add_url(self.meeting)}?agenda_item={self.open_item.pk}&next=%2Fadmin%2Fx%2F%3Fa%3D1",
        )
        self.assertEqual(
            materials_admin.edit_url(self.for_public, "/admin/"),
            f"/admin/liaison/materials/{self.for_public.pk}/edit/?next=%2Fadmin%2F",
        )
        self.assertTrue(materials_admin.may_attach(self.delegate, self.meeting))
        self.assertTrue(materials_admin.may_attach(self.secretariat, self.secret_meeting))
        self.assertFalse(materials_admin.may_attach(self.reader, self.meeting))
        self.assertFalse(materials_admin.may_attach(self.no_documents, self.meeting))
        self.assertTrue(visibility.may_change_meeting(self.no_documents, self.meeting))

    def test_without_the_collection_nobody_attaches_and_nothing_is_uploaded(self):
        Collection.objects.filter(name=materials.NAME).update(name="Renamed")
        self.assertFalse(materials_admin.may_attach(self.secretariat, self.meeting))
        response = self.post(self.secretariat, {"file": pdf(), "audience": "delegation"})
        self.assertEqual(response.status_code, 403)


class ChangeAndDetachTestCase(PapersTestCase):
    def edit_url(self, material):
        return f"/admin/liaison/materials/{material.pk}/edit/"

    def detach_url(self, material):
        return f"/admin/liaison/materials/{material.pk}/detach/"

    def test_the_delegation_moves_a_paper_and_shares_it_differently(self):
        self.client.force_login(self.delegate)
        page = self.client.get(self.edit_url(self.for_public))
        self.assertEqual(page.context["form"]["audience"].value(), "public")

        response = self.client.post(
            self.edit_url(self.for_public),
            {"agenda_item": self.secret_item.pk, "audience": "invitees", "next": "/admin/"},
        )

        self.assertEqual(response["Location"], "/admin/")
        self.for_public.refresh_from_db()
        self.assertEqual(
            (self.for_public.agenda_item, self.for_public.audience),
            (self.secret_item, Shared.INVITEES),
        )

    def test_a_document_outside_the_collection_stays_public(self):
        annex = attach(self.meeting, self.position_annex, Shared.PUBLIC)
        self.client.force_login(self.secretariat)

        response = self.client.post(self.edit_url(annex), {"audience": "delegation"})

        self.assertIn("anyone can download it", response.context["form"].errors["audience"][0])
        annex.refresh_from_db()
        self.assertEqual(annex.audience, Shared.PUBLIC)

    def test_moving_onto_an_item_that_has_it_already_is_refused(self):
        twin = attach(self.meeting, self.for_invitees.document, Shared.INVITEES)
        self.client.force_login(self.secretariat)

        response = self.client.post(
            self.edit_url(twin), {"agenda_item": self.open_item.pk, "audience": "invitees"}
        )

        self.assertIn("already attached", response.context["form"].errors["__all__"][0])

    def test_who_may_change_and_detach(self):
        for user, material, status in (
            # Sees the meeting and is shown the paper, may not change: 403.
            (self.reader, self.for_invitees, 403),
            # Not shown the paper (delegation only, or of a confidential item): 404.
            (self.reader, self.for_delegation, 404),
            (self.other_delegate, self.of_secret_item, 404),
            (self.secretariat, self.of_secret_item, 200),
        ):
            for url in (self.edit_url(material), self.detach_url(material)):
                with self.subTest(user=user.username, url=url):
                    self.client.force_login(user)
                    self.assertEqual(self.client.get(url).status_code, status)
        self.client.force_login(self.reader)
        self.assertEqual(self.client.post(self.detach_url(self.for_invitees)).status_code, 403)
        self.assertTrue(MeetingMaterial.objects.filter(pk=self.for_invitees.pk).exists())

    def test_unknown_and_impossible_papers_are_404(self):
        self.client.force_login(self.secretariat)
        for pk in ("999999", HUGE, "abc"):
            for url in (
                f"/admin/liaison/materials/{pk}/edit/",
                f"/admin/liaison/materials/{pk}/detach/",
            ):
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)

    def test_detaching_asks_first_and_keeps_the_document(self):
        self.client.force_login(self.delegate)
        asked = self.client.get(self.detach_url(self.for_invitees))
        self.assertContains(asked, "Assay survey results")
        self.assertTrue(MeetingMaterial.objects.filter(pk=self.for_invitees.pk).exists())

        response = self.client.post(self.detach_url(self.for_invitees))

        self.assertEqual(
            response["Location"],
            reverse("wagtailsnippets_liaison_meeting:inspect", args=[self.meeting.pk]),
        )
        self.assertFalse(MeetingMaterial.objects.filter(pk=self.for_invitees.pk).exists())
        self.assertTrue(Document.objects.filter(pk=self.for_invitees.document_id).exists())
