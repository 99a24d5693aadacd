"""Generate the reference of the template's questions (docs/questions.md) from copier.yml."""

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from copier.errors import CopierError

from gofactory.copier_internals import load_config
from gofactory.errors import GofactoryError
from gofactory.template import CONFIG_NAMES

REGENERATE_COMMAND = ".venv/bin/python -m gofactory docs-questions --output docs/questions.md"

_JINJA_MARKERS = ("{{", "{%")
# The answer types Copier knows (its documentation's "type" of a question).
_COPIER_TYPES = frozenset({"bool", "float", "int", "json", "str", "yaml"})
_TAG = re.compile(r"\{%-?\s*(if|elif|else|endif)\b(.*?)-?%\}", re.DOTALL)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def load_questions(template_dir: Path) -> dict[str, dict[str, Any]]:
    """Read the questions of the template in ``template_dir``, in copier.yml order."""
    for name in CONFIG_NAMES:
        config_path = template_dir / name
        if config_path.is_file():
            break
    else:
        raise GofactoryError(f"{str(template_dir)!r} has no copier.yml")
    try:
        settings, questions = load_config(config_path)
    except (CopierError, ValueError, TypeError) as error:
        raise GofactoryError(f"cannot read {config_path}: {error}") from error
    for secret in settings.get("secret_questions", []):
        if secret in questions:
            questions[secret]["secret"] = True
    return questions


def render_questions_reference(template_dir: Path) -> str:
    """Return docs/questions.md: a Markdown reference of every question."""
    questions = load_questions(template_dir)
    lines = [
        "<!-- Generated from copier.yml by `gofactory docs-questions`: do not edit by hand.",
        f"     Regenerate with: {REGENERATE_COMMAND} -->",
        "",
        "# Questions",
        "",
        "Every question of the template, in the order they are asked. The names are a",
        "public interface: they are the keys of `--data KEY=VALUE`, of a `--data-file`",
        "and of the `.copier-answers.yml` that each generated service keeps (and that",
        "`copier update` replays).",
        "",
        "Answer them interactively (`gofactory new DEST`), accept every default",
        "(`gofactory new --defaults DEST`), or give answers on the command line",
        "(`gofactory new --defaults --data router=stdlib DEST`). A default written as a",
        "Jinja expression is computed from the answers given before it. An answer that a",
        "validator refuses stops the generation before anything is written.",
        "",
        "| Question | Type | Default |",
        "|---|---|---|",
    ]
    for name, question in questions.items():
        default = _default_text(question)
        lines.append(f"| [{name}](#{name}) | `{_type_name(question)}` | {default} |")
    for name, question in questions.items():
        lines.extend(["", *_question_section(name, question)])
    return "\n".join(lines) + "\n"


def _question_section(name: str, question: Mapping[str, Any]) -> Iterator[str]:
    yield f"## {name}"
    yield ""
    help_text = str(question.get("help", "")).strip()
    yield _escape(help_text) if help_text else "(No help text.)"
    yield ""
    yield f"- **Type:** `{_type_name(question)}`"
    yield f"- **Default:** {_default_text(question)}"
    if "when" in question:
        yield f"- **Asked only when:** {_value_text(question['when'])}"
    if "ask" in question:
        yield f"- **Asked:** {_value_text(question['ask'])}"
    if question.get("multiselect"):
        yield "- **Multiple choices:** yes (the answer is a list)"
    if question.get("secret"):
        yield "- **Secret:** yes (not recorded in `.copier-answers.yml`)"
    choices = question.get("choices")
    table = list(_choices_table(choices)) if choices else []
    if choices and not table:
        yield f"- **Choices:** {_simple_choices(choices)}"
    elif choices:
        yield "- **Choices:** see the table below"
    validator = str(question.get("validator", "")).strip()
    if validator:
        yield from _validator_lines(validator)
    elif choices:
        yield "- **Validation:** the answer must be one of the choices"
    else:
        yield f"- **Validation:** none beyond the `{_type_name(question)}` type"
    if table:
        yield ""
        yield from table


def _type_name(question: Mapping[str, Any]) -> str:
    declared = question.get("type")
    if declared:
        return str(declared)
    # Copier's rule: the type of the default value, else yaml.
    if "default" not in question:
        return "yaml"
    inferred = type(question["default"]).__name__
    return inferred if inferred in _COPIER_TYPES else "yaml"


def _default_text(question: Mapping[str, Any]) -> str:
    if "default" not in question:
        return "none: an answer is required"
    default = question["default"]
    if isinstance(default, str) and any(marker in default for marker in _JINJA_MARKERS):
        return f"{_code(default)} (computed)"
    return _value_text(default)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return _code("true" if value else "false")
    if value is None:
        return _code("null")
    if isinstance(value, str):
        return _code(value) if value else "empty"
    return _code(json.dumps(value))


def _validator_lines(validator: str) -> Iterator[str]:
    rules = _parse_validator(validator)
    if rules is None:
        yield "- **Validation:** an answer is refused when this Jinja template renders a message:"
        yield ""
        yield "    ```jinja"
        for line in validator.splitlines():
            yield f"    {line}"
        yield "    ```"
        return
    if len(rules) == 1 and (condition := rules[0][0]) is not None:
        message = rules[0][1]
        yield f"- **Validation:** refused when {_code(condition)}, with the message:"
        yield f"    {_message_text(message)}"
        return
    yield "- **Validation:** an answer is refused"
    for condition, message in rules:
        when = "otherwise" if condition is None else f"when {_code(condition)}"
        yield f"    - {when}, with the message: {_message_text(message)}"


def _message_text(message: str) -> str:
    """A validator's message: text escaped, its Jinja expressions shown as code."""
    parts: list[str] = []
    position = 0
    for match in _EXPRESSION.finditer(message):
        parts.append(_escape(message[position : match.start()]))
        parts.append(_code(match.group(0)))
        position = match.end()
    parts.append(_escape(message[position:]))
    return "".join(parts)


def _parse_validator(validator: str) -> list[tuple[str | None, str]] | None:
    """Split ``{% if c %}msg{% elif c2 %}msg2{% endif %}`` into (condition, message) pairs.

    Returns None when the validator has any other shape.
    """
    rules: list[tuple[str | None, str]] = []
    position = 0
    expected: tuple[str, ...] = ("if",)
    condition: str | None = None
    for match in _TAG.finditer(validator):
        between = validator[position : match.start()]
        keyword, argument = match.group(1), match.group(2).strip()
        if keyword not in expected:
            return None
        if keyword == "if":
            if between.strip():
                return None
        else:
            message = " ".join(between.split())
            if not message or any(marker in message for marker in ("{%",)):
                return None
            rules.append((condition, message))
        condition = argument if keyword in {"if", "elif"} else None
        expected = {
            "if": ("elif", "else", "endif"),
            "elif": ("elif", "else", "endif"),
            "else": ("endif",),
            "endif": (),
        }[keyword]
        position = match.end()
    if expected or validator[position:].strip():
        return None
    return rules


def _simple_choices(choices: Any) -> str:
    if isinstance(choices, str):
        return f"{_code(choices)} (a Jinja expression)"
    return ", ".join(_value_text(value) for value, _, _ in map(_choice_row, _choice_items(choices)))


def _choices_table(choices: Any) -> Iterator[str]:
    """A Value/Label table, or nothing when every label is just its value."""
    if isinstance(choices, str):
        return
    rows = [_choice_row(choice) for choice in _choice_items(choices)]
    if all(label == value and not note for value, label, note in rows):
        return
    yield "| Value | Label |"
    yield "|---|---|"
    for value, label, note in rows:
        yield f"| {_value_text(value)} | {_escape(str(label))}{note} |"


def _choice_items(choices: Any) -> list[Any]:
    return list(choices.items()) if isinstance(choices, dict) else list(choices)


def _choice_row(choice: Any) -> tuple[Any, Any, str]:
    """Return (value, label, note) of one choice in any of Copier's choice syntaxes."""
    label, value = choice if isinstance(choice, (list, tuple)) else (choice, choice)
    note = ""
    if isinstance(value, dict):
        if value.get("validator"):
            note = f" (unavailable when {_code(str(value['validator']).strip())})"
        value = value.get("value")
    return value, label, note


def _code(text: str) -> str:
    """Format ``text`` as a Markdown code span (pipes in code spans do not split cells)."""
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def _escape(text: str) -> str:
    """Escape Markdown outside code spans, so help and messages render literally."""
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_escape_plain(text[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_escape_plain(text[position:]))
    return "".join(parts)


def _escape_plain(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "*[]|":
        text = text.replace(char, "\\" + char)
    # An underscore inside a word (service_name) never starts emphasis.
    text = re.sub(r"(?<!\w)_|_(?!\w)", r"\_", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")
