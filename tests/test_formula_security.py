"""A formula is data, never code: injection attempts are refused fast, with the library's error, without effects."""

from __future__ import annotations

import os
import sys
import time

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import actlab
from actlab.errors import FormulaError
from actlab.formula import parse
from actlab.formula.codegen import NumpyFunction
from actlab.formula.parser import MAX_DEPTH, MAX_LENGTH

ATTACKS = {
    "import": "__import__('os').system('touch /tmp/actlab_pwned')",
    "import_bare": "__import__",
    "class_walk": "().__class__.__bases__[0].__subclasses__()",
    "dunder_name": "__builtins__",
    "dunder_call": "x.__add__(1)",
    "attribute": "x.real",
    "attribute_on_call": "exp(x).func",
    "subscript": "x[0]",
    "subscript_list": "[x][0]",
    "lambda": "(lambda: 1)()",
    "lambda_bare": "lambda x: x",
    "fstring": "f'{x}'",
    "fstring_expr": "f'{__import__(\"os\")}'",
    "string": "'x'",
    "bytes": "b'x'",
    "complex": "1j * x",
    "list_comp": "[x for x in (1, 2)]",
    "gen_exp": "sum(x for x in (1, 2))",
    "set_comp": "{x for x in (1,)}",
    "dict": "{'a': x}",
    "tuple": "(x, x)",
    "walrus": "(y := x) + y",
    "starred": "max(*x)",
    "keywords": "exp(x=1)",
    "kwargs": "max(x, **{'a': 1})",
    "eval": "eval('1')",
    "exec": "exec('1')",
    "open": "open('/etc/passwd')",
    "getattr": "getattr(x, 'real')",
    "sympify_word": "sympify('x')",
    "huge_power": "9**9**9",
    "huge_power_paren": "(9**9)**(9**9)",
    "huge_x_power": "x**(10**10)",
    "huge_folded": "(9**64)**64",
    "huge_literal": "1e400 * x",
    "huge_int": "1" + "0" * 400 + " * x",
    "factorial_call": "factorial(10**6)",
    "factorial_bang": "100000!",
    "gamma": "gamma(10**6)",
    "huge_exp": "exp(exp(exp(10))) * x",
    "nested_parens": "(" * 10_000 + "x" + ")" * 10_000,
    "nested_parens_short": "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
    "nested_unary": "-" * 900 + "x",
    "nested_calls": "exp(" * 60 + "x" + ")" * 60,
    "too_long": "x+" * MAX_LENGTH + "x",
    "cyrillic_x": "\u0445 * 2",  # Cyrillic 'ha' looks like x
    "fullwidth_x": "\uff58 + 1",  # NFKC would turn it into x
    "greek_omicron": "exp(x) + \u03bf",
    "zero_width": "x\u200b+1",
    "null_byte": "x\x00",
    "newline_stmt": "x\nimport os",
    "semicolon": "x; import os",
    "yield": "(yield x)",
    "await": "await x",
    "bitxor": "x ^ 2",
    "matmul": "x @ x",
    "bool_literal": "x + True",
    "none_literal": "None",
    "ellipsis": "...",
    "if_statement": "if x: 1",
    "assignment": "y = x",
    "comparison_bare": "x > 0",
    "empty": "",
    "spaces": "   ",
}


def _snapshot():
    return set(sys.modules), sorted(os.listdir(".")), tuple(actlab.names())


@pytest.mark.parametrize("text", list(ATTACKS.values()), ids=list(ATTACKS))
def test_attack_is_refused_quickly_without_side_effects(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parse("relu(x)")  # warm-up: imports and catalog loading are not the attack's cost
    before = _snapshot()
    error = None
    start = time.perf_counter()
    try:
        parse(text, ["beta"])
    except FormulaError as err:
        error = err
    elapsed = time.perf_counter() - start
    after = _snapshot()
    assert error is not None, f"{text[:60]!r} was accepted"
    assert elapsed < 0.1, f"refusing {text[:40]!r} took {elapsed * 1000:.1f} ms"
    imported = {m for m in after[0] - before[0] if m.split(".")[0] not in ("sympy", "mpmath")}  # lazy internals
    assert imported == set()  # nothing else imported
    assert after[1:] == before[1:]  # no file written, nothing registered
    assert not os.path.exists("/tmp/actlab_pwned")
    assert "^" in str(error)  # the caret line points at the offending position
    assert isinstance(error, ValueError)


def test_error_points_at_the_offending_position():
    text = "x * tanh(sofplus(x))"
    with pytest.raises(FormulaError) as info:
        parse(text)
    err = info.value
    assert text[err.position:err.end] == "sofplus"
    assert "Did you mean 'softplus'" in str(err)
    caret_line = str(err).splitlines()[-1]
    formula_line = str(err).splitlines()[-2]
    assert formula_line[caret_line.index("^"):].startswith("sofplus")


@pytest.mark.parametrize("text, fragment", [
    ("x ^ 2", "x**2"),
    ("exp(x, 2)", "takes 1 argument"),
    ("where(x, 1, 2)", "condition"),
    ("softmax(x)", "vector"),
    ("unknown_thing * x", "Unknown name"),
    ("x + beta", "--param beta=VALUE"),
    ("relu(x, 1)", "takes 1 argument"),
    ("leaky_relu(x, -1)", "alpha"),
    ("leaky_relu(x, x)", "must not depend on x"),
    ("1/0 + x", "Division by zero"),
    ("log(0) + x", "not a finite real number"),
])
def test_refusals_say_what_was_wrong(text, fragment):
    with pytest.raises(FormulaError, match=None) as info:
        parse(text)
    assert fragment in str(info.value)


def test_constant_size_is_checked_before_computing():
    start = time.perf_counter()
    for text in ("9**9**9", "2**2**2**2**2**2", "(10**300)**2 * x", "(1/3)**100000"):
        with pytest.raises(FormulaError):
            parse(text)
    assert time.perf_counter() - start < 0.2


# --- fuzzing ------------------------------------------------------------------------------------------------------
ALPHABET = "x()+-*/., 0123456789e^<>=!_'\"[]{}:;@#%&|~`\\abcdefghijklmnopqrstuvwxyz\u0445\uff58\n\t"


def _parse_or_refuse(text: str, params=("beta",)):
    start = time.perf_counter()
    try:
        result = parse(text, list(params))
    except FormulaError:
        result = None
    assert time.perf_counter() - start < 2.0, f"parsing {text!r} took too long"
    return result


@settings(max_examples=max(200, settings.default.max_examples), deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_fuzz_random_strings_raise_only_formula_error(text):
    result = _parse_or_refuse(text)
    assert result is None or isinstance(result, sp.Basic)


@settings(max_examples=max(50, settings.default.max_examples), deadline=None)
@given(st.text(max_size=40))
def test_fuzz_any_unicode_raises_only_formula_error(text):
    _parse_or_refuse(text)


_ATOMS = st.sampled_from(["x", "beta", "1", "0", "2.5", "1e-3", "1e300", "pi", "e", "y", "__class__", "'s'", "1j",
                          "True", "None", "x.real", "x[0]", "-x", "9**9**9"])
_UNARY = st.sampled_from(["exp", "log", "log1p", "expm1", "sqrt", "abs", "sin", "cos", "tanh", "erf", "erfc",
                          "sigmoid", "softplus", "relu", "leaky_relu", "tanh", "factorial", "__import__", "-", "+"])
_BINARY = st.sampled_from(["+", "-", "*", "/", "**", "^", "%", "//", "@", "<", "and", ","])


def _trees():
    return st.recursive(
        _ATOMS,
        lambda inner: st.one_of(
            st.builds(lambda f, a: f"{f}({a})" if f not in "+-" else f"{f}({a})", _UNARY, inner),
            st.builds(lambda a, op, b: f"({a} {op} {b})", inner, _BINARY, inner),
            st.builds(lambda c, a, b: f"where({c} > 0, {a}, {b})", inner, inner, inner),
            st.builds(lambda a, b: f"max({a}, {b})", inner, inner),
        ),
        max_leaves=12,
    )


@settings(max_examples=max(150, settings.default.max_examples), deadline=None)
@given(_trees())
def test_fuzz_random_expression_trees_raise_only_formula_error(text):
    result = _parse_or_refuse(text)
    if result is not None and result.free_symbols <= {sp.Symbol("x", real=True), sp.Symbol("beta", real=True)}:
        import numpy as np

        f = NumpyFunction(result, ("beta",))  # code generation accepts whatever the parser accepts
        y = f(np.linspace(-5, 5, 11), beta=1.0)
        assert y.shape == (11,)
