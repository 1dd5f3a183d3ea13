"""Safe parsing of user formulas: a whitelisted walk over Python's ``ast`` that builds SymPy trees directly.

A formula is data, never code: the text is checked (length, ASCII only, bracket depth), parsed by ``ast.parse`` —
which builds a syntax tree and executes nothing — and every node is translated by hand into a SymPy object. Node
types, names and functions outside the whitelist are refused; nothing is passed to ``eval``, ``exec`` or
``sympify``. Constants are folded by SymPy only after their size has been bounded, so ``9**9**9`` is refused
before anything is computed.

The language::

    x                           the variable
    beta, alpha, ...            declared parameters
    1, 0.5, 1e-3, pi, e         numbers and constants
    + - * / **, unary minus     arithmetic (``^`` is refused with a hint: Python reads it as exclusive-or)
    exp log log1p expm1 sqrt abs sin cos tanh atan erf erfc sign sigmoid softplus
    min(a, b, ...) max(a, b, ...)
    where(cond, a, b)  piecewise(c1, v1, c2, v2, ..., otherwise)  a if cond else b
    cond: comparisons < <= > >= == != (chains allowed), and / or / not
    relu(x), elu(x, 0.5), ...   every elementwise catalog activation, parameters positional
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import re
import unicodedata
from typing import Callable, Iterable, Mapping

import sympy as sp

from actlab.errors import FormulaError, ParameterError, UnknownActivation
from actlab.formula.primitives import catalog_call, expand, expm1, log1p, sigmoid, softplus, x

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 40  # nesting of brackets and of operators (chains of + or * count once)
MAX_ARGS = 16  # arguments of min / max / piecewise
MAX_EXPONENT = 100  # |n| in u**n for a numeric n
MAX_DIGITS = 300  # every constant, literal or folded, lies within 10**±300 (0 allowed)


# name -> (min args, max args, builder). Builders receive SymPy arguments.
FUNCTIONS: dict[str, tuple[int, int, Callable[..., sp.Expr]]] = {
    "exp": (1, 1, sp.exp),
    "log": (1, 1, sp.log),
    "log1p": (1, 1, log1p),
    "expm1": (1, 1, expm1),
    "sqrt": (1, 1, sp.sqrt),
    "abs": (1, 1, sp.Abs),
    "sin": (1, 1, sp.sin),
    "cos": (1, 1, sp.cos),
    "tanh": (1, 1, sp.tanh),
    "atan": (1, 1, sp.atan),
    "erf": (1, 1, sp.erf),
    "erfc": (1, 1, sp.erfc),
    "sign": (1, 1, sp.sign),
    "sigmoid": (1, 1, sigmoid),
    "softplus": (1, 1, softplus),
    "min": (2, MAX_ARGS, sp.Min),
    "max": (2, MAX_ARGS, sp.Max),
}
CONDITIONAL = ("where", "piecewise")  # take conditions; handled by the walker itself
CONSTANTS = {"pi": sp.pi, "e": sp.E}

# Names a parameter may not take: the language's own, and names the catalog-formula parser of actlab.symbolic
# (which re-reads the spec's formula string) would read differently.
RESERVED = (
    {"x", *FUNCTIONS, *CONDITIONAL, *CONSTANTS, "True", "False", "None"}
    | {"E", "I", "N", "O", "Q", "S", "oo", "zoo", "nan", "Abs", "Max", "Min", "Heaviside", "Piecewise", "Sum"}
    | {"Symbol", "Integer", "Float", "Rational", "Function", "Mul", "Add", "Pow", "Tuple", "true", "false"}
)
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

# Why each refused construct is refused (the rest get a generic message).
_REFUSED = {
    ast.Attribute: "attribute access ('.name') is not allowed in a formula",
    ast.Subscript: "subscripts ('[...]') are not allowed in a formula",
    ast.Lambda: "lambda is not allowed in a formula",
    ast.JoinedStr: "strings (f-strings) are not allowed in a formula",
    ast.FormattedValue: "strings (f-strings) are not allowed in a formula",
    ast.NamedExpr: "assignment (':=') is not allowed in a formula",
    ast.Starred: "starred arguments ('*args') are not allowed in a formula",
    ast.ListComp: "comprehensions are not allowed in a formula",
    ast.SetComp: "comprehensions are not allowed in a formula",
    ast.DictComp: "comprehensions are not allowed in a formula",
    ast.GeneratorExp: "comprehensions and generators are not allowed in a formula",
    ast.Tuple: "tuples are not allowed in a formula (one expression in x)",
    ast.List: "lists are not allowed in a formula",
    ast.Set: "sets are not allowed in a formula",
    ast.Dict: "dicts are not allowed in a formula",
    ast.Slice: "slices are not allowed in a formula",
    ast.Await: "await is not allowed in a formula",
    ast.Yield: "yield is not allowed in a formula",
    ast.YieldFrom: "yield is not allowed in a formula",
}
_BINOPS = {ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow}
_BINOP_HINTS = {
    ast.BitXor: "'^' is exclusive-or in Python, not a power: write x**2",
    ast.BitAnd: "'&' is not allowed: combine conditions with 'and'",
    ast.BitOr: "'|' is not allowed: combine conditions with 'or'",
    ast.Mod: "'%' is not allowed in a formula",
    ast.FloorDiv: "'//' is not allowed in a formula: write a / b",
    ast.MatMult: "'@' is not allowed in a formula",
    ast.LShift: "'<<' is not allowed in a formula",
    ast.RShift: "'>>' is not allowed in a formula",
}
_COMPARE = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq, ast.NotEq: sp.Ne}


def formula_error(text: str, reason: str, start: int, end: int | None = None) -> FormulaError:
    """A FormulaError whose message ends with the formula and a caret under characters [start, end)."""
    end = start + 1 if end is None or end <= start else end
    width = 76
    lo = 0 if len(text) <= width else max(0, min(start - 20, len(text) - width))
    shown = text[lo : lo + width]
    prefix = "..." if lo > 0 else ""
    suffix = "..." if lo + width < len(text) else ""
    caret_start = len(prefix) + max(0, start - lo)
    caret_len = max(1, min(end, lo + width) - max(start, lo))
    message = f"{reason}\n  {prefix}{shown}{suffix}\n  {' ' * caret_start}{'^' * caret_len}"
    err = FormulaError(message)
    err.reason, err.formula, err.position, err.end = reason, text, start, end
    return err


def check_param_name(name: object) -> str:
    """Return ``name`` if it can name a formula parameter, else raise FormulaError saying why."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or len(name) > 40:
        raise FormulaError(
            f"A parameter name must be a letter followed by letters, digits or '_' (at most 40). Got {name!r}."
        )
    if name in RESERVED or keyword.iskeyword(name):
        raise FormulaError(f"{name!r} cannot name a parameter: it is reserved by the formula language.")
    return name


def parse(text: str, params: Iterable[str] | Mapping[str, float] = (), *, expand_calls: bool = True,
          exclude: Iterable[str] = ()) -> sp.Expr:
    """Parse a user formula into a SymPy expression in the symbol ``x`` (real) and the declared parameters.

    With ``expand_calls`` (the default) catalog activations and the stable primitives are expanded into elementary
    functions; otherwise they stay as opaque calls, which the code generator maps to the catalog's own code.
    ``exclude`` names activations the formula may not call (the one being defined).

    >>> parse("x * sigmoid(beta * x)", ["beta"])
    x/(1 + exp(-beta*x))
    """
    names = tuple(params)
    for name in names:
        check_param_name(name)
    walker = _Walker(text, names, frozenset(exclude))
    try:
        tree = walker.run()
        return expand(tree) if expand_calls else tree
    except FormulaError:
        raise
    except Exception as err:  # SymPy giving up on an extreme constant: still the library's error, never a crash
        raise formula_error(walker.text, f"The formula cannot be evaluated: {type(err).__name__}: {err}.", 0) from None


class _Walker:
    def __init__(self, text: object, params: tuple[str, ...], exclude: frozenset[str]):
        if not isinstance(text, str):
            raise FormulaError(f"A formula must be a string. Got {text!r} of type {type(text).__name__}.")
        self.text = text
        self.params = {name: sp.Symbol(name, real=True) for name in params}
        self.exclude = exclude
        self.offset = 0  # columns stripped from the left before ast.parse

    # --- errors -------------------------------------------------------------------------------------------------
    def refuse(self, reason: str, node: ast.AST | None = None, start: int | None = None, end: int | None = None):
        if node is not None:
            start = self.offset + getattr(node, "col_offset", 0)
            end = self.offset + (getattr(node, "end_col_offset", None) or (start - self.offset + 1))
        return formula_error(self.text, reason, start or 0, end)

    # --- text checks, then the syntax tree ----------------------------------------------------------------------
    def run(self) -> sp.Expr:
        text = self.text
        if not text.strip():
            raise formula_error(text, "The formula is empty: write an expression in x, e.g. x * sigmoid(x).", 0)
        if len(text) > MAX_LENGTH:
            raise formula_error(text, f"The formula is too long: at most {MAX_LENGTH} characters, got {len(text)}.",
                                MAX_LENGTH, len(text))
        for i, ch in enumerate(text):
            if not " " <= ch <= "~":
                what = unicodedata.name(ch, "a control character") if ord(ch) >= 32 else "a control character"
                raise formula_error(
                    text, f"Character {ch!r} (U+{ord(ch):04X} {what}) is not allowed: formulas are one line of "
                          f"ASCII.", i)
        depth = 0
        for i, ch in enumerate(text):
            depth += ch in "([{"
            depth -= ch in ")]}"
            if depth > MAX_DEPTH:
                raise formula_error(text, f"Brackets are nested too deeply: at most {MAX_DEPTH} levels.", i)
        stripped = text.lstrip()
        self.offset = len(text) - len(stripped)
        try:
            tree = ast.parse(stripped, mode="eval")
        except SyntaxError as err:
            col = self.offset + max(0, (err.offset or 1) - 1)
            end = self.offset + (err.end_offset - 1) if err.end_offset and err.end_lineno == err.lineno else None
            raise formula_error(text, f"Invalid syntax: {err.msg}.", col, end) from None
        except (ValueError, MemoryError, RecursionError) as err:  # the parser's own limits
            raise formula_error(text, f"The formula cannot be parsed: {err}.", 0) from None
        return self.expr(tree.body, 1)

    # --- numeric expressions ------------------------------------------------------------------------------------
    def expr(self, node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise self.refuse(f"The formula is nested too deeply: at most {MAX_DEPTH} levels.", node)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return self.checked(-self.expr(node.operand, depth + 1), node)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, depth + 1)
            if isinstance(node.op, ast.Not):
                raise self.refuse("'not' is only allowed in a condition, e.g. where(not x > 0, a, b).", node)
            raise self.refuse("'~' is not allowed in a formula.", node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.IfExp):
            cond = self.cond(node.test, depth + 1)
            return self.piecewise([(self.expr(node.body, depth + 1), cond), (self.expr(node.orelse, depth + 1), True)],
                                  node)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            raise self.refuse("A comparison is only allowed as a condition: where(cond, a, b), "
                              "piecewise(cond, a, ..., otherwise) or 'a if cond else b'.", node)
        raise self.refuse(_REFUSED.get(type(node), f"{type(node).__name__} is not allowed in a formula."), node)

    def number(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool):
            raise self.refuse(f"{value} is not a number; conditions go inside where(cond, a, b).", node)
        if isinstance(value, int):
            if value.bit_length() > MAX_DIGITS * 3.33:
                raise self.refuse(f"The number is too large: at most 1e{MAX_DIGITS}.", node)
            return sp.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value) or abs(value) > 10.0**MAX_DIGITS:
                raise self.refuse(f"The number is out of range: at most 1e{MAX_DIGITS} in absolute value.", node)
            return sp.Float(value)
        kinds = {complex: "complex numbers", str: "strings", bytes: "bytes"}
        what = kinds.get(type(value), repr(value))
        raise self.refuse(f"{what} are not allowed in a formula." if type(value) in kinds
                          else f"{what} is not allowed in a formula.", node)

    def name(self, node: ast.Name) -> sp.Expr:
        ident = node.id
        if ident == "x":
            return x
        if ident in self.params:
            return self.params[ident]
        if ident in CONSTANTS:
            return CONSTANTS[ident]
        if ident.startswith("_"):
            raise self.refuse(f"Names starting with '_' are not allowed: {ident!r}.", node)
        if ident in FUNCTIONS or ident in CONDITIONAL or self.catalog_name(ident):
            raise self.refuse(f"{ident!r} is a function: call it, e.g. {ident}(x).", node)
        known = ["x", *self.params, *CONSTANTS]
        close = difflib.get_close_matches(ident, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise self.refuse(
            f"Unknown name {ident!r}.{hint} A formula may use x, {', '.join(repr(p) for p in self.params) + ', ' if self.params else ''}"
            f"pi and e; declare a parameter with --param {ident}=VALUE (or define(..., {ident}=VALUE)).", node)

    def binop(self, node: ast.BinOp, depth: int) -> sp.Expr:
        op = type(node.op)
        if op not in _BINOPS:
            raise self.refuse(_BINOP_HINTS.get(op, f"{op.__name__} is not allowed in a formula."), node)
        if op in (ast.Add, ast.Sub):
            terms = self.chain(node, (ast.Add, ast.Sub), depth)
            return self.checked(sp.Add(*(t if o is not ast.Sub else -t for o, t in terms)), node)
        if op in (ast.Mult, ast.Div):
            factors = self.chain(node, (ast.Mult, ast.Div), depth)
            result = sp.Integer(1)
            for o, f in factors:
                if o is ast.Div:
                    if f.is_zero:
                        raise self.refuse("Division by zero.", node)
                    f = 1 / f
                result = self.checked(result * f, node)
            return result
        base = self.expr(node.left, depth + 1)
        power = self.expr(node.right, depth + 1)
        self.check_power(base, power, node)
        return self.checked(base**power, node)

    def chain(self, node: ast.BinOp, ops: tuple[type, ...], depth: int) -> list[tuple[type | None, sp.Expr]]:
        """The operands of a left-leaning chain a + b - c + ..., walked without recursion (one nesting level)."""
        items: list[tuple[type | None, ast.AST]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
            items.append((type(node.op), node.right))
            node = node.left
        items.append((None, node))
        return [(op, self.expr(operand, depth + 1)) for op, operand in reversed(items)]

    def check_power(self, base: sp.Expr, power: sp.Expr, node: ast.AST) -> None:
        """Refuse u**n before SymPy computes it when n is a large number or the folded constant would be huge."""
        if not power.is_number:
            return
        p = self.float_of(power, node)
        if abs(p) > MAX_EXPONENT:
            shown = sp.sstr(power) if power.is_Rational else f"{p:g}"
            raise self.refuse(f"The exponent {shown} is too large: numeric exponents are at most {MAX_EXPONENT} in "
                              f"absolute value.", node)
        if base.is_number:
            b = self.float_of(base, node)
            if b != 0 and abs(p * math.log10(abs(b))) > MAX_DIGITS:
                raise self.refuse(f"The constant is out of range: numbers lie within 1e-{MAX_DIGITS} and "
                                  f"1e{MAX_DIGITS} in absolute value.", node)

    def float_of(self, value: sp.Expr, node: ast.AST) -> float:
        try:
            v = float_value(value)
        except (TypeError, ValueError, ArithmeticError, ParameterError):
            raise self.refuse("This constant cannot be evaluated as a real number.", node) from None
        if not math.isfinite(v):
            raise self.refuse("This gives a value that is not a finite real number (overflow, division by zero, "
                              "log(0), sqrt of a negative number, ...).", node)
        return v

    def checked(self, value: sp.Expr, node: ast.AST) -> sp.Expr:
        """Refuse a folded constant that is not a finite real number within range."""
        if value.has(sp.zoo, sp.oo, sp.S.NegativeInfinity, sp.nan, sp.I):
            raise self.refuse("This gives a value that is not a finite real number (division by zero, log(0), "
                              "sqrt of a negative number, ...).", node)
        if value.is_number:
            if isinstance(value, sp.Rational):
                if max(abs(value.p).bit_length(), value.q.bit_length()) > MAX_DIGITS * 3.33:
                    raise self.refuse(f"The constant is out of range: at most 1e{MAX_DIGITS}.", node)
                return value
            v = self.float_of(value, node)  # float64 only: SymPy's evalf can be slow or fail at extreme values
            if abs(v) > 10.0**MAX_DIGITS:
                raise self.refuse(f"The constant is out of range: at most 1e{MAX_DIGITS}.", node)
        return value

    def folded(self, value: sp.Expr, node: ast.AST) -> sp.Expr:
        """A numeric argument of min/max or a comparison as a Float, so SymPy never compares exact constants."""
        if value.is_number and not value.is_Rational and not isinstance(value, sp.Float):
            return sp.Float(self.float_of(value, node))
        return value

    # --- calls --------------------------------------------------------------------------------------------------
    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.refuse("Only functions named directly can be called, e.g. exp(x).", node.func)
        fname = node.func.id
        if node.keywords:
            kw = node.keywords[0]
            raise self.refuse(f"Keyword arguments are not allowed: pass {fname}'s arguments by position.", kw)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.refuse(_REFUSED[ast.Starred], arg)
        if fname.startswith("_"):
            raise self.refuse(f"Names starting with '_' are not allowed: {fname!r}.", node.func)
        if fname in CONDITIONAL:
            return self.conditional(fname, node, depth)
        if fname in FUNCTIONS:
            lo, hi, build = FUNCTIONS[fname]
            self.arity(fname, node, lo, hi)
            args = [self.expr(a, depth + 1) for a in node.args]
            if fname in ("min", "max"):
                args = [self.folded(a, n) for a, n in zip(args, node.args)]
            try:
                value = build(*args)
            except (TypeError, ValueError, ArithmeticError) as err:  # SymPy evaluating an extreme Float argument
                raise self.refuse(f"{fname} cannot be evaluated here: {err}.", node) from None
            return self.checked(value, node)
        canonical = self.catalog_name(fname)
        if canonical is None:
            raise self.refuse(self.unknown_function(fname), node.func)
        return self.catalog(canonical, fname, node, depth)

    def arity(self, fname: str, node: ast.Call, lo: int, hi: int) -> None:
        n = len(node.args)
        if not lo <= n <= hi:
            want = f"{lo}" if lo == hi else f"{lo} to {hi}"
            raise self.refuse(f"{fname} takes {want} argument{'s' if hi > 1 else ''}; got {n}.", node)

    def catalog_name(self, fname: str) -> str | None:
        from actlab.registry import resolve

        try:
            return resolve(fname)
        except UnknownActivation:
            return None

    def unknown_function(self, fname: str) -> str:
        from actlab.registry import aliases, names

        elementwise = names(kind="elementwise")
        known = sorted({*FUNCTIONS, *CONDITIONAL, *elementwise, *(a for a, c in aliases().items() if c in elementwise)})
        close = difflib.get_close_matches(fname.lower(), known, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return (f"Unknown function {fname!r}.{hint} Allowed: {', '.join(sorted({*FUNCTIONS, *CONDITIONAL}))}, and "
                f"the elementwise catalog activations ({', '.join(elementwise)}).")

    def catalog(self, name: str, label: str, node: ast.Call, depth: int) -> sp.Expr:
        from actlab.registry import spec as get_spec
        from actlab.symbolic import _number

        spec = get_spec(name)
        if spec.kind != "elementwise":
            raise self.refuse(f"{label} is a {spec.kind} activation; a formula can use elementwise activations only.",
                              node.func)
        if name in self.exclude:
            raise self.refuse(f"A formula cannot use the activation it defines ({name!r}).", node.func)
        pnames = [p.name for p in spec.params]
        self.arity(label, node, 1, 1 + len(pnames))
        u = self.expr(node.args[0], depth + 1)
        values = []
        for param, arg in zip(spec.params, node.args[1:]):
            v = self.expr(arg, depth + 1)
            if v.has(x):
                raise self.refuse(f"The {param.name!r} parameter of {name} must not depend on x.", arg)
            if v.is_number:
                try:
                    v = _number(param.validate(float(v), name))
                except (ParameterError, TypeError) as err:
                    raise self.refuse(str(err), arg) from None
            values.append(v)
        values += [_number(p.default) for p in spec.params[len(values):]]
        call = catalog_call(name)(u, *values)
        if u.is_number and all(v.is_number for v in values):  # a constant: fold it with the catalog's own code
            return sp.Float(self.float_of(call, node))
        return call

    def conditional(self, fname: str, node: ast.Call, depth: int) -> sp.Expr:
        args = node.args
        if fname == "where":
            self.arity("where", node, 3, 3)
            pairs = [(self.expr(args[1], depth + 1), self.cond(args[0], depth + 1)),
                     (self.expr(args[2], depth + 1), True)]
            return self.piecewise(pairs, node)
        if len(args) < 3 or len(args) % 2 == 0 or len(args) > 2 * MAX_ARGS + 1:
            raise self.refuse("piecewise takes cond1, value1, cond2, value2, ..., otherwise: an odd number of "
                              f"arguments, at least 3 (at most {2 * MAX_ARGS + 1}); got {len(args)}.", node)
        pairs = [(self.expr(args[i + 1], depth + 1), self.cond(args[i], depth + 1)) for i in range(0, len(args) - 1, 2)]
        pairs.append((self.expr(args[-1], depth + 1), True))
        return self.piecewise(pairs, node)

    def piecewise(self, pairs, node: ast.AST) -> sp.Expr:
        try:
            return self.checked(sp.Piecewise(*pairs), node)
        except (TypeError, ValueError) as err:
            raise self.refuse(f"Invalid piecewise definition: {err}.", node) from None

    # --- conditions ---------------------------------------------------------------------------------------------
    def cond(self, node: ast.AST, depth: int):
        if depth > MAX_DEPTH:
            raise self.refuse(f"The formula is nested too deeply: at most {MAX_DEPTH} levels.", node)
        if isinstance(node, ast.Compare):
            parts = []
            left = self.folded(self.expr(node.left, depth + 1), node.left)
            for op, comparator in zip(node.ops, node.comparators):
                if type(op) not in _COMPARE:
                    raise self.refuse(f"{type(op).__name__} is not allowed: compare with < <= > >= == !=.", node)
                right = self.folded(self.expr(comparator, depth + 1), comparator)
                parts.append(_COMPARE[type(op)](left, right))
                left = right
            return sp.And(*parts)
        if isinstance(node, ast.BoolOp):
            combine = sp.And if isinstance(node.op, ast.And) else sp.Or
            return combine(*[self.cond(v, depth + 1) for v in node.values])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return sp.Not(self.cond(node.operand, depth + 1))
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda, ast.NamedExpr, ast.JoinedStr)):
            raise self.refuse(_REFUSED[type(node)], node)
        raise self.refuse("Expected a condition here, e.g. x > 0 or (x > -1 and x < 1).", node)


# --- float64 evaluation of constants (bounded cost, unlike SymPy's arbitrary-precision evalf) ----------------------
def _math(fn):
    def f(v: float) -> float:
        try:
            return fn(v)
        except OverflowError:
            return math.inf
        except ValueError:  # outside the real domain: log(-1), sqrt(-1)
            return math.nan

    return f


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def _softplus(v: float) -> float:
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


_FLOAT_FUNCS = {
    sp.exp: _math(math.exp), sp.log: _math(lambda v: -math.inf if v == 0 else math.log(v)),
    sp.sin: _math(math.sin), sp.cos: _math(math.cos), sp.tanh: _math(math.tanh), sp.atan: _math(math.atan),
    sp.erf: _math(math.erf), sp.erfc: _math(math.erfc), sp.Abs: abs, sp.sign: lambda v: float((v > 0) - (v < 0)),
    sigmoid: _math(_sigmoid), softplus: _math(_softplus), log1p: _math(math.log1p), expm1: _math(math.expm1),
}


def float_value(e: sp.Basic) -> float:
    """The value of a constant SymPy expression in float64 (inf on overflow, nan outside the domain)."""
    from actlab.formula.primitives import CatalogCall

    if isinstance(e, sp.Rational):
        try:
            return e.p / e.q
        except OverflowError:
            return math.copysign(math.inf, e.p)
    if isinstance(e, sp.Float) or e in (sp.pi, sp.E):
        return float(e)
    if isinstance(e, sp.Add):
        return math.fsum(float_value(a) for a in e.args)
    if isinstance(e, sp.Mul):
        out = 1.0
        for a in e.args:
            out *= float_value(a)
        return out
    if isinstance(e, sp.Pow):
        b, p = float_value(e.base), float_value(e.exp)
        try:
            return math.pow(b, p)
        except OverflowError:
            return math.inf
        except (ValueError, ZeroDivisionError):
            return math.nan
    if isinstance(e, (sp.Max, sp.Min)):
        values = [float_value(a) for a in e.args]
        return max(values) if isinstance(e, sp.Max) else min(values)
    if isinstance(e, sp.Piecewise):
        for pair in e.args:
            if pair.cond is sp.true or bool(pair.cond):
                return float_value(pair.expr)
        return math.nan
    if isinstance(e, CatalogCall):
        from actlab.registry import spec as get_spec

        spec = get_spec(e.act_name)
        values = {p.name: float_value(v) for p, v in zip(spec.params, e.args[1:])}
        bound = spec.bind(**values)
        return float(bound(float_value(e.args[0])))
    if type(e) in _FLOAT_FUNCS and len(e.args) == 1:
        return float(_FLOAT_FUNCS[type(e)](float_value(e.args[0])))
    raise TypeError(f"cannot evaluate {type(e).__name__}")
