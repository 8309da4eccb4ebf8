"""Places pages: Vietnamese alphabetical order; no link to a unit the user cannot open."""

from server.core.text import vi_sort_key


def test_communes_are_listed_in_vietnamese_order(client, make_user, login):
    login(make_user("officer", "20"))
    html = client.get("/places").get_data(as_text=True)
    names = ["Xã Bắc Sơn", "Xã Bình Gia"]
    assert all(n in html for n in names)
    assert html.index("Xã Bắc Sơn") < html.index("Xã Bình Gia")
    assert sorted(names, key=vi_sort_key) == names


def test_commune_link_only_for_who_can_open_it(client, make_user, login):
    login(make_user("enumerator", "T-06529-01"))
    html = client.get("/places/T-06529-01").get_data(as_text=True)
    assert 'href="/places/06529"' not in html
    login(make_user("supervisor", "06529"))
    html = client.get("/places/T-06529-01").get_data(as_text=True)
    assert 'href="/places/06529"' in html
