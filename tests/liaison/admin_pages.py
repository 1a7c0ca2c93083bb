"""Reading pages of the liaison admin."""

SNIPPETS = "/admin/snippets/liaison/"


def meeting_page(client, meeting):
    """The text of the meeting form's two read-only panels (checks, carried forward)."""
    from html.parser import HTMLParser

    response = client.get(f"{SNIPPETS}meeting/edit/{meeting.pk}/")
    assert response.status_code == 200, response.status_code

    class Panels(HTMLParser):
        depth, text = 0, []

        def handle_starttag(self, tag, attrs):
            names = {name for name, _ in attrs}
            if self.depth or names & {"data-meeting-checks", "data-carried-forward"}:
                self.depth += 1

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                self.text.append(data)

    parser = Panels()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.text).split())
