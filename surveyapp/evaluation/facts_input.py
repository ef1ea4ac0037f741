"""Reading typed fact values (from the web form or the command line) by their field kind."""
from __future__ import annotations

TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "on"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "没有", "off"}


def parse_fact(field, raw):
    """The typed value of ``raw`` for ``field``; None for an empty entry. Raises ValueError
    with a Chinese message naming the field."""
    if raw is None or (isinstance(raw, str) and raw.strip() == "") or raw == []:
        return None
    name = f"“{field.label}”"
    if field.kind == "bool":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"{name}请填“是”或“否”")
    if field.kind == "int":
        try:
            return int(str(raw).strip())
        except ValueError as exc:
            raise ValueError(f"{name}应为整数") from exc
    if field.kind == "share":
        text = str(raw).strip()
        try:
            value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        except ValueError as exc:
            raise ValueError(f"{name}应为 0 到 1 之间的小数，或百分数如 75%") from exc
        return value
    if field.kind == "multi":
        items = raw if isinstance(raw, list) else [p for p in str(raw).replace("，", ",").split(",") if p.strip()]
        return [str(p).strip() for p in items]
    return str(raw).strip()
