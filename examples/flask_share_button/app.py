"""A Flask backend with a "Share" button: each record of the app can be shared read-only through
Keyhole (the record is pushed as a resource, a link is made), its links listed with their views,
and revoked. The record's `internal_notes` are redacted: viewers see `***`.

    export KEYHOLE_API_URL=http://127.0.0.1:8000 KEYHOLE_API_KEY=kh_...   # e.g. from .keyhole/local.json
    flask --app examples/flask_share_button/app.py run --port 5000
"""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, render_template_string, url_for
from keyhole_client import Keyhole

RECORDS: dict[str, dict[str, Any]] = {
    "invoice-42": {
        "customer": "Globex",
        "total": 1250.5,
        "currency": "EUR",
        "internal_notes": "pays late",
        "lines": [{"item": "Widgets", "qty": 10, "price": 100}, {"item": "Support", "qty": 1, "price": 250.5}],
    },
    "invoice-43": {
        "customer": "Initech",
        "total": 99.0,
        "currency": "EUR",
        "internal_notes": "",
        "lines": [{"item": "Stapler", "qty": 1, "price": 99.0}],
    },
}

PAGE = """<!doctype html><title>Invoices</title>
<h1>Invoices</h1>
{% for id, record in records.items() %}
  <section><h2><a href="{{ url_for('record', record_id=id) }}">{{ id }}</a></h2>
  <p>{{ record.customer }}: {{ record.total }} {{ record.currency }}</p>
  <form method="post" action="{{ url_for('share', record_id=id) }}"><button>Share</button></form></section>
{% endfor %}"""

RECORD = """<!doctype html><title>{{ record_id }}</title>
<h1>{{ record_id }}</h1>
{% if new_url %}<p>Anyone with this link can view {{ record_id }}:
<input readonly value="{{ new_url }}" id="share-url"></p>{% endif %}
<form method="post" action="{{ url_for('share', record_id=record_id) }}"><button>Share</button></form>
<table id="links"><tr><th>link</th><th>status</th><th>views</th><th></th></tr>
{% for link in links %}<tr data-link="{{ link.id }}">
<td>{{ link.label or link.token_preview }}</td><td>{{ link.status }}</td><td>{{ link.view_count }}</td>
<td>{% if link.status == 'active' %}<form method="post"
action="{{ url_for('revoke', record_id=record_id, link_id=link.id) }}"><button>Revoke</button></form>{% endif %}</td>
</tr>
{% endfor %}</table>"""


def resource_id(record_id: str) -> str:
    return f"invoice:{record_id}"


def create_app(kh: Keyhole | None = None, records: dict[str, dict[str, Any]] | None = None) -> Flask:
    app = Flask(__name__)
    client = kh or Keyhole.from_env()
    data = RECORDS if records is None else records

    @app.get("/")
    def index() -> str:
        return render_template_string(PAGE, records=data)

    @app.get("/records/<record_id>")
    def record(record_id: str, new_url: str | None = None) -> str:
        links = list(client.links.list(resource_id(record_id), status="all")) if record_id in data else []
        return render_template_string(RECORD, record_id=record_id, links=links, new_url=new_url)

    @app.post("/records/<record_id>/share")
    def share(record_id: str) -> Any:
        if record_id not in data:
            return "no such record", 404
        # Push the record as it is now (PUT replaces; the redaction rule is always sent), then link it.
        client.resources.put(
            resource_id(record_id),
            type="invoice",
            name=f"Invoice {record_id}",
            document=data[record_id],
            redact=["internal_notes"],
        )
        link = client.links.create(resource_id(record_id), label=f"Shared from the app: {record_id}", expires_in="7d")
        return record(record_id, new_url=link.url)  # the URL is shown once, here

    @app.post("/records/<record_id>/links/<link_id>/revoke")
    def revoke(record_id: str, link_id: str) -> Any:
        client.links.revoke(link_id)
        return redirect(url_for("record", record_id=record_id))

    return app


if __name__ == "__main__":
    create_app().run(port=5000)
