"""Icons: every state has a crisp SVG in both variants, names and caching are stable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage

from rostray.gui.icons import (
    MAX_BADGE,
    IconSet,
    TrayState,
    app_icon_path,
    icon_name,
    icon_path,
    variant_for,
)

ALL_NAMES = [
    icon_name(state, count, variant)
    for variant in ("light", "dark")
    for state in TrayState
    for count in (range(1, MAX_BADGE + 2) if state is TrayState.BUSY else [0])
]


@pytest.fixture(autouse=True)
def _app(qapp) -> None:
    """QIcon/QPixmap need a QGuiApplication."""


def render(name: str, size: int = 22, dpr: float = 2.0) -> QImage:
    pixmap = IconSet().get(name).pixmap(QSize(size, size), dpr)
    return pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)


def ink(image: QImage) -> list[QColor]:
    """The clearly visible pixels."""
    return [
        image.pixelColor(x, y)
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() > 200
    ]


def test_names() -> None:
    assert icon_name(TrayState.IDLE) == "tray-idle-dark.svg"
    assert icon_name(TrayState.BUSY, 2, "light") == "tray-busy-2-light.svg"
    assert icon_name(TrayState.BUSY, 0) == "tray-busy-1-dark.svg"
    assert icon_name(TrayState.BUSY, 10) == "tray-busy-9plus-dark.svg"
    assert icon_name(TrayState.TUNNEL_DOWN, 3) == "tray-tunnel-down-dark.svg"
    with pytest.raises(ValueError):
        icon_name(TrayState.IDLE, 0, "sepia")
    assert len(set(ALL_NAMES)) == 2 * (4 + MAX_BADGE + 1)


def test_variant_follows_the_colour_scheme() -> None:
    assert variant_for(Qt.ColorScheme.Light) == "light"
    assert variant_for(Qt.ColorScheme.Dark) == "dark"
    assert variant_for(Qt.ColorScheme.Unknown) == "dark"


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_icon_renders_at_the_device_pixel_ratio(name: str) -> None:
    assert icon_path(name).read_text(encoding="utf-8").lstrip().startswith("<svg")
    image = render(name, 22, 2.0)
    assert (image.width(), image.height()) == (44, 44)  # rendered from the vector at 2x
    assert len(ink(image)) > 60


def test_variants_contrast_with_their_panel() -> None:
    light = ink(render("tray-idle-light.svg"))
    dark = ink(render("tray-idle-dark.svg"))
    assert max(c.lightness() for c in light) < 100  # dark glyph for light panels
    assert min(c.lightness() for c in dark) > 150  # light glyph for dark panels


def test_badges_differ_per_count() -> None:
    images = [render(icon_name(TrayState.BUSY, n)) for n in (1, 2, 10)]
    assert images[0] != images[1] != images[2]


def test_the_cache_keeps_one_qicon_per_file() -> None:
    icons = IconSet()
    first = icons.tray(TrayState.FAILED)
    assert icons.tray(TrayState.FAILED).cacheKey() == first.cacheKey()
    assert icons.tray(TrayState.SUCCEEDED).cacheKey() != first.cacheKey()


def test_app_icon_is_colour() -> None:
    assert app_icon_path().name == "rostray.svg"
    image = IconSet().app().pixmap(QSize(32, 32), 1.0).toImage()
    colours = ink(image.convertToFormat(QImage.Format.Format_ARGB32))
    assert any(c.saturation() > 200 for c in colours)
