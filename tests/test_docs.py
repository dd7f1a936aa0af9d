"""docs/errors.md lists every diagnostic the compiler can emit, each with a real example; the spec
reference's excerpts match the spec; tests/README.md names every test module."""

from __future__ import annotations

import re

from compiler.diagnostics import CODES

from .conftest import EXAMPLES, ROOT

DOC = (ROOT / "docs" / "errors.md").read_text()
CORPUS = "\n".join(p.read_text() for p in EXAMPLES.glob("*/*/expected.txt"))


def test_every_code_is_documented():
    documented = re.findall(r"^### ([EW]\d{3}): ", DOC, flags=re.M)
    assert documented == list(CODES)  # the compiler's; the operator commands' O codes are checked below


def test_every_code_is_exercised_by_the_corpus_or_the_write_tests():
    exercised = set(re.findall(r"\[([EW]\d{3})\]", CORPUS))
    assert set(CODES) - exercised == {"E900"}  # covered by the write-fault tests in tests/test_build.py


def test_examples_in_the_docs_are_real_output():
    for block in re.findall(r"Example \(`(\w+)`\):\n\n```\n(.*?)\n```", DOC, flags=re.S):
        case, text = block
        expected = next(EXAMPLES.glob(f"*/{case}/expected.txt")).read_text()
        assert text in expected, case


def test_generated_schema_validators_are_fresh():
    """compiler/_generated/ is what `make schemas` writes from compiler/schemas/."""
    from compiler.validate import GENERATED_DIR, KINDS, generated_code

    for kind in KINDS:
        with open(f"{GENERATED_DIR}/{kind}_schema.py", encoding="utf-8") as handle:
            assert handle.read() == generated_code(kind), f"run `make schemas` ({kind})"


def _matches(excerpt, real) -> bool:
    """An excerpt matches the real value: mappings key by key, `...` for the rest of a list or the
    rest of a string (`text ...`), and equal scalars."""
    if excerpt == "...":
        return True
    if isinstance(excerpt, dict):
        return isinstance(real, dict) and all(k in real and _matches(v, real[k]) for k, v in excerpt.items())
    if isinstance(excerpt, list):
        head = excerpt[:excerpt.index("...")] if "..." in excerpt else excerpt
        if not isinstance(real, list) or ("..." not in excerpt and len(real) != len(excerpt)):
            return False
        return len(real) >= len(head) and all(_matches(a, b) for a, b in zip(head, real))
    if isinstance(excerpt, str) and excerpt.endswith(" ..."):
        return isinstance(real, str) and " ".join(real.split()).startswith(excerpt[:-4])
    return excerpt == real


def test_excerpts_of_spec_files_in_the_spec_reference_match_the_files():
    import yaml

    blocks = re.findall(r"^`(spec/[\w/]+\.yaml)`(?:(?!\n\n).)*\n\n```yaml\n(.*?)```",
                        (ROOT / "docs" / "spec.md").read_text(), flags=re.M | re.S)
    assert {path for path, _ in blocks} >= {"spec/bundle.yaml", "spec/stages/lakeflow.yaml", "spec/targets/free.yaml"}
    for path, text in blocks:
        excerpt, real = yaml.safe_load(text), yaml.safe_load((ROOT / path).read_text())
        for key, value in excerpt.items():
            assert key in real and _matches(value, real[key]), (path, key, value, real.get(key))


def test_tests_readme_names_every_test_module():
    listed = (ROOT / "tests" / "README.md").read_text()
    missing = [p.name for p in sorted((ROOT / "tests").glob("test_*.py")) if f"`{p.name}`" not in listed]
    assert missing == []


def test_every_operator_code_is_documented():
    from compiler.ops.errors import OPS_CODES

    documented = re.findall(r"^### (O\d{3}): (.+)$", DOC, flags=re.M)
    assert [code for code, _ in documented] == list(OPS_CODES)
    assert {code: title for code, title in documented} == OPS_CODES
