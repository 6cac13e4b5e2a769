"""Parameter editors built from the shared template model: widgets, defaults, labels in both
languages, groups, and validation messages taken from the core's coerce/resolve."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
)
from pytestqt.qtbot import QtBot

from rostray.assets import resources_dir
from rostray.core.templates import ParameterSpec, Template, load_template
from rostray.gui.param_fields import (
    BooleanField,
    ChoiceField,
    JsonField,
    LineField,
    NumberField,
    ParametersPanel,
    SecretField,
    TextAreaField,
    create_field,
)

TEMPLATES = resources_dir() / "templates"


def _showcase() -> Template:
    return load_template((TEMPLATES / "parameters-showcase.yaml").read_text(encoding="utf-8"))


def _template(parameters: dict, metadata: dict | None = None) -> Template:
    document: dict = {"ROSTemplateFormatVersion": "2015-09-01", "Parameters": parameters}
    if metadata is not None:
        document["Metadata"] = metadata
    return load_template(json.dumps(document))


def _spec(key: str = "P", **definition: object) -> ParameterSpec:
    return ParameterSpec.from_definition(key, {"Type": "String", **definition})


@pytest.fixture
def panel(qtbot: QtBot) -> ParametersPanel:
    widget = ParametersPanel(_showcase(), "en")
    qtbot.addWidget(widget)
    return widget


def test_every_parameter_type_gets_its_widget_with_the_default(panel: ParametersPanel) -> None:
    expected = {
        "Environment": (ChoiceField, QComboBox, "dev"),
        "ProjectName": (LineField, QLineEdit, "rostray-demo"),
        "Owner": (LineField, QLineEdit, "alice"),
        "ReplicaCount": (NumberField, QSpinBox, "2"),
        "EnableMonitoring": (BooleanField, QCheckBox, "true"),
        "Ports": (LineField, QLineEdit, "80,443,8080"),
        "ExtraTags": (JsonField, QPlainTextEdit, None),
        "ZoneId": (LineField, QLineEdit, ""),
        "InstanceType": (LineField, QLineEdit, "ecs.g7.large"),
        "AdminPassword": (SecretField, QLineEdit, ""),
        "WelcomeText": (TextAreaField, QPlainTextEdit, None),
    }
    assert set(panel.fields) == set(expected)
    for key, (field_cls, widget_cls, value) in expected.items():
        field = panel.field(key)
        assert type(field) is field_cls, key
        assert isinstance(field.editor, widget_cls), key
        if value is not None:
            assert field.text() == value, key
        assert field.error() == "", key
    extra_tags = json.loads(panel.field("ExtraTags").text())
    assert extra_tags == {"team": "platform", "cost-center": "1234"}
    assert panel.field("WelcomeText").text() == (
        "Welcome to the rostray demo.\nThis text spans two lines."
    )
    assert panel.field("EnableMonitoring").editor.isChecked()
    # Optional (Default: null) is left out, so ROS applies null; the rest is sent as shown.
    values = panel.values()
    assert "ZoneId" not in values and "AdminPassword" not in values
    assert values["ReplicaCount"] == "2" and values["Environment"] == "dev"


def test_labels_and_descriptions_follow_the_language(qtbot: QtBot) -> None:
    en = ParametersPanel(_showcase(), "en")
    zh = ParametersPanel(_showcase(), "zh-cn")
    qtbot.addWidget(en)
    qtbot.addWidget(zh)
    assert en.field("ProjectName").label.text() == "Project name"
    assert zh.field("ProjectName").label.text() == "项目名称"
    assert zh.field("Owner").help_label.text().startswith("该资源栈负责人")
    assert "Name of the person" in en.field("Owner").help_label.text()
    # A plain-string label is the same in every language; the key is the label's tooltip.
    assert zh.field("WelcomeText").label.text() == "Welcome text"
    assert "WelcomeText" in zh.field("WelcomeText").label.toolTip()
    # Description is also the editor's tooltip.
    assert "2-32 characters" in en.field("Owner").editor.toolTip()


def test_groups_come_in_template_order_with_ungrouped_last(qtbot: QtBot) -> None:
    en = ParametersPanel(_showcase(), "en")
    zh = ParametersPanel(_showcase(), "zh-cn")
    qtbot.addWidget(en)
    qtbot.addWidget(zh)
    assert en.section_titles() == ["Basic settings", "Instance settings", "Other parameters"]
    assert zh.section_titles()[:2] == ["基础配置", "Instance settings"]
    order = [key for key in en.fields]
    assert order[:5] == ["Environment", "ProjectName", "Owner", "ReplicaCount", "EnableMonitoring"]
    assert order[-1] == "WelcomeText"


def test_a_template_without_groups_has_one_parameters_section(qtbot: QtBot) -> None:
    panel = ParametersPanel(_template({"A": {"Type": "String", "Default": "x"}}))
    empty = ParametersPanel(_template({}))
    qtbot.addWidget(panel)
    qtbot.addWidget(empty)
    assert panel.section_titles() == ["Parameters"]
    assert empty.section_titles() == ["Parameters"]
    assert empty.values() == {}


def test_no_echo_is_masked_and_confirm_must_match(qtbot: QtBot, panel: ParametersPanel) -> None:
    field = panel.field("AdminPassword")
    assert isinstance(field, SecretField)
    assert field.editor.echoMode() == QLineEdit.EchoMode.Password
    assert field.confirm_editor is not None
    assert field.confirm_editor.echoMode() == QLineEdit.EchoMode.Password
    assert [label.text() for label, _ in field.rows()] == [
        "Admin password",
        "Confirm Admin password",
    ]
    qtbot.keyClicks(field.editor, "s3cret-pass")
    qtbot.keyClicks(field.confirm_editor, "s3cret-pas")
    assert field.confirm_error() == "The two entries do not match."
    assert field.confirm_editor.property("invalid") is True
    qtbot.keyClicks(field.confirm_editor, "s")
    assert field.confirm_error() == ""
    # A confirmation left empty is only an error on submit.
    field.confirm_editor.clear()
    assert field.confirm_error() == ""
    panel.check()
    assert field.confirm_error() == "The two entries do not match."
    assert field in panel.invalid_fields()


def test_no_echo_errors_never_echo_the_secret(qtbot: QtBot, panel: ParametersPanel) -> None:
    field = panel.field("AdminPassword")
    field.set_text("short")
    assert field.error() == "Length must be between 8 and 30 characters."
    assert "short" not in field.error()


def test_number_bounds_come_from_min_and_max(qtbot: QtBot, panel: ParametersPanel) -> None:
    field = panel.field("ReplicaCount")
    box = field.editor
    assert isinstance(box, QSpinBox)
    assert (box.minimum(), box.maximum()) == (1, 5)
    box.setValue(99)
    assert field.text() == "5"  # the spin box clamps typed values
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0")
    assert field.text() != "0"
    assert field.hint_label.text() == "From 1 to 5."


def test_an_out_of_range_prefill_is_reported_not_clamped(panel: ParametersPanel) -> None:
    field = panel.field("ReplicaCount")
    field.set_text("99")
    assert field.text() == "99"
    assert field.editor.value() == 99  # shown as given, not clamped to 5
    assert field.error() == "99 is out of range (min: 1, max: 5)."
    assert field.editor.property("invalid") is True
    _, general = panel.check()
    assert general == []
    assert "out of range" in field.error()
    field.editor.setValue(3)  # any edit replaces the bad value and restores the bounds
    assert (field.text(), field.error()) == ("3", "")
    assert field.editor.maximum() == 5
    assert field.editor.property("invalid") is False


def test_numbers_are_integers_only_when_the_template_is(qtbot: QtBot) -> None:
    whole = create_field(_spec(Type="Number", Default=10, MinValue=0, MaxValue=100))
    decimal = create_field(_spec(Type="Number", Default=0.5, MinValue=0, MaxValue=1))
    required = create_field(_spec(Type="Number", MinValue=1))
    for f in (whole, decimal, required):
        qtbot.addWidget(f.container)
    assert isinstance(whole.editor, QSpinBox)
    assert isinstance(decimal.editor, QDoubleSpinBox)
    assert decimal.text() == "0.5"
    decimal.editor.setValue(0.25)
    assert decimal.text() == "0.25"
    # Without a default the value starts "not set" instead of silently sending the minimum.
    assert required.text() == "" and not required.provided()
    assert required.editor.text() == "Not set"
    required.editor.stepUp()
    assert required.text() == "1"


def test_invalid_json_shows_a_red_border_and_message(qtbot: QtBot, panel: ParametersPanel) -> None:
    field = panel.field("ExtraTags")
    editor = field.editor
    editor.setPlainText('{"team": ')
    assert field.error() == "The value is not valid JSON."
    assert editor.property("invalid") is True
    assert "border: 1px solid" in editor.styleSheet()
    editor.setPlainText('"just a string"')
    assert field.error() == "The value must be a JSON object or array."
    editor.setPlainText('{"team": "ops"}')
    assert field.error() == ""
    assert editor.property("invalid") is False
    assert editor.styleSheet() == ""
    editor.setPlainText("")
    assert field.error() == "Enter a JSON object or array."


def test_allowed_values_become_a_combo(qtbot: QtBot, panel: ParametersPanel) -> None:
    field = panel.field("Environment")
    combo = field.editor
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["dev", "test", "prod"]
    combo.setCurrentIndex(2)
    assert field.text() == "prod"
    field.set_text("staging")  # a prefill outside AllowedValues is kept and reported
    assert field.text() == "staging"
    assert "not an allowed value" in field.error()


def test_allowed_values_without_default_start_unselected(qtbot: QtBot) -> None:
    required = create_field(_spec(AllowedValues=["a", "b"]))
    optional = create_field(_spec(AllowedValues=["a", "b"], Default=None))
    numbers = create_field(_spec(Type="Number", AllowedValues=[1, 2], Default=2))
    for f in (required, optional, numbers):
        qtbot.addWidget(f.container)
    assert required.editor.currentIndex() == -1 and required.text() == ""
    assert optional.editor.itemText(0) == "(none)" and optional.text() == ""
    assert numbers.text() == "2"
    numbers.set_text("1.0")
    assert numbers.text() == "1" and numbers.error() == ""


def test_boolean_and_list_fields(qtbot: QtBot, panel: ParametersPanel) -> None:
    flag = panel.field("EnableMonitoring")
    flag.editor.setChecked(False)
    assert flag.text() == "false"
    flag.set_text("True")
    assert flag.editor.isChecked() and flag.text() == "true"
    ports = panel.field("Ports")
    assert ports.editor.placeholderText() == "value1,value2,value3"
    assert "Comma-separated list." in ports.hint_label.text()


def test_association_property_is_a_subtle_hint(panel: ParametersPanel) -> None:
    zone = panel.field("ZoneId")
    assert zone.hint_label.text() == "Console picker: ALIYUN::ECS::Instance::ZoneId"
    assert zone.editor.placeholderText() == "ZoneId"
    assert not zone.hint_label.isHidden()
    assert panel.field("Owner").hint_label.isHidden()


def test_live_errors_use_the_core_checks_and_constraint_text(
    qtbot: QtBot, panel: ParametersPanel
) -> None:
    project = panel.field("ProjectName")
    project.editor.setText("Bad Name")
    assert project.error().startswith("Must start with a lowercase letter")
    assert project.editor.property("invalid") is True
    owner = panel.field("Owner")
    owner.editor.setText("x")
    assert owner.error() == "Length (1) is out of range (min: 2, max: 32)."
    owner.editor.setText("bob")
    assert owner.error() == ""
    zh = ParametersPanel(_showcase(), "zh-cn")
    qtbot.addWidget(zh)
    zh.field("ProjectName").editor.setText("Bad")
    assert zh.field("ProjectName").error().startswith("必须以小写字母开头")


def test_submit_check_maps_resolve_errors_to_fields(panel: ParametersPanel) -> None:
    panel.field("Owner").editor.setText("x")
    given, general = panel.check({"Nope": "1"})
    assert panel.field("AdminPassword").error() == "Required."
    assert "Length (1)" in panel.field("Owner").error()
    assert general == ["The Parameter (Nope) was not defined in template."]
    assert {f.spec.key for f in panel.invalid_fields()} == {"AdminPassword", "Owner"}
    assert given["Owner"] == "x" and given["Nope"] == "1"


def test_submit_check_passes_with_valid_values(qtbot: QtBot, panel: ParametersPanel) -> None:
    secret = panel.field("AdminPassword")
    assert isinstance(secret, SecretField) and secret.confirm_editor is not None
    secret.editor.setText("s3cret-pass")
    secret.confirm_editor.setText("s3cret-pass")
    given, general = panel.check()
    assert general == [] and panel.invalid_fields() == []
    assert given["AdminPassword"] == "s3cret-pass"


def test_prefill_sets_known_keys_and_returns_unknown_ones(panel: ParametersPanel) -> None:
    unknown = panel.set_values({"Owner": "carol", "AdminPassword": "pw-123456", "Typo": "1"})
    assert unknown == {"Typo": "1"}
    assert panel.field("Owner").text() == "carol"
    secret = panel.field("AdminPassword")
    assert isinstance(secret, SecretField) and secret.confirm_editor is not None
    assert secret.confirm_editor.text() == "pw-123456"  # the hand-over gives a secret once


def test_template_text_is_never_rich_text(qtbot: QtBot) -> None:
    hostile = _template(
        {
            "P": {
                "Type": "String",
                "Label": "<b>x</b>",
                "Description": "<a href='https://evil.example'>click</a>",
                "AssociationProperty": "<i>y</i>",
                "Default": "v",
            }
        },
        {
            "ALIYUN::ROS::Interface": {
                "ParameterGroups": [{"Parameters": ["P"], "Label": {"default": "<h1>G</h1>"}}]
            }
        },
    )
    panel = ParametersPanel(hostile)
    qtbot.addWidget(panel)
    field = panel.field("P")
    assert field.label.text() == "<b>x</b>"
    assert field.help_label.text() == "<a href='https://evil.example'>click</a>"
    assert panel.section_titles() == ["<h1>G</h1>"]
    labels = panel.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert all(not label.openExternalLinks() for label in labels)
    # Tooltips guess rich text from content, so they are escaped.
    assert "&lt;a href=" in field.editor.toolTip()
    assert "<a href" not in field.editor.toolTip()
