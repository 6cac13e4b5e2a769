"""Editors for a template's Parameters, built from the shared template model.

Each ``ParameterField`` owns its input widget, an error line and the help text under it, and
speaks plain strings (what ROS receives). Validation is the core's ``coerce_parameter`` and
``resolve_parameters``, so the form, the CLI and the sandbox agree on every message.

Template text is hostile: labels use ``Qt.PlainText`` and tooltips are escaped, so a label
like ``<b>x</b>`` or ``<a href=…>`` shows literally and never becomes markup or a link.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rostray.core.templates import (
    ParameterError,
    ParameterErrors,
    ParameterSpec,
    Template,
    coerce_parameter,
    format_value,
    pick_text,
    resolve_parameters,
)

ERROR_COLOR = "#d32f2f"
_INT_LIMIT = 2_147_483_647  # QSpinBox is a C int
_FLOAT_LIMIT = 1e15
_TEXT_LINES = 4

# --- plain-text helpers (shared with the launch form) ---------------------------------------


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    """A QLabel that can never interpret its text as rich text (template text is hostile)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    return label


def plain_tooltip(text: str) -> str:
    """Tooltips guess rich text from the content, so escape and wrap it to keep it literal."""
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{html.escape(text, quote=False)}</p>"


def muted_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """Small secondary text (help, hints), coloured from the palette so dark themes work."""
    label = plain_label(text, parent, wrap=True)
    font = label.font()
    font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
    label.setFont(font)
    palette = label.palette()
    palette.setColor(
        QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
    )
    label.setPalette(palette)
    label.setVisible(bool(text))
    return label


def error_label(parent: QWidget | None = None) -> QLabel:
    label = plain_label("", parent, wrap=True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(ERROR_COLOR))
    label.setPalette(palette)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(False)
    return label


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Red border on text inputs; a red tint on spin boxes and combos (a border stylesheet
    would make Qt drop their native arrows). The ``invalid`` property is set either way."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        selector = "QLineEdit" if isinstance(widget, QLineEdit) else "QPlainTextEdit"
        widget.setStyleSheet(
            f"{selector} {{ border: 1px solid {ERROR_COLOR}; border-radius: 3px; }}"
            if invalid
            else ""
        )
        return
    if not invalid:
        widget.setPalette(QPalette())  # back to the inherited palette
        return
    palette = widget.palette()
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        palette.setColor(role, _tint(palette.color(role)))
    widget.setPalette(palette)


def _tint(color: QColor, amount: float = 0.22) -> QColor:
    red = QColor(ERROR_COLOR)
    return QColor(
        round(color.red() * (1 - amount) + red.red() * amount),
        round(color.green() * (1 - amount) + red.green() * amount),
        round(color.blue() * (1 - amount) + red.blue() * amount),
    )


def show_error(label: QLabel, widget: QWidget | None, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))
    if widget is not None:
        mark_invalid(widget, bool(message))


class _WheelGuard(QObject):
    """Scrolling a long form must not change a spin box or combo the pointer passes over."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        wheel = event.type() == QEvent.Type.Wheel
        if wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()
            return True
        return False


_WHEEL_GUARD: _WheelGuard | None = None


def guard_wheel(widget: QWidget) -> None:
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard()
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_WHEEL_GUARD)


# --- one field ----------------------------------------------------------------------------


class ParameterField(QObject):
    """One parameter: an editor whose value is the string ROS receives, plus error and help.

    Widgets that cannot show every string (a spin box, a combo, a check box) keep a value
    they cannot represent as an *override*, so a bad prefilled value is reported, not
    silently clamped to something the user never asked for.
    """

    edited = Signal(str)  # the parameter key, on every user edit

    def __init__(
        self, spec: ParameterSpec, language: str = "en", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.language = language
        self._override: str | None = None
        self._setting = False
        self.touched = False
        self.editor = self._build_editor()
        self.editor.setObjectName(f"param-{spec.key}")
        self.label = plain_label(spec.label_text(language))
        self.label.setToolTip(plain_tooltip(spec.key))
        self.label.setBuddy(self.editor)
        self.error_label = error_label()
        description = spec.description_text(language)
        self.help_label = muted_label(description)
        self.hint_label = muted_label(self._hint_text())
        self.editor.setToolTip(plain_tooltip(description))
        self.container = QWidget()
        box = QVBoxLayout(self.container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.editor)
        box.addWidget(self.error_label)
        box.addWidget(self.help_label)
        box.addWidget(self.hint_label)
        if spec.has_default and spec.default is not None:
            self._setting = True
            try:
                if not self._show_default():
                    self._override = spec.display_default()
            finally:
                self._setting = False
        self._connect_edits()
        self.validate_live()

    # -- what subclasses provide --

    def _build_editor(self) -> QWidget:
        raise NotImplementedError

    def _connect_edits(self) -> None:
        raise NotImplementedError

    def _editor_text(self) -> str:
        raise NotImplementedError

    def _set_editor_text(self, value: str) -> bool:
        """Show ``value``; False when the editor cannot represent it exactly."""
        raise NotImplementedError

    def _show_default(self) -> bool:
        return self._set_editor_text(self.spec.display_default())

    def _hint_text(self) -> str:
        prop = self.spec.association_property
        if not prop:
            return ""
        return self.tr("Console picker: {0}").format(prop)

    # -- value --

    def text(self) -> str:
        return self._override if self._override is not None else self._editor_text()

    def set_text(self, value: str) -> None:
        """Set a value programmatically (prefill); an invalid one is shown as an error."""
        self._setting = True
        try:
            self._override = None
            if not self._set_editor_text(value):
                self._override = value
        finally:
            self._setting = False
        self.validate_live()

    def provided(self) -> bool:
        """Whether to send a value: an empty optional field leaves the template default."""
        return self.text() != "" or (self.spec.has_default and self.spec.default is not None)

    def rows(self) -> list[tuple[QLabel, QWidget]]:
        return [(self.label, self.container)]

    def focus_widget(self) -> QWidget:
        return self.editor

    def _on_user_edit(self, *_: Any) -> None:
        if self._setting:
            return
        self._override = None
        self.touched = True
        self.validate_live()
        self.edited.emit(self.spec.key)

    # -- validation --

    def live_error(self) -> str | None:
        """The problem with the current value, checked with the core's coerce_parameter."""
        text = self.text()
        if text == "":
            return None  # "required" is reported on submit, not while the user starts typing
        try:
            coerce_parameter(self.spec, text)
        except ParameterError as exc:
            return self.describe(exc)
        return None

    def validate_live(self) -> str | None:
        message = self.live_error()
        self.set_error(message)
        return message

    def final_errors(self) -> bool:
        """Checks only the widget knows about (a confirmation); True when they pass."""
        return True

    def describe(self, exc: ParameterError) -> str:
        """A core error as a message next to the field: short, and in the UI language."""
        if exc.code == "UserParameterMissing":
            return self.tr("Required.")
        if exc.code == "StackValidationFailed" and self.spec.constraint_description is not None:
            custom = pick_text(self.spec.constraint_description, self.language)
            if custom:
                return custom
        message = exc.message.removeprefix(f"Parameter '{self.spec.key}' is invalid: ")
        message = message[:1].upper() + message[1:]
        return message if message.endswith(".") else message + "."

    def set_error(self, message: str | None) -> None:
        show_error(self.error_label, self.editor, message)

    def error(self) -> str:
        return self.error_label.text()

    def has_error(self) -> bool:
        return bool(self.error_label.text())


class LineField(ParameterField):
    """String, CommaDelimitedList and OOS parameter values: one line of text."""

    def _build_editor(self) -> QWidget:
        edit = QLineEdit()
        edit.setClearButtonEnabled(True)
        if self.spec.type == "CommaDelimitedList":
            edit.setPlaceholderText(self.tr("value1,value2,value3"))
        elif self.spec.association_property:
            edit.setPlaceholderText(self.spec.association_property.rsplit("::", 1)[-1])
        elif not self.spec.has_default:
            edit.setPlaceholderText(self.tr("Required"))
        return edit

    def _hint_text(self) -> str:
        hint = super()._hint_text()
        if self.spec.type == "CommaDelimitedList":
            parts = [self.tr("Comma-separated list."), hint]
            return " ".join(p for p in parts if p)
        return hint

    def _connect_edits(self) -> None:
        self.editor.textChanged.connect(self._on_user_edit)

    def _editor_text(self) -> str:
        return self.editor.text()

    def _set_editor_text(self, value: str) -> bool:
        self.editor.setText(value)
        return True


class SecretField(LineField):
    """NoEcho: a masked line edit; with ``Confirm: true`` a second one that must match."""

    def __init__(
        self, spec: ParameterSpec, language: str = "en", parent: QObject | None = None
    ) -> None:
        super().__init__(spec, language, parent)
        self.confirm_label: QLabel | None = None
        self.confirm_error_label: QLabel | None = None
        self._confirm_container: QWidget | None = None
        if self.confirm_editor is not None:
            self.confirm_label = plain_label(
                self.tr("Confirm {0}").format(spec.label_text(language))
            )
            self.confirm_label.setToolTip(plain_tooltip(spec.key))
            self.confirm_label.setBuddy(self.confirm_editor)
            self.confirm_editor.setPlaceholderText(self.tr("Type it again"))
            self.confirm_error_label = error_label()
            self._confirm_container = QWidget()
            box = QVBoxLayout(self._confirm_container)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(self.confirm_editor)
            box.addWidget(self.confirm_error_label)
            self.confirm_editor.textChanged.connect(self._on_confirm_edit)

    def _build_editor(self) -> QWidget:
        # Called from the base __init__, before anything here may set attributes.
        self.confirm_editor: QLineEdit | None = None
        if self.spec.confirm:
            self.confirm_editor = QLineEdit()
            self.confirm_editor.setEchoMode(QLineEdit.EchoMode.Password)
            self.confirm_editor.setObjectName(f"param-{self.spec.key}-confirm")
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        if not self.spec.has_default:
            edit.setPlaceholderText(self.tr("Required"))
        return edit

    def _set_editor_text(self, value: str) -> bool:
        self.editor.setText(value)
        if self.confirm_editor is not None:
            self.confirm_editor.setText(value)  # a hand-over gives the secret once
        return True

    def rows(self) -> list[tuple[QLabel, QWidget]]:
        rows = super().rows()
        if self.confirm_label is not None and self._confirm_container is not None:
            rows.append((self.confirm_label, self._confirm_container))
        return rows

    def _on_confirm_edit(self, *_: Any) -> None:
        self.confirm_mismatch(final=False)

    def _on_user_edit(self, *_: Any) -> None:
        super()._on_user_edit()
        if not self._setting:
            self.confirm_mismatch(final=False)

    def confirm_mismatch(self, *, final: bool) -> bool:
        """Show (and return) a mismatch; while typing, only once both fields have text."""
        if self.confirm_editor is None or self.confirm_error_label is None:
            return False
        typed = self.confirm_editor.text()
        mismatch = typed != self.editor.text() and (final or typed != "")
        message = self.tr("The two entries do not match.") if mismatch else None
        show_error(self.confirm_error_label, self.confirm_editor, message)
        return mismatch

    def confirm_error(self) -> str:
        return self.confirm_error_label.text() if self.confirm_error_label is not None else ""

    def final_errors(self) -> bool:
        return not self.confirm_mismatch(final=True)

    def focus_widget(self) -> QWidget:
        if self.confirm_editor is not None and self.confirm_error() and not self.has_error():
            return self.confirm_editor
        return self.editor


class TextAreaField(ParameterField):
    """String with ``TextArea: true``: several lines, sent as typed."""

    def _build_editor(self) -> QWidget:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        _fit_lines(edit, _TEXT_LINES)
        return edit

    def _connect_edits(self) -> None:
        self.editor.textChanged.connect(self._on_user_edit)

    def _editor_text(self) -> str:
        return self.editor.toPlainText()

    def _set_editor_text(self, value: str) -> bool:
        self.editor.setPlainText(value)
        return True


class JsonField(TextAreaField):
    """Json: monospaced text checked as JSON on every keystroke (red border + message)."""

    def _build_editor(self) -> QWidget:
        edit = super()._build_editor()
        edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        edit.setPlaceholderText('{"key": "value"}')
        _fit_lines(edit, _TEXT_LINES)
        return edit

    def _show_default(self) -> bool:
        default = self.spec.default
        if isinstance(default, str):
            try:
                default = json.loads(default)
            except ValueError:
                return self._set_editor_text(self.spec.default)
        return self._set_editor_text(json.dumps(default, ensure_ascii=False, indent=2))

    def live_error(self) -> str | None:
        if self.text().strip() == "" and self.touched and self.provided():
            return self.tr("Enter a JSON object or array.")
        return super().live_error()


class NumberField(ParameterField):
    """Number: a spin box bounded by MinValue/MaxValue; integral templates get a QSpinBox.

    Without a default the value starts "not set" (one step below the minimum, shown as
    special text), so a required number cannot be sent by accident.
    """

    def _build_editor(self) -> QWidget:
        spec = self.spec
        self.integral = all(_is_integral(v) for v in (spec.default, spec.min_value, spec.max_value))
        self.optional = not (spec.has_default and spec.default is not None)
        box: QAbstractSpinBox
        if self.integral:
            lo = int(spec.min_value) if spec.min_value is not None else -_INT_LIMIT + 1
            hi = int(spec.max_value) if spec.max_value is not None else _INT_LIMIT
            box = QSpinBox()
            box.setRange(lo - 1 if self.optional else lo, hi)
        else:
            lo_f = spec.min_value if spec.min_value is not None else -_FLOAT_LIMIT
            hi_f = spec.max_value if spec.max_value is not None else _FLOAT_LIMIT
            box = QDoubleSpinBox()
            box.setDecimals(_decimals(spec))
            step = 10 ** -box.decimals()
            box.setRange(lo_f - step if self.optional else lo_f, hi_f)
        self.unset_value = box.minimum()
        if self.optional:
            box.setSpecialValueText(self.tr("Not set"))
            box.setValue(box.minimum())
        box.setAccelerated(True)
        box.setKeyboardTracking(True)
        box.setMinimumWidth(120)
        box.setMaximumWidth(220)
        guard_wheel(box)
        return box

    def _hint_text(self) -> str:
        spec = self.spec
        parts = []
        if spec.min_value is not None and spec.max_value is not None:
            parts.append(
                self.tr("From {0} to {1}.").format(
                    format_value(spec.min_value, "Number"), format_value(spec.max_value, "Number")
                )
            )
        elif spec.min_value is not None:
            parts.append(self.tr("At least {0}.").format(format_value(spec.min_value, "Number")))
        elif spec.max_value is not None:
            parts.append(self.tr("At most {0}.").format(format_value(spec.max_value, "Number")))
        hint = super()._hint_text()
        return " ".join(p for p in [*parts, hint] if p)

    def _connect_edits(self) -> None:
        self._range = (self.editor.minimum(), self.editor.maximum())
        self.editor.valueChanged.connect(self._on_user_edit)

    def _on_user_edit(self, *_: Any) -> None:
        if not self._setting and (self.editor.minimum(), self.editor.maximum()) != self._range:
            self._setting = True  # the first edit after an out-of-range prefill: bounds again
            try:
                self.editor.setRange(*self._range)
            finally:
                self._setting = False
        super()._on_user_edit()

    def _editor_text(self) -> str:
        value = self.editor.value()
        if self.optional and value == self.unset_value:
            return ""
        return format_value(value, "Number")

    def _set_editor_text(self, value: str) -> bool:
        box = self.editor
        if hasattr(self, "_range"):
            box.setRange(*self._range)
        if value.strip() == "" and self.optional:
            box.setValue(self.unset_value)
            return True
        try:
            number = float(value)
        except ValueError:
            return False
        if self.integral and (not number.is_integer() or abs(number) >= _INT_LIMIT):
            return False
        step = 1 if self.integral else 10 ** -box.decimals()
        low = box.minimum() + step if self.optional else box.minimum()
        if number > box.maximum() or (number < low and not self.optional):
            # Show the value as given, with its error, rather than clamp it to another one;
            # the bounds come back with the user's first edit.
            box.setRange(min(box.minimum(), number), max(box.maximum(), number))
        elif number < low:
            return False  # below an optional field's "not set" marker: kept as an override
        box.setValue(int(number) if self.integral else number)
        return True


class BooleanField(ParameterField):
    """Boolean: a check box; ROS receives ``true`` or ``false``."""

    def _build_editor(self) -> QWidget:
        return QCheckBox()

    def _connect_edits(self) -> None:
        self.editor.toggled.connect(self._on_user_edit)

    def _editor_text(self) -> str:
        return "true" if self.editor.isChecked() else "false"

    def _set_editor_text(self, value: str) -> bool:
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            return False
        self.editor.setChecked(lowered == "true")
        return True


class ChoiceField(ParameterField):
    """AllowedValues: a combo box; an optional parameter gets a "(none)" entry."""

    def _build_editor(self) -> QWidget:
        combo = QComboBox()
        spec = self.spec
        self.optional = spec.has_default and spec.default is None
        if self.optional:
            combo.addItem(self.tr("(none)"), "")
        for value in spec.allowed_values or ():
            text = format_value(value, spec.type)
            combo.addItem(text, text)
        combo.setPlaceholderText(self.tr("Choose…"))
        combo.setCurrentIndex(0 if self.optional else -1)
        guard_wheel(combo)
        return combo

    def _connect_edits(self) -> None:
        self.editor.currentIndexChanged.connect(self._on_user_edit)

    def _editor_text(self) -> str:
        data = self.editor.currentData()
        return "" if data is None else str(data)

    def _set_editor_text(self, value: str) -> bool:
        combo = self.editor
        if value == "":
            combo.setCurrentIndex(0 if self.optional else -1)
            return True
        index = combo.findData(value)
        if index < 0 and self.spec.type == "Number":
            index = next(
                (i for i in range(combo.count()) if _same_number(combo.itemData(i), value)), -1
            )
        if index < 0:
            return False
        combo.setCurrentIndex(index)
        return True


def create_field(
    spec: ParameterSpec, language: str = "en", parent: QObject | None = None
) -> ParameterField:
    """The editor class a parameter gets, most specific property first."""
    kind = spec.type
    if spec.no_echo and kind != "Boolean":
        return SecretField(spec, language, parent)
    if kind == "Boolean":
        return BooleanField(spec, language, parent)
    if spec.allowed_values and kind not in ("CommaDelimitedList", "Json"):
        return ChoiceField(spec, language, parent)
    if kind == "Number":
        return NumberField(spec, language, parent)
    if kind == "Json":
        return JsonField(spec, language, parent)
    if spec.text_area and kind != "CommaDelimitedList":
        return TextAreaField(spec, language, parent)
    return LineField(spec, language, parent)


# --- all fields of a template ----------------------------------------------------------------


class ParametersPanel(QWidget):
    """The template's parameters as group boxes (Interface groups first, ungrouped last)."""

    edited = Signal(str)

    def __init__(
        self, template: Template, language: str = "en", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.template = template
        self.language = language
        self.fields: dict[str, ParameterField] = {}
        self.sections: list[QGroupBox] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        grouped = template.grouped_parameters()
        for group, specs in grouped:
            if group is not None:
                title = group.label_text(language) or self.tr("Parameters")
            elif len(grouped) > 1:
                title = self.tr("Other parameters")
            else:
                title = self.tr("Parameters")
            box = QGroupBox(title)
            form = make_form_layout(box)
            for spec in specs:
                field = create_field(spec, language, self)
                field.edited.connect(self.edited)
                self.fields[spec.key] = field
                for label, widget in field.rows():
                    form.addRow(label, widget)
            self.sections.append(box)
            layout.addWidget(box)
        if not grouped:
            box = QGroupBox(self.tr("Parameters"))
            inner = QVBoxLayout(box)
            inner.addWidget(muted_label(self.tr("This template has no parameters.")))
            self.sections.append(box)
            layout.addWidget(box)

    def row_labels(self) -> list[QLabel]:
        return [label for f in self.fields.values() for label, _ in f.rows()]

    def section_titles(self) -> list[str]:
        return [box.title() for box in self.sections]

    def field(self, key: str) -> ParameterField:
        return self.fields[key]

    def values(self) -> dict[str, str]:
        """What to send: every field with a value, or whose template default is not null."""
        return {key: f.text() for key, f in self.fields.items() if f.provided()}

    def set_values(self, values: Mapping[str, str]) -> dict[str, str]:
        """Prefill; returns the keys this template does not define (for the caller to report)."""
        unknown = {}
        for key, value in values.items():
            if key in self.fields:
                self.fields[key].set_text(value)
            else:
                unknown[key] = value
        return unknown

    def clear_errors(self) -> None:
        for f in self.fields.values():
            f.set_error(None)
            if isinstance(f, SecretField):
                f.confirm_mismatch(final=False)

    def set_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show messages next to their fields; returns those that name no field."""
        rest = {}
        for key, message in errors.items():
            if key in self.fields:
                self.fields[key].set_error(message)
            else:
                rest[key] = message
        return rest

    def check(self, extra: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
        """Validate for submit: the values to send, and messages that name no field.

        Every problem is shown next to its field; ``resolve_parameters(collect=True)`` gives
        them all at once, the same checks the engine repeats before the API call.
        """
        self.clear_errors()
        given = {**dict(extra or {}), **self.values()}
        general: list[str] = []
        for f in self.fields.values():
            f.final_errors()
        try:
            resolve_parameters(self.template, given, collect=True)
        except ParameterErrors as exc:
            for error in exc.errors:
                f = self.fields.get(error.key)
                if f is not None and error.code != "UnknownUserParameter":
                    f.set_error(f.describe(error))
                else:
                    general.append(error.message)
        return given, general

    def invalid_fields(self) -> list[ParameterField]:
        return [
            f
            for f in self.fields.values()
            if f.has_error() or (isinstance(f, SecretField) and f.confirm_error())
        ]


class FormGrid(QGridLayout):
    """Label | field rows on a grid (QFormLayout mis-sizes rows holding wrapped help text).

    Labels sit at the top of their row, centred on a line edit's height, so they line up
    with the first line of the field whether it is one line or a text area with help below.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalSpacing(12)
        self.setVerticalSpacing(10)
        self.setColumnStretch(1, 1)
        self._line_height = QLineEdit().sizeHint().height()
        self._rows = 0  # QGridLayout.rowCount() is 1 when empty

    def addRow(self, label: QLabel, field: QWidget) -> None:
        row = self._rows
        self._rows += 1
        label.setMinimumHeight(self._line_height)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
        self.addWidget(field, row, 1)


def make_form_layout(parent: QWidget) -> FormGrid:
    return FormGrid(parent)


def align_label_columns(labels: list[QLabel], cap: int = 210) -> None:
    """One label column width across separate group boxes, so their fields line up."""
    for label in labels:
        label.setMinimumWidth(0)
        label.setWordWrap(False)
    widest = max((label.sizeHint().width() for label in labels), default=0)
    width = min(widest, cap)
    for label in labels:
        if label.sizeHint().width() > width:
            label.setWordWrap(True)  # a very long label wraps instead of squeezing the fields
        label.setMinimumWidth(width)


# --- small helpers ---------------------------------------------------------------------------


def _is_integral(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return True  # a non-numeric default is reported by validation, not by the widget
    return number.is_integer() and abs(number) < _INT_LIMIT


def _decimals(spec: ParameterSpec) -> int:
    places = 2
    for value in (spec.default, spec.min_value, spec.max_value):
        text = format_value(value, "Number") if value is not None else ""
        if "." in text and "e" not in text.lower():
            places = max(places, len(text.split(".", 1)[1]))
    return min(places, 8)


def _same_number(a: Any, b: str) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def _fit_lines(edit: QPlainTextEdit, lines: int) -> None:
    metrics = edit.fontMetrics()
    margins = edit.contentsMargins()
    frame = 2 * edit.frameWidth() + int(edit.document().documentMargin() * 2)
    edit.setFixedHeight(metrics.lineSpacing() * lines + frame + margins.top() + margins.bottom())
