from glide_desktop.document.geometry import Rect


def test_intersect_union_clip():
    a, b = Rect(0, 0, 10, 10), Rect(5, 6, 10, 10)
    assert a.intersect(b) == Rect(5, 6, 5, 4)
    assert a.union(b) == Rect(0, 0, 15, 16)
    assert Rect(-3, -2, 10, 10).clip(5, 4) == Rect(0, 0, 5, 4)
    assert a.intersect(Rect(20, 20, 2, 2)).is_empty()
    assert a.union(Rect(50, 50, 0, 0)) == a


def test_around_covers_disc_and_slices():
    r = Rect.around(10.5, 4.0, 2.0)
    assert r.x <= 8 and r.right >= 13 and r.y <= 2 and r.bottom >= 6
    rows, cols = Rect(2, 3, 4, 5).slices(1, 1)
    assert (rows, cols) == (slice(2, 7), slice(1, 5))
    assert Rect(0, 0, 10, 10).contains(Rect(2, 2, 3, 3))
    assert not Rect(0, 0, 10, 10).contains(Rect(8, 8, 3, 3))
