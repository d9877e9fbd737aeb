"""The vocabulary is defined once (advisory/vocab.py) and labelled once (content/labels.yaml)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from advisory import labels as labels_module
from advisory.content import ContentError
from advisory.labels import label, labels, load_labels
from advisory.script import script_content
from advisory.vocab import KINDS, codes


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_code_has_a_label_in_both_languages_and_every_label_a_code(kind, lang):
    names = labels(kind, lang)
    assert list(names) == list(codes(kind))
    assert all(name.strip() for name in names.values())


def test_dispositions_are_the_red_flag_screens_own():
    assert [d.id for d in script_content().dispositions] == list(codes("disposition"))


@pytest.mark.parametrize("edit, message", [
    (lambda data: data["topic"].pop("yoga"), "missing ['yoga']"),
    (lambda data: data["topic"].update(knitting={"da": "Strikning", "en": "Knitting"}), "unknown ['knitting']"),
    (lambda data: data.update(colours={}), "unknown kind"),
])
def test_a_label_file_that_drifts_from_the_vocabulary_is_refused(tmp_path, monkeypatch, edit, message):
    target = tmp_path / "labels.yaml"
    shutil.copy(labels_module.LABELS_FILE, target)
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    edit(data)
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(labels_module, "LABELS_FILE", target)
    with pytest.raises(ContentError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_labels()


def test_label_lookup():
    assert label("group", "acute_vertebral_fracture", "da") == "Nyt rygsammenfald (helingsfase)"
    assert label("topic", "lifting", "en") == "Lifting"
    assert label("role", "secretariat", "da") == "Sekretariat"
    assert label("outcome", None, "da") == ""
    assert label("topic", "retired_topic", "da") == "retired_topic"  # old data shows its code
    with pytest.raises(ValueError):
        label("group", "function_limited", "sv")
