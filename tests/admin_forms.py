"""What a Django admin change page posts when its user presses save without touching anything: the start of
every test that edits one field of an admin form the way a browser would."""


def _posted(value) -> str | list[str] | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None  # an unticked box is not posted at all
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    return str(getattr(value, "pk", value))


def admin_form_data(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = _posted(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value
    return data
