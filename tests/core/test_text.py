"""Vietnamese alphabetical order."""

from server.core.text import vi_sort_key


def test_vietnamese_alphabet_order():
    names = ["Xã Bình Gia", "Xã Bắc Sơn", "Xã Đình Lập", "Xã Dân Hoá", "Xã Ái Quốc", "Xã An Bình", "Xã Âm Hạ"]
    assert sorted(names, key=vi_sort_key) == [
        "Xã Ái Quốc", "Xã An Bình", "Xã Âm Hạ", "Xã Bắc Sơn", "Xã Bình Gia", "Xã Dân Hoá", "Xã Đình Lập"]


def test_case_and_normalisation_do_not_matter():
    assert vi_sort_key("Lộc Bình") == vi_sort_key("lộc bình") == vi_sort_key("Lo\u0323\u0302c Bi\u0300nh")
