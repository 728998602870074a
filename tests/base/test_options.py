"""String options: one Literal each, checked with one message wherever the API takes them."""

from __future__ import annotations

import pytest

import copath as cp
from copath import options


@pytest.mark.parametrize(
    ("call", "option", "literal"),
    [
        (lambda: cp.FitSettings(sampler="stan"), "sampler", options.Sampler),
        (lambda: cp.FitSettings(method="vi"), "method", options.Method),
        (lambda: cp.FitSettings(init="random"), "init", options.Init),
        (lambda: cp.FitSettings(adaptation="full"), "adaptation", options.Adaptation),
        (lambda: cp.FitSettings(log_likelihood="some"), "log_likelihood", options.LogLikelihood),
        (lambda: cp.pool_effects([0.1, 0.2], [0.1, 0.1], tau_prior="flat"), "tau_prior", options.TauPrior),
        (lambda: cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, family: zip}\n"
                                  "links:\n  - {from: x, to: y}\noutcomes: [y]\n"), "family", options.CountFamily),
        (lambda: cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count, better: up}\n"
                                  "links:\n  - {from: x, to: y}\noutcomes: [y]\n"), "better", options.Better),
    ],
)
def test_a_bad_option_gets_one_message_naming_its_choices(call, option, literal):
    with pytest.raises(ValueError) as err:
        call()
    expected = f"{option} must be one of {', '.join(map(repr, options.choices(literal)))}; got "
    assert expected in str(err.value)


def test_the_cli_offers_the_same_choices():
    from copath.cli import build_parser

    parser = build_parser()
    fit = parser._subparsers._group_actions[0].choices["fit"]
    by_dest = {a.dest: a for a in fit._actions}
    assert tuple(by_dest["sampler"].choices) == options.choices(options.Sampler)
    assert tuple(by_dest["method"].choices) == options.choices(options.Method)
